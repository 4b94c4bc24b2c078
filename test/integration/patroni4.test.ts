import {execFileSync} from 'node:child_process'
import {mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {parse} from 'yaml'

import {MemberCache} from '../../src/lib/rest/member-cache.js'
import {runCli} from '../helpers/cli.js'
import {freePort} from '../helpers/fake-patroni.js'
import {
  announceSkip,
  node1Leads as node1LeadsIn,
  patronictlJson,
  patronictlPretty,
  restCluster,
  testCluster,
  waitHealthy,
} from '../helpers/test-cluster.js'

const {cluster: lab, skip} = testCluster()
announceSkip('Patroni 4.0.7 (15/pgpt_v4) against the real cluster', skip)

// The scope run by Debian 13's Patroni 4.0.7, each answer compared with patronictl 4.0.7 (the
// unpacked package's own). 4.x differs from Debian 12's 3.0.2: /patroni says role `primary` and
// names the member, /cluster names the scope, replicas are `streaming`, patronictl's title has
// the system identifier and list -e a `Pending restart reason` column (shown by pgpatronictl too).
describe.skipIf(!lab)('Patroni 4.0.7 on the real test cluster (15/pgpt_v4)', () => {
  const {configDir, instances, namespace} = lab!
  const v4 = instances.v4
  const ha = instances.ha
  const port = v4.members.node1!.restPort
  const urls = Object.values(v4.members).map((m) => `http://127.0.0.1:${m.restPort}`)
  const cli = (...args: string[]) => runCli([...args, '--config-dir', configDir])
  const patronictl = (...args: string[]) =>
    execFileSync(v4.patronictl, ['-c', v4.config, ...args], {encoding: 'utf8', timeout: 30_000})
  const theirList = () => patronictlJson(v4.config, v4.scope, v4.patronictl)
  const roles = () => Object.fromEntries(theirList().map((m) => [m.Member, m.Role]))
  const timeline = () => theirList().find((m) => m.Role === 'Leader')!.TL as number
  const status = async (url: string) =>
    (await (await fetch(`${url}/patroni`, {signal: AbortSignal.timeout(5000)})).json()) as Record<string, unknown>
  const startTimes = async () =>
    Object.fromEntries(
      await Promise.all(
        Object.keys(v4.members).map(async (name, i) => [name, (await status(urls[i]!)).postmaster_start_time] as const),
      ),
    )
  /** Others may have left node2 leading: every test starts from the cluster up.sh made. */
  const node1Leads = () => node1LeadsIn(v4, configDir, v4.patronictl)

  /**
   * 4.x calls a replica `streaming` in /cluster once its member key in the DCS says so, up to a
   * loop_wait after it streams again (after node1Leads' switchover): both reads must see that.
   */
  const replicasStream = () => waitHealthy(port, 3, 60_000, ['streaming'])

  beforeAll(async () => {
    await node1Leads()
    await replicasStream()
  }, 180_000)
  afterAll(node1Leads, 120_000)

  it('runs Patroni 4.0.7 with the 4.x REST API: role primary, patroni.name, scope in /cluster, replicas streaming', async () => {
    expect(execFileSync(v4.patronictl, ['version'], {encoding: 'utf8'})).toBe(
      `patronictl version ${v4.patroniVersion}\n`,
    )
    const leader = await status(urls[0]!)
    expect(leader).toMatchObject({
      patroni: {name: 'node1', scope: v4.scope, version: '4.0.7'},
      role: 'primary',
      state: 'running',
    })
    expect(await status(urls[1]!)).toMatchObject({
      patroni: {name: 'node2', scope: v4.scope},
      replication_state: 'streaming',
      role: 'replica',
    })
    const cluster = (await restCluster(port)) as Awaited<ReturnType<typeof restCluster>> & {scope?: string}
    expect(cluster.scope).toBe(v4.scope)
    expect(cluster.members.map((m) => [m.name, m.role, m.state])).toEqual([
      ['node1', 'leader', 'running'],
      ['node2', 'replica', 'streaming'],
      ['node3', 'replica', 'streaming'],
    ])
  })

  it('list: the same members, roles, states, timelines and keys as patronictl 4.0.7 list -f json', async () => {
    const ours = await cli('list', v4.name, '-f', 'json')
    expect(ours).toMatchObject({code: 0, stderr: ''})
    const theirs = theirList()
    const strip = (rows: Record<string, unknown>[]) =>
      rows.map(({Cluster, Host, Member, Role, State, TL}) => ({Cluster, Host, Member, Role, State, TL}))
    expect(strip(JSON.parse(ours.stdout))).toEqual(strip(theirs))
    expect(strip(theirs).map((r) => r.State)).toEqual(['running', 'streaming', 'streaming'])
    // 4.0.x still says "Lag in MB" (4.1 splits it into receive and replay lag): the same keys
    expect(JSON.parse(ours.stdout).map((r: object) => Object.keys(r).sort())).toEqual(
      theirs.map((r) => Object.keys(r).sort()),
    )
  })

  it('list: draws the same table as patronictl 4.0.7, title and system identifier included', async () => {
    await waitHealthy(port, 3) // caught up: both reads show lag 0
    const ours = await cli('list', v4.name)
    expect(ours).toMatchObject({code: 0, stderr: ''})
    expect(ours.stdout).toBe(patronictlPretty(v4.config, v4.scope, v4.patronictl))
    expect(ours.stdout.split('\n')[0]).toMatch(new RegExp(`^\\+ Cluster: ${v4.scope} \\(\\d+\\) -+\\+`))
    // list -e: patronictl 4.0.7's columns, "Pending restart reason" (3.3+) included
    const extended = (await cli('list', v4.name, '-e')).stdout
    expect(extended).toBe(patronictl('list', '-e'))
    expect(extended.split('\n')[1]).toMatch(/\| Pending restart +\| Pending restart reason +\|/)
  })

  it('list: the host view shows the 4.0.7 instance with its leader and members', async () => {
    const result = await cli('list', '-f', 'json')
    expect(result.code).toBe(0)
    const row = (JSON.parse(result.stdout) as Record<string, unknown>[]).find((r) => r.instance === v4.name)
    expect(row).toMatchObject({
      leader: 'node1',
      member: 'node1',
      members_running: 3,
      members_total: 3,
      role: 'Leader',
      scope: v4.scope,
      state: 'running',
      status: 'online',
      type: 'patroni',
    })
  })

  it('list --fleet -e: the members as patronictl 4.0.7 reads them from the same DCS keys (replicas streaming)', async () => {
    await replicasStream()
    const result = await cli('list', '--fleet', '-e', '-f', 'json')
    expect(result.code).toBe(0)
    const strip = (rows: Record<string, unknown>[]) =>
      rows.map(({Host, Member, Role, State, TL}) => ({Host, Member, Role, State, TL}))
    const ours = (JSON.parse(result.stdout) as Record<string, unknown>[]).filter((r) => r.Cluster === v4.scope)
    expect(strip(ours)).toEqual(strip(theirList()))
    expect(ours.map((r) => r.State)).toEqual(['running', 'streaming', 'streaming'])
  })

  it('switchover to node2 and back with --force: waits for the new leader (primary in 4.x), timelines move on, patronictl 4.0.7 agrees', async () => {
    const tl = timeline()
    const there = await cli('switchover', v4.name, '--candidate', 'node2', '--force')
    expect(there.stderr).toBe('')
    expect(there.code).toBe(0)
    expect(there.stdout).toContain('Successfully switched over to "node2"')
    expect(there.stdout).toMatch(/^node2 leads 15-pgpt_v4$/m)
    expect(roles()).toMatchObject({node1: 'Replica', node2: 'Leader'}) // already leading when the command returned
    expect(await status(urls[1]!)).toMatchObject({role: 'primary'})
    expect(timeline()).toBe(tl + 1)
    await waitHealthy(port, 3)
    expect(await status(urls[0]!)).toMatchObject({role: 'replica', state: 'running'}) // the old leader rejoined
    const back = await cli('switchover', v4.name, '--leader', 'node2', '--candidate', 'node1', '--force')
    expect(back.code).toBe(0)
    expect(back.stdout).toMatch(/^node1 leads 15-pgpt_v4$/m)
    expect(roles()).toEqual({node1: 'Leader', node2: 'Replica', node3: 'Replica'})
    expect(await status(urls[0]!)).toMatchObject({role: 'primary'})
    expect(timeline()).toBe(tl + 2)
  })

  it('restart of a replica: only its postgres starts again', async () => {
    await waitHealthy(port, 3)
    const before = await startTimes()
    const result = await cli('restart', v4.name, 'node3', '--force')
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(/^node3: restarted \(running again after [\d.]+s\)$/m)
    const after = await startTimes()
    expect(after.node3).not.toBe(before.node3)
    expect([after.node1, after.node2]).toEqual([before.node1, before.node2])
    expect(roles().node1).toBe('Leader')
  })

  it('history: the same rows as patronictl 4.0.7 history, in every format (after the switchovers above)', async () => {
    const ours = await cli('history', v4.name, '--json')
    expect(ours).toMatchObject({code: 0, stderr: ''})
    const rows = JSON.parse(ours.stdout) as Record<string, unknown>[]
    expect(rows.length).toBeGreaterThanOrEqual(2)
    expect(rows).toEqual(JSON.parse(patronictl('history', '-f', 'json')))
    expect(rows.at(-1)).toMatchObject({'New Leader': 'node1', TL: timeline() - 1})
    expect((await cli('history', v4.name)).stdout).toBe(patronictl('history'))
    expect((await cli('history', v4.name, '-f', 'tsv')).stdout).toBe(patronictl('history', '-f', 'tsv'))
    expect(parse((await cli('history', v4.name, '-f', 'yaml')).stdout)).toEqual(
      parse(patronictl('history', '-f', 'yaml')),
    )
  })

  it('show-config: the same dynamic configuration as patronictl 4.0.7 show-config', async () => {
    const ours = await cli('show-config', v4.name)
    expect(ours).toMatchObject({code: 0, stderr: ''})
    // patronictl sorts the keys (yaml.safe_dump); pgpatronictl keeps Patroni's order: equal once parsed
    expect(parse(ours.stdout)).toEqual(parse(patronictl('show-config')))
    expect(parse(ours.stdout)).toMatchObject({loop_wait: 5, retry_timeout: 5, ttl: 20})
  })

  it('version: Patroni 4.0.7 on every member, as patronictl 4.0.7 version shows it', async () => {
    const ours = await cli('version', v4.name)
    expect(ours).toMatchObject({code: 0, stderr: ''})
    const lines = (text: string) => text.split('\n').slice(1).filter(Boolean)
    expect(lines(ours.stdout)).toEqual(lines(patronictl('version', v4.scope)))
    expect(lines(ours.stdout)).toEqual(
      ['node1', 'node2', 'node3'].map((n) =>
        expect.stringMatching(new RegExp(`^${n}: Patroni 4\\.0\\.7 PostgreSQL 15\\.\\d+$`)),
      ),
    )
  })

  describe('verified reads: the 4.x identity (patroni.scope and patroni.name in /patroni, scope in /cluster)', () => {
    let root: string
    let deadRest: number
    let systemId: string
    const haUrls = Object.values(ha.members).map((m) => `http://127.0.0.1:${m.restPort}`)
    /** A config dir with one instance: `text` as V-C.yml, its own member cache. */
    const host = (name: string, stem: string, text: string) => {
      const dir = join(root, name)
      mkdirSync(dir)
      const file = join(dir, `${stem}.yml`)
      writeFileSync(file, text)
      return {cache: join(dir, 'cache'), dir, file}
    }
    const run = (where: {cache: string; dir: string}, ...args: string[]) =>
      runCli([...args, '--config-dir', where.dir, '--timeout', '3'], {env: {XDG_CACHE_HOME: where.cache}})

    beforeAll(async () => {
      await waitHealthy(port, 3)
      root = mkdtempSync(join(tmpdir(), 'pgpt-v4-'))
      deadRest = await freePort()
      systemId = String((await status(urls[0]!)).database_system_identifier)
    })
    afterAll(() => rmSync(root, {force: true, recursive: true}))

    it("this host's REST API dead: 4.0.7 members the DCS names prove themselves; remembered 3.0.2 members of 15-pgpt_ha are ignored", async () => {
      const copy = host(
        'dead',
        v4.scope,
        readFileSync(v4.config, 'utf8').replaceAll(`127.0.0.1:${port}`, `127.0.0.1:${deadRest}`),
      )
      new MemberCache(join(copy.cache, 'pgpatronictl')).write(
        {configFile: copy.file, namespace, scope: v4.scope},
        {apiUrls: [haUrls[0]!], systemId},
      )
      const result = await run(copy, 'list', v4.name, '-f', 'json')
      expect(result.code).toBe(0)
      expect(JSON.parse(result.stdout).map((r: {Member: string}) => r.Member)).toEqual(['node1', 'node2', 'node3'])
      expect(result.stderr).toMatch(
        new RegExp(
          `^Warning: ${v4.name}: ignored ${haUrls[0]!.slice(7)} \\(a member remembered from an earlier run\\): it belongs to cluster ${ha.scope}, not ${v4.scope}\n` +
            `Warning: ${v4.name}: this host's REST API \\(127\\.0\\.0\\.1:${deadRest}\\) did not answer \\(connection refused\\); data from 127\\.0\\.0\\.1:(28068|28069|28070)\n$`,
        ),
      )
    })

    it("this host's REST address answering for another scope is a config error, exit 3, both ways between 3.0.2 and 4.0.7", async () => {
      const haRest = ha.members.node2!.restPort
      const toHa = host(
        'to-ha',
        v4.scope,
        readFileSync(v4.config, 'utf8').replaceAll(`127.0.0.1:${port}`, `127.0.0.1:${haRest}`),
      )
      const list = await run(toHa, 'list', v4.name)
      expect(list).toMatchObject({
        code: 3,
        stderr: `Error: ${v4.name}: 127.0.0.1:${haRest} (this host's REST API, from ${toHa.file}): it belongs to cluster ${ha.scope}, not ${v4.scope}; does another instance's config use the same restapi.connect_address?\n`,
        stdout: '',
      })
      const before = await startTimes()
      const restart = await run(toHa, 'restart', v4.name, 'node3', '--force')
      expect(restart.code).toBe(3)
      const v4Rest = v4.members.node2!.restPort
      const toV4 = host(
        'to-v4',
        ha.scope,
        readFileSync(ha.config, 'utf8').replaceAll(`127.0.0.1:${ha.members.node1!.restPort}`, `127.0.0.1:${v4Rest}`),
      )
      const reverse = await run(toV4, 'switchover', ha.name, '--candidate', 'node2', '--force')
      expect(reverse).toMatchObject({
        code: 3,
        stderr: `Error: 127.0.0.1:${v4Rest} (this host's REST API, from ${toV4.file}): it belongs to cluster ${v4.scope}, not ${ha.scope}; does another instance's config use the same restapi.connect_address?\n`,
      })
      expect(await startTimes()).toEqual(before)
      expect(roles()).toEqual({node1: 'Leader', node2: 'Replica', node3: 'Replica'})
    })
  })
})
