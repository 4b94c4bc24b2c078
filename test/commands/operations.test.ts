import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, afterEach, describe, expect, it} from 'vitest'

import {runCli} from '../helpers/cli.js'
import {type FakeAnswer, type FakeServer, type RecordedRequest, patroniStatus, startFakePatroni} from '../helpers/fake-patroni.js'
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

  /** A fake whose /cluster shows node2 leading once `promoted()` says so. */
  async function fake(routes: Record<string, FakeAnswer | ((req: RecordedRequest) => FakeAnswer)>, promoted = () => false) {
    let url = ''
    server = await startFakePatroni({
      'GET /cluster': () => ({body: promoted() ? clusterJson(url, 'node2', 2) : clusterJson(url, 'node1', 1)}),
      'GET /config': {body: '{"loop_wait": 1}'},
      'GET /patroni': {body: patroniStatus('15-main')},
      ...routes,
    })
    url = server.url
    mkdirSync(configDir, {recursive: true})
    writeFileSync(join(configDir, '15-main.yml'), debianYaml('15', 'main', server.port, '  authentication:\n    username: patroni\n    password: op-secret-pw\n'))
    return server
  }
  const cli = (...args: string[]) => runCli([...args, '--config-dir', configDir], {env})

  it('keeps polling after 503 "Switchover status unknown" and succeeds when the candidate leads', async () => {
    let sentAt = 0
    const s = await fake({'POST /switchover': () => ((sentAt = Date.now()), {body: 'Switchover status unknown', status: 503})}, () => sentAt > 0 && Date.now() - sentAt > 1500)
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
    expect(result.stderr).toBe('Error: switchover refused by Patroni: 412 candidate name does not match with sync_standby\n')
  })

  it('returns at once from a scheduled switchover and says when', async () => {
    const s = await fake({'POST /switchover': {body: 'Switchover scheduled', status: 202}})
    const result = await cli('switchover', '15/main', '--candidate', 'node3', '--scheduled', '2099-01-01T03:00+00:00', '--force')
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(/Switchover scheduled: switchover of 15-main at 2099-01-01T\d\d:00:00[+-]\d\d:\d\d$/m)
    expect(JSON.parse(s.requests.find((r) => r.method === 'POST')!.body).scheduled_at).toMatch(/^2099-01-01T/)
  })

  it('stops a rolling restart at a 409 and names what was not restarted, exit 1', async () => {
    const s = await fake({'POST /restart': {body: 'Another restart is already scheduled', status: 409}})
    const result = await cli('restart', '15/main', '--force')
    expect(result.code).toBe(1)
    expect(result.stdout).toMatch(/^node2: failed \(409 Another restart is already scheduled\)\nnode3: not started \(stopped after node2\)\nnode1: not started \(stopped after node2\)$/m)
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

  it('edit-config: a 409 from Patroni (DCS compare-and-set lost) applies nothing, exit 1', async () => {
    await fake({'GET /config': {body: '{"ttl": 30, "loop_wait": 10}'}, 'PATCH /config': {body: 'Config modification aborted', status: 409}})
    const result = await cli('edit-config', '15/main', '--set', 'ttl=25', '--force')
    expect(result.code).toBe(1)
    expect(result.stderr).toBe('Error: the configuration of 15-main was changed by someone else meanwhile; nothing applied: run edit-config again\n')
  })

  it('edit-config: a /config answer that is not an object is malformed: exit 1, nothing sent', async () => {
    const fakeServer = await fake({'GET /config': {body: '[]'}})
    const result = await cli('edit-config', '15/main', '--set', 'ttl=25', '--force')
    expect(result.stderr).toMatch(/^Error: 15\/main: 127\.0\.0\.1:\d+: malformed answer to GET \/config \(not a JSON object\)\n$/)
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

  it('pause and reload map 401 and 503 to exit 1 with Patroni\'s words, per member', async () => {
    await fake({'PATCH /config': {body: 'not authenticated', status: 401}, 'POST /reload': {body: 'reload failed', status: 503}})
    const pause = await cli('pause', '15/main', '--force')
    expect(pause.code).toBe(1)
    expect(pause.stderr).toMatch(/^Error: 15\/main: 127\.0\.0\.1:\d+: 401 not authenticated\n$/)
    const reload = await cli('reload', '15/main', 'node2', '--force')
    expect(reload.code).toBe(1)
    expect(reload.stdout).toMatch(/^node2: failed: 503 reload failed$/m)
  })
})
