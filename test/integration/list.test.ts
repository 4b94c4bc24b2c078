import {mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {runCli} from '../helpers/cli.js'
import {type FakeServer, freePort, startBlackHole} from '../helpers/fake-patroni.js'
import {
  announceSkip,
  patronictlJson,
  patronictlPretty,
  pidOf,
  restCluster,
  testCluster,
  waitHealthy,
} from '../helpers/test-cluster.js'

const {cluster: lab, skip} = testCluster()
announceSkip('list against the real cluster', skip)

describe.skipIf(!lab)('list against the real Patroni test cluster', () => {
  const {configDir, instances} = lab!
  const ha = instances.ha
  const haPort = ha.members.node1!.restPort
  const list = (...args: string[]) => runCli(['list', '--config-dir', configDir, ...args])

  beforeAll(() => waitHealthy(haPort, 3))

  it('shows the same members, roles, states and timelines as patronictl list -f json', async () => {
    const ours = await list(ha.name, '-f', 'json')
    expect(ours.stderr).toBe('')
    expect(ours.code).toBe(0)
    const strip = (rows: Record<string, unknown>[]) =>
      rows.map(({Cluster, Host, Member, Role, State, TL}) => ({Cluster, Host, Member, Role, State, TL}))
    const theirs = patronictlJson(ha.config, ha.scope)
    expect(strip(JSON.parse(ours.stdout))).toEqual(strip(theirs))
    // and the same keys: scripts written for patronictl read ours unchanged
    expect(JSON.parse(ours.stdout).map((r: object) => Object.keys(r).sort())).toEqual(
      theirs.map((r) => Object.keys(r).sort()),
    )
  })

  it('agrees with the REST API on who leads and on which timeline', async () => {
    const {members} = await restCluster(haPort)
    const rows = JSON.parse((await list(ha.name, '--json')).stdout) as {Member: string; Role: string; TL: number}[]
    for (const member of members) {
      const row = rows.find((r) => r.Member === member.name)!
      expect(row.Role).toBe(member.role === 'leader' ? 'Leader' : 'Replica')
      expect(row.TL).toBe(member.timeline)
    }
  })

  it('draws the same table as patronictl (title aside: ours adds the system id)', async () => {
    await waitHealthy(haPort, 3) // replicas caught up, so both reads show the same lag
    const ours = (await list(ha.name)).stdout.trimEnd().split('\n')
    const theirs = patronictlPretty(ha.config, ha.scope).trimEnd().split('\n')
    expect(ours.slice(1)).toEqual(theirs.slice(1))
    expect(ours[0]).toMatch(new RegExp(`^\\+ Cluster: ${ha.scope} \\(\\d+\\) -*\\+`))
    expect(theirs[0]).toMatch(new RegExp(`^\\+ Cluster: ${ha.scope} -*\\+`))
  })

  it('lists every instance of the host, each classified, in every format', async () => {
    const result = await list('-f', 'json')
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0) // the not-bootstrapped instance being down is normal
    const rows = JSON.parse(result.stdout) as Record<string, unknown>[]
    const row = (name: string) => rows.find((r) => r.instance === name)
    expect(row(ha.name)).toMatchObject({
      leader: 'node1',
      member: 'node1',
      members_running: 3,
      members_total: 3,
      role: 'Leader',
      state: 'running',
      status: 'online',
      type: 'patroni',
    })
    expect(row(instances.auth.name)).toMatchObject({
      members_total: 1,
      role: 'Leader',
      state: 'running',
      type: 'patroni',
    })
    expect(row(instances.v4.name)).toMatchObject({members_total: 3, scope: instances.v4.scope, type: 'patroni'}) // Patroni 4.0.7: patroni4.test.ts
    expect(row(instances.plain.name)).toMatchObject({port: instances.plain.port, status: 'online', type: 'plain'})
    expect(row(instances.plain.name)).not.toHaveProperty('scope')
    expect(row(instances.new.name)).toMatchObject({state: 'unreachable', type: 'not_bootstrapped'})
    expect(row(instances.new.name)!.error).toMatch(
      new RegExp(`127\\.0\\.0\\.1:${instances.new.restPort}: connection refused`),
    )
    expect(row(instances.orphan.name)).toMatchObject({type: 'orphan'})
    const {timeline} = (await restCluster(haPort)).members.find((m) => m.name === 'node1')!
    expect(row(ha.name)!.timeline).toBe(timeline)

    const pretty = (await list()).stdout
    expect(pretty).toMatch(
      new RegExp(
        `^15 +pgpt_ha +${ha.members.node1!.pgPort} online +patroni +${ha.scope} +127\\.0\\.0\\.1:${haPort} +node1 +Leader +running +${timeline} node1 +3/3 +0$`,
        'm',
      ),
    )
    expect(pretty).toMatch(/^15 +pgpt_plain +\d+ online +pg-common( +-)+$/m)
    expect(pretty).toMatch(/^15 +pgpt_new .* not-bootstrapped .* unreachable /m)
    const tsv = (await list('-f', 'tsv')).stdout.split('\n')
    expect(tsv.find((l) => l.startsWith(`15\tpgpt_ha\t`))).toContain('\tLeader\trunning\t')
    expect((await list('-f', 'yaml')).stdout).toMatch(new RegExp(`^- instance: ${ha.name}$`, 'm'))
  })

  it('reads the basic-auth instance and never prints its password', async () => {
    const result = await list(instances.auth.name, '--debug')
    expect(result.code).toBe(0)
    expect(result.stdout).toContain(`Cluster: ${instances.auth.scope}`)
    expect(result.stderr).toMatch(/debug: GET http:\/\/127\.0\.0\.1:\d+\/cluster -> 200/)
    expect(result.stdout + result.stderr).not.toContain(instances.auth.password)
    expect(result.stdout + result.stderr).not.toContain(
      Buffer.from(`${instances.auth.username}:${instances.auth.password}`).toString('base64'),
    )
  })

  it('tells a non-root user how to read the 0660 postgres config', async () => {
    const result = await runCli(['list', ha.name, '--config-dir', configDir], {asUser: 'nobody'})
    expect(result.code).toBe(3)
    expect(result.stderr).toMatch(
      /^Error: 15\/pgpt_ha: cannot read .*15-pgpt_ha\.yml: permission denied \(.*run as root or postgres, or join the postgres group\)\n$/,
    )
  })

  describe('when a REST API does not answer', () => {
    let dir: string
    let hole: FakeServer
    let deadDcs: number
    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'pgpt-int-'))
      hole = await startBlackHole()
      deadDcs = await freePort()
      // a copy of this host's config whose REST address accepts connections and never answers,
      // and whose DCS is down too (else the DCS fallback would find the other members)
      const text = readFileSync(ha.config, 'utf8')
        .replaceAll(`127.0.0.1:${haPort}`, `127.0.0.1:${hole.port}`)
        .replaceAll(lab!.etcd, `127.0.0.1:${deadDcs}`)
      writeFileSync(join(dir, `${ha.scope}.yml`), text)
    })
    afterAll(async () => {
      await hole.close()
      rmSync(dir, {force: true, recursive: true})
    })

    it('returns within --timeout, names the member, exits 4', async () => {
      const result = await runCli(['list', ha.name, '--config-dir', dir, '--timeout', '2'], {
        env: {XDG_CACHE_HOME: join(dir, 'cache')},
      })
      expect(result.code).toBe(4)
      expect(result.stderr).toBe(
        `Error: ${ha.name}: 127.0.0.1:${hole.port}: no answer within 2s; DCS etcd3 127.0.0.1:${deadDcs}: connection refused\n`,
      )
      expect(result.ms).toBeLessThan(4500)
    })

    it('falls through to the other members it has seen, within the timeout', async () => {
      const cache = join(dir, 'cache2')
      const seen = join(dir, 'seen')
      const file = join(seen, `${ha.scope}.yml`)
      mkdirSync(seen)
      // the members are remembered per config file: learn them through this file, then black-hole its REST address
      writeFileSync(file, readFileSync(ha.config, 'utf8'))
      expect((await runCli(['list', ha.name, '--config-dir', seen], {env: {XDG_CACHE_HOME: cache}})).code).toBe(0)
      writeFileSync(file, readFileSync(join(dir, `${ha.scope}.yml`), 'utf8'))
      const result = await runCli(['list', ha.name, '--config-dir', seen, '--timeout', '3', '-f', 'json'], {
        env: {XDG_CACHE_HOME: cache},
      })
      expect(result.code).toBe(0)
      expect(JSON.parse(result.stdout).map((r: {Member: string}) => r.Member)).toEqual(['node1', 'node2', 'node3'])
      expect(result.ms).toBeLessThan(3000)
    })
  })

  it("falls through when this host's Patroni is frozen (kill -STOP), and the cluster recovers", async () => {
    const pid = pidOf(ha.members.node1!)
    const cache = mkdtempSync(join(tmpdir(), 'pgpt-cache-'))
    try {
      expect((await runCli(['list', ha.name, '--config-dir', configDir], {env: {XDG_CACHE_HOME: cache}})).code).toBe(0)
      process.kill(pid, 'SIGSTOP')
      const started = Date.now()
      const cluster = await runCli(['list', ha.name, '--config-dir', configDir, '--timeout', '3', '-f', 'json'], {
        env: {XDG_CACHE_HOME: cache},
      })
      const host = await runCli(['list', '--config-dir', configDir, '--timeout', '3', '-f', 'json'], {
        env: {XDG_CACHE_HOME: cache},
      })
      expect(Date.now() - started).toBeLessThan(9000) // well inside ttl: no failover
      expect(cluster.code).toBe(0)
      expect(JSON.parse(cluster.stdout).find((r: {Member: string}) => r.Member === 'node1').Role).toBe('Leader')
      const row = (JSON.parse(host.stdout) as {instance: string; error?: string; leader?: string}[]).find(
        (r) => r.instance === ha.name,
      )!
      expect(row.leader).toBe('node1')
      expect(row.error).toMatch(
        /^this host's REST API did not answer \(no answer within 1000 ms\); data from 127\.0\.0\.1:\d+$/,
      )
    } finally {
      process.kill(pid, 'SIGCONT')
      rmSync(cache, {force: true, recursive: true})
    }
    await waitHealthy(haPort, 3)
  })
})
