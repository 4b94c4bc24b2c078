import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, afterEach, describe, expect, it} from 'vitest'

import {outputShows, runCli, startCli} from '../helpers/cli.js'
import {
  type FakeAnswer,
  type FakeServer,
  type RecordedRequest,
  patroniStatus,
  startFakePatroni,
} from '../helpers/fake-patroni.js'
import {debianYaml} from '../helpers/host-tree.js'

// Patroni answers a real cluster rarely gives on demand: 503 "status unknown", 412, 409,
// unmet restart conditions. One fake plays every member (all api_urls point at it).
describe('switchover and restart against fake Patroni answers', () => {
  const root = mkdtempSync(join(tmpdir(), 'pgpt-ops-'))
  const configDir = join(root, 'patroni')
  const env = {PG_CLUSTER_CONF_ROOT: join(root, 'postgresql')}
  let server: FakeServer | undefined
  afterEach(() => server?.close())
  afterAll(() => rmSync(root, {force: true, recursive: true}))

  const clusterJson = (url: string, leader: string, timeline: number) =>
    JSON.stringify({
      members: ['node1', 'node2', 'node3'].map((name, i) => ({
        api_url: `${url}/patroni`,
        host: '127.0.0.1',
        name,
        port: 55432 + i,
        role: name === leader ? 'leader' : 'replica',
        state: 'running',
        timeline,
        ...(name === leader ? {} : {lag: 0}),
      })),
    })

  /** A fake whose /cluster shows `newLeader` leading once `promoted()` says so. */
  async function fake(
    routes: Record<string, FakeAnswer | ((req: RecordedRequest) => FakeAnswer)>,
    promoted = () => false,
    newLeader = 'node2',
  ) {
    let url = ''
    server = await startFakePatroni({
      'GET /cluster': () => ({body: promoted() ? clusterJson(url, newLeader, 2) : clusterJson(url, 'node1', 1)}),
      'GET /config': {body: '{"loop_wait": 1}'},
      // one fake plays every member: once node2 leads, none of them says it is primary (no split brain)
      'GET /patroni': () => ({body: patroniStatus('15-main', {role: promoted() ? 'replica' : 'master'})}),
      ...routes,
    })
    url = server.url
    mkdirSync(configDir, {recursive: true})
    writeFileSync(
      join(configDir, '15-main.yml'),
      debianYaml('15', 'main', server.port, '  authentication:\n    username: patroni\n    password: op-secret-pw\n'),
    )
    return server
  }
  const cli = (...args: string[]) => runCli([...args, '--config-dir', configDir], {env})

  it('keeps polling after 503 "Switchover status unknown" and succeeds when the candidate leads', async () => {
    let sentAt = 0
    const s = await fake(
      {'POST /switchover': () => ((sentAt = Date.now()), {body: 'Switchover status unknown', status: 503})},
      () => sentAt > 0 && Date.now() - sentAt > 1500,
    )
    const result = await cli('switchover', '15/main', '--candidate', 'node2', '--force')
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('Switchover status unknown')
    expect(result.stdout).toMatch(/\| node2 +\| 127\.0\.0\.1:55433 \| Leader +\| running \|  2 \|/)
    const post = s.requests.find((r) => r.method === 'POST')!
    expect(JSON.parse(post.body)).toEqual({candidate: 'node2', leader: 'node1'})
    expect(post.headers.authorization).toBe(`Basic ${Buffer.from('patroni:op-secret-pw').toString('base64')}`)
  })

  it('shows a 412 as Patroni words it, exit 1', async () => {
    await fake({'POST /switchover': {body: 'candidate name does not match with sync_standby', status: 412}})
    const result = await cli('switchover', '15/main', '--candidate', 'node2', '--force')
    expect(result.code).toBe(1)
    expect(result.stderr).toBe(
      'Error: switchover refused by Patroni: 412 candidate name does not match with sync_standby\n',
    )
  })

  it('returns at once from a scheduled switchover and says when', async () => {
    const s = await fake({'POST /switchover': {body: 'Switchover scheduled', status: 202}})
    const result = await cli(
      'switchover',
      '15/main',
      '--candidate',
      'node3',
      '--scheduled',
      '2099-01-01T03:00+00:00',
      '--force',
    )
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(/Switchover scheduled: switchover of 15-main at 2099-01-01T\d\d:00:00[+-]\d\d:\d\d$/m)
    expect(JSON.parse(s.requests.find((r) => r.method === 'POST')!.body).scheduled_at).toMatch(/^2099-01-01T/)
  })

  it('stops a rolling restart at a 409 and names what was not restarted, exit 1', async () => {
    const s = await fake({'POST /restart': {body: 'Another restart is already scheduled', status: 409}})
    const result = await cli('restart', '15/main', '--force')
    expect(result.code).toBe(1)
    expect(result.stdout).toMatch(
      /^node2: failed \(409 Another restart is already scheduled\)\nnode3: not started \(stopped after node2\)\nnode1: not started \(stopped after node2\)$/m,
    )
    expect(s.requests.filter((r) => r.method === 'POST')).toHaveLength(1)
  })

  it('reports unmet --pg-version conditions as skipped, exit 0', async () => {
    const s = await fake({'POST /restart': {body: 'restart conditions are not satisfied', status: 503}})
    const result = await cli('restart', '15/main', 'node3', '--pg-version', '15.1', '--force')
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(/^node3: skipped \(restart conditions are not satisfied\)$/m)
    expect(JSON.parse(s.requests.find((r) => r.method === 'POST')!.body)).toEqual({postgres_version: '15.1'})
  })

  it('--dry-run prints requests without credentials and sends nothing', async () => {
    const s = await fake({})
    const result = await cli('restart', '15/main', '--role', 'replica', '--timeout', '30', '--dry-run', '--debug')
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(/^node2: POST http:\/\/127\.0\.0\.1:\d+\/restart \{"timeout":"30"\}$/m)
    expect(result.stdout + result.stderr).not.toMatch(/op-secret-pw|cGF0cm9uaTpvcC1zZWNyZXQtcHc/)
    expect(s.requests.filter((r) => r.method !== 'GET')).toEqual([])
  })

  it('refuses bad input with exit 2 before any request', async () => {
    const s = await fake({})
    expect((await cli('restart', '15/main', '--pg-version', 'x; rm', '--force')).code).toBe(2)
    expect((await cli('switchover', '15/main', '--scheduled', 'tomorrow', '--force')).code).toBe(2)
    expect((await cli('restart', '15/../etc', '--force')).code).toBe(2)
    expect(s.requests.filter((r) => r.method !== 'GET')).toEqual([])
  })

  it('edit-config: a 409 from Patroni (its DCS write failed) says why: a stalled DCS (exit 4, may still apply) or another change (exit 1)', async () => {
    // nobody else changed it: the DCS did not take the write in time (stalled, no quorum)
    await fake({
      'GET /config': {body: '{"ttl": 30, "loop_wait": 10}'},
      'PATCH /config': {body: 'Conflict', status: 409},
    })
    const stalled = await cli('edit-config', '15/main', '--set', 'ttl=25', '--force')
    expect(stalled.code).toBe(4)
    expect(stalled.stderr).toBe(
      'Error: the change of 15-main not confirmed: the DCS did not take it in time (Patroni: 409 Conflict) and nobody else changed the configuration; the DCS may be stalled, and the change may still be applied when it recovers: check with pgpatronictl show-config before repeating it\n',
    )
    // someone else did: the configuration read back differs
    let patched = false
    await fake({
      'GET /config': () => ({body: patched ? '{"ttl": 40, "loop_wait": 10}' : '{"ttl": 30, "loop_wait": 10}'}),
      'PATCH /config': () => ((patched = true), {body: 'Conflict', status: 409}),
    })
    const raced = await cli('edit-config', '15/main', '--set', 'ttl=25', '--force')
    expect(raced.code).toBe(1)
    expect(raced.stderr).toBe(
      'Error: the configuration of 15-main was changed by someone else meanwhile; nothing applied: run edit-config again\n',
    )
  })

  it("edit-config takes patronictl's -p NAME=VALUE and -q (no diff)", async () => {
    let config = '{"ttl": 30, "postgresql": {"parameters": {"max_connections": 100}}}'
    const fakeServer = await fake({
      'GET /config': () => ({body: config}),
      'PATCH /config': () => (
        (config = '{"ttl": 30, "postgresql": {"parameters": {"max_connections": 200}}}'),
        {body: config}
      ),
    })
    const loud = await cli('edit-config', '15/main', '-p', 'max_connections=200', '--dry-run')
    expect(loud.stdout).toMatch(/^-\s+max_connections: 100$/m)
    const quiet = await cli('edit-config', '15/main', '-q', '-p', 'max_connections=200', '--force')
    expect(quiet).toMatchObject({code: 0, stdout: 'configuration of 15-main changed\n'})
    const patch = fakeServer.requests.find((r) => r.method === 'PATCH')!
    expect(JSON.parse(patch.body)).toEqual({postgresql: {parameters: {max_connections: 200}}})
  })

  it('edit-config: a /config answer that is not an object is malformed: exit 1, nothing sent', async () => {
    const fakeServer = await fake({'GET /config': {body: '[]'}})
    const result = await cli('edit-config', '15/main', '--set', 'ttl=25', '--force')
    expect(result.stderr).toMatch(
      /^Error: 15\/main: 127\.0\.0\.1:\d+: malformed answer to GET \/config \(not a JSON object\)\n$/,
    )
    expect(result.code).toBe(1)
    expect(fakeServer.requests.filter((r) => r.method !== 'GET')).toEqual([])
  })

  it('a switchover whose connection breaks off after sending is checked, not given up on', async () => {
    let promoted = false
    const fakeServer = await fake(
      {
        'POST /switchover': () => {
          promoted = true // carried out, but the answer never arrives whole
          return {body: 'x', status: 200, truncate: true}
        },
      },
      () => promoted,
    )
    const result = await cli('switchover', '15/main', '--candidate', 'node2', '--force')
    expect(result.stdout).toMatch(/node2/)
    expect(result.code).toBe(0)
    expect(fakeServer.requests.filter((r) => r.method === 'POST')).toHaveLength(1)
  })

  it('a switchover Patroni carried out to another member ends at once: exit 1, naming who leads, with the topology', async () => {
    let sent = false
    await fake(
      {'POST /switchover': () => ((sent = true), {body: 'Switched over to "node3" instead of "node2"'})},
      () => sent,
      'node3',
    )
    const result = await cli('switchover', '15/main', '--candidate', 'node2', '--force')
    expect(result.code).toBe(1)
    expect(result.stderr).toBe(
      'Error: Patroni switched over to node3 instead of node2 (Patroni said: Switched over to "node3" instead of "node2")\n',
    )
    expect(result.stdout).toMatch(/\| node3 +\| 127\.0\.0\.1:55434 \| Leader +\| running \|  2 \|/)
    expect(result.ms).toBeLessThan(10_000)
  })

  it('a member still running as primary beside the new leader fails the switchover (exit 1) and says so', async () => {
    let sent = false
    const s = await fake(
      {
        'POST /switchover': () => ((sent = true), {body: 'Successfully switched over to "node2"'}),
        'GET /patroni': () => ({body: patroniStatus('15-main', {role: 'master'})}),
      },
      () => sent,
    )
    const result = await cli('switchover', '15/main', '--candidate', 'node2', '--force')
    expect(result.stdout).toMatch(
      /^Error: node1 still runs as primary beside the new leader node2: two members take writes; stop Patroni on node1 \(or its PostgreSQL\) now$/m,
    )
    expect(result.code).toBe(1)
    expect(s.requests.filter((r) => r.method === 'POST')).toHaveLength(1)
  })

  it('pause: a 409 with the configuration unchanged is a DCS that did not take it in time (exit 4); already paused meanwhile is fine', async () => {
    await fake({'GET /config': {body: '{"ttl": 30}'}, 'PATCH /config': {body: 'Conflict', status: 409}})
    const stalled = await cli('pause', '15/main', '--force')
    expect(stalled.stderr).toBe(
      'Error: pause of 15-main not confirmed: the DCS did not take it in time (Patroni: 409 Conflict) and nobody else changed the configuration; the DCS may be stalled, and the change may still be applied when it recovers: check with pgpatronictl show-config before repeating it\n',
    )
    expect(stalled.code).toBe(4)
    await fake({'GET /config': {body: '{"ttl": 30, "pause": true}'}, 'PATCH /config': {body: 'Conflict', status: 409}})
    const raced = await cli('pause', '15/main', '--force')
    expect(raced).toMatchObject({code: 0, stdout: 'cluster management of 15-main is paused\n'})
  })

  it('resume takes the same instance and flags as pause and sends {"pause": null}', async () => {
    const s = await fake({
      'GET /cluster': () => ({body: JSON.stringify({...JSON.parse(clusterJson(s.url, 'node1', 1)), pause: true})}),
      'PATCH /config': {body: '{"ttl": 30}'},
    })
    const result = await cli('resume', '15/main', '--force')
    expect(result).toMatchObject({code: 0, stderr: '', stdout: 'cluster management of 15-main is resumed\n'})
    expect(s.requests.filter((r) => r.method === 'PATCH').map((r) => r.body)).toEqual(['{"pause":null}'])
  })

  it('Ctrl-C after the request went out says what was sent and that it may still happen (exit 5)', async () => {
    await fake({'POST /switchover': {body: 'Successfully switched over to "node2"', delayMs: 20_000}})
    const run = startCli(['switchover', '15/main', '--candidate', 'node2', '--force', '--config-dir', configDir], {env})
    await outputShows(run, (out) => out.stdout.includes('switchover: sent to'))
    run.child.kill('SIGINT')
    const result = await run.done
    expect(result.code).toBe(5)
    expect(result.stderr).toMatch(
      /^\ninterrupted \(SIGINT\); what this run sent:\n {2}outcome unknown, may still happen: POST \/switchover \{"leader":"node1","candidate":"node2"\} to 127\.0\.0\.1:\d+\n$/,
    )
  })

  it('Ctrl-C before anything was sent says nothing changed (exit 5)', async () => {
    await fake({'GET /config': {body: '{"loop_wait": 1}', delayMs: 20_000}})
    const run = startCli(['switchover', '15/main', '--candidate', 'node2', '--force', '--config-dir', configDir], {env})
    await outputShows(run, (out) => out.stdout.includes('Current cluster topology'))
    run.child.kill('SIGTERM')
    const result = await run.done
    expect(result.code).toBe(5)
    expect(result.stderr).toBe('\ninterrupted (SIGTERM) before anything was sent: nothing was changed\n')
  })

  it("pause and reload map 401 and 503 to exit 1 with Patroni's words, per member", async () => {
    await fake({
      'PATCH /config': {body: 'not authenticated', status: 401},
      'POST /reload': {body: 'reload failed', status: 503},
    })
    const pause = await cli('pause', '15/main', '--force')
    expect(pause.code).toBe(1)
    expect(pause.stderr).toMatch(/^Error: 15\/main: 127\.0\.0\.1:\d+: 401 not authenticated\n$/)
    const reload = await cli('reload', '15/main', 'node2', '--force')
    expect(reload.code).toBe(1)
    expect(reload.stdout).toMatch(/^node2: failed: 503 reload failed$/m)
  })
})
