import {mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {MemberCache} from '../../src/lib/rest/member-cache.js'
import {runCli} from '../helpers/cli.js'
import {freePort} from '../helpers/fake-patroni.js'
import {announceSkip, patronictlJson, testCluster, waitHealthy} from '../helpers/test-cluster.js'

const {cluster: lab, skip} = testCluster()
announceSkip('cluster identity against the real cluster', skip)

// Never act on the wrong cluster: copies of the test cluster's configs whose own REST address is
// dead, with remembered addresses that lead to another scope (15/pgpt_auth) or to the same scope
// under another system identifier. Each reproduction of issue #12 against the real Patroni.
describe.skipIf(!lab)('cluster identity on the real Patroni test cluster', () => {
  const {instances, namespace} = lab!
  const ha = instances.ha
  const auth = instances.auth
  const haPort = ha.members.node1!.restPort
  const haUrls = Object.values(ha.members).map((m) => `http://127.0.0.1:${m.restPort}`)
  const authUrl = `http://127.0.0.1:${auth.members.node1!.restPort}`
  let root: string
  let deadRest: number
  let haSystemId: string
  const state = () =>
    Object.fromEntries(patronictlJson(ha.config, ha.scope).map((m) => [m.Member, `${m.Role} TL${m.TL}`]))
  const restGet = async (url: string, path: string) =>
    (await (await fetch(`${url}${path}`, {signal: AbortSignal.timeout(5000)})).json()) as Record<string, unknown>
  const paused = async () =>
    (await restGet(authUrl, '/patroni')).pause === true || (await restGet(haUrls[0]!, '/patroni')).pause === true
  const started = async (url: string) => (await restGet(url, '/patroni')).postmaster_start_time

  /** A config dir with one instance: `text` as V-C.yml, its own member cache. */
  function host(name: string, stem: string, text: string): {dir: string; cache: string; file: string} {
    const dir = join(root, name)
    mkdirSync(dir)
    const file = join(dir, `${stem}.yml`)
    writeFileSync(file, text)
    return {cache: join(dir, 'cache'), dir, file}
  }
  const remember = (where: {cache: string; file: string}, scope: string, apiUrls: string[], systemId: string) =>
    new MemberCache(join(where.cache, 'pgpatronictl')).write(
      {configFile: where.file, namespace, scope},
      {apiUrls, systemId},
    )
  const cli = (where: {cache: string; dir: string}, ...args: string[]) =>
    runCli([...args, '--config-dir', where.dir, '--timeout', '3'], {env: {XDG_CACHE_HOME: where.cache}})
  /** The ha config with its REST address moved to a dead port; `edit` changes the rest. */
  const haCopy = (edit: (text: string) => string = (t) => t) =>
    edit(readFileSync(ha.config, 'utf8').replaceAll(`127.0.0.1:${haPort}`, `127.0.0.1:${deadRest}`))

  beforeAll(async () => {
    await waitHealthy(haPort, 3)
    root = mkdtempSync(join(tmpdir(), 'pgpt-identity-'))
    deadRest = await freePort()
    haSystemId = String((await restGet(haUrls[0]!, '/patroni')).database_system_identifier)
  })
  afterAll(() => rmSync(root, {force: true, recursive: true}))

  it('a scope whose remembered members belong to another cluster: ignored with a warning each, exit 4, nothing sent', async () => {
    const ghost = host(
      'ghost',
      '15-pgpt_ghost',
      haCopy((t) => t.replaceAll(ha.scope, '15-pgpt_ghost')),
    )
    const before = state()
    const authStarted = await started(authUrl)
    const ignored = (url: string, scope: string) =>
      `Warning: 15/pgpt_ghost: ignored ${url.slice(7)} (a member remembered from an earlier run): it belongs to cluster ${scope}, not 15-pgpt_ghost\n`
    const expected = `Error: 15/pgpt_ghost: 127.0.0.1:${deadRest}: connection refused; no other member proved to be 15-pgpt_ghost; DCS etcd3 ${lab!.etcd}: no keys under ${namespace}15-pgpt_ghost/\n`
    for (const args of [
      ['list', '15/pgpt_ghost'],
      ['switchover', '15/pgpt_ghost', '--candidate', 'node2', '--force', '--dry-run'],
      ['switchover', '15/pgpt_ghost', '--candidate', 'node2', '--force'],
      ['restart', '15/pgpt_ghost', '--force'],
      ['pause', '15/pgpt_ghost', '--force'],
      ['dsn', '15/pgpt_ghost'],
    ]) {
      remember(ghost, '15-pgpt_ghost', [...haUrls, authUrl], haSystemId) // an old entry, or one copied from elsewhere
      const result = await cli(ghost, ...args)
      expect(result.stdout, args.join(' ')).toBe('')
      const lines = result.stderr.split(/(?<=\n)/) // the ignored ones in the order their answers came
      expect(lines.slice(0, -1).sort(), args.join(' ')).toEqual(
        [...haUrls.map((u) => ignored(u, ha.scope)), ignored(authUrl, auth.scope)].sort(),
      )
      expect(lines.at(-1), args.join(' ')).toBe(expected)
      expect(result.code, args.join(' ')).toBe(4)
    }
    expect(state()).toEqual(before)
    expect(await paused()).toBe(false)
    expect(await started(authUrl)).toBe(authStarted)
  })

  it('remembered addresses that lead to another scope are passed over: the DCS finds the right members, and only they are acted on', async () => {
    const main = host('main', ha.scope, haCopy())
    remember(main, ha.scope, [authUrl], haSystemId)
    const authStarted = await started(authUrl)
    const warnings = new RegExp(
      `^Warning: ${ha.name}: ignored ${authUrl.slice(7)} \\(a member remembered from an earlier run\\): it belongs to cluster ${auth.scope}, not ${ha.scope}\n` +
        `Warning: ${ha.name}: this host's REST API \\(127\\.0\\.0\\.1:${deadRest}\\) did not answer \\(connection refused\\); data from 127\\.0\\.0\\.1:280(08|09|10)\n$`,
    ) // a member the DCS names: whichever answers first
    const dsn = await cli(main, 'dsn', ha.name)
    // node1, the leader, is the member this config names: reached through the socket directory
    expect(dsn).toMatchObject({
      code: 0,
      stderr: expect.stringMatching(warnings),
      stdout: `host=/var/run/postgresql port=${ha.members.node1!.pgPort}\n`,
    })
    remember(main, ha.scope, [authUrl], haSystemId)
    const pause = await cli(main, 'pause', ha.name, '--force', '--dry-run')
    expect(pause.stdout).toBe(
      `dry run, nothing sent; would send:\nPATCH http://127.0.0.1:${haPort}/config {"pause":true}\n`,
    )
    expect(pause.code).toBe(0)
    remember(main, ha.scope, [authUrl], haSystemId)
    const node2Started = await started(haUrls[1]!)
    const restart = await cli(main, 'restart', ha.name, 'node2', '--force')
    expect(restart.stdout).toMatch(/^node2: restarted \(running again after [\d.]+s\)$/m)
    expect(restart.code).toBe(0)
    expect(await started(haUrls[1]!)).not.toBe(node2Started)
    expect(await started(authUrl)).toBe(authStarted) // the other cluster was never touched
    await waitHealthy(haPort, 3)
  })

  it('the same scope under another system identifier (a rebuilt or unrelated cluster) is not used', async () => {
    const other = '7000000000000000001'
    const noDcs = host(
      'nodcs',
      ha.scope,
      haCopy((t) => t.replace(/^etcd3:\n(  .*\n)+/m, '')),
    )
    remember(noDcs, ha.scope, haUrls, other)
    const result = await cli(noDcs, 'list', ha.name)
    const ignored = haUrls.map(
      (u) =>
        `Warning: ${ha.name}: ignored ${u.slice(7)} (a member remembered from an earlier run): its system identifier is ${haSystemId}, not ${other}: another cluster named ${ha.scope}\n`,
    )
    const lines = result.stderr.split(/(?<=\n)/)
    expect(lines.slice(0, -1).sort()).toEqual(ignored.sort())
    expect(lines.at(-1)).toBe(
      `Error: ${ha.name}: 127.0.0.1:${deadRest}: connection refused; no other member proved to be ${ha.scope}; no DCS fallback: no DCS section (etcd3, etcd, consul, ...) in the configuration\n`,
    )
    expect(result.code).toBe(4)
    // with its DCS, the initialize key says which system identifier is right: the real members prove it
    const withDcs = host('withdcs', ha.scope, haCopy())
    remember(withDcs, ha.scope, haUrls, other)
    const listed = await cli(withDcs, 'list', ha.name, '-f', 'json')
    expect(listed.code).toBe(0)
    expect(JSON.parse(listed.stdout).map((r: {Member: string}) => r.Member)).toEqual(['node1', 'node2', 'node3'])
  })

  it("this host's own address answering for another scope (two configs share a REST port) is a config error, exit 3, nothing sent", async () => {
    const shared = host('shared', '15-pgpt_twin', readFileSync(ha.config, 'utf8').replaceAll(ha.scope, '15-pgpt_twin'))
    const problem = `127.0.0.1:${haPort} (this host's REST API, from ${shared.file}): it belongs to cluster ${ha.scope}, not 15-pgpt_twin; does another instance's config use the same restapi.connect_address?`
    const list = await cli(shared, 'list', '15/pgpt_twin')
    expect(list).toMatchObject({code: 3, stderr: `Error: 15/pgpt_twin: ${problem}\n`, stdout: ''})
    const pause = await cli(shared, 'pause', '15/pgpt_twin', '--force')
    expect(pause).toMatchObject({code: 3, stderr: `Error: ${problem}\n`})
    expect(await paused()).toBe(false)
    const overview = await cli(shared, 'list', '-f', 'json')
    expect(overview.code).toBe(3)
    expect(JSON.parse(overview.stdout).find((r: {instance: string}) => r.instance === '15/pgpt_twin')).toMatchObject({
      error: problem,
    })
  })
})
