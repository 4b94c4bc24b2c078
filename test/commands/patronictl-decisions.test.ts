import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, afterEach, describe, expect, it} from 'vitest'

import {runCli} from '../helpers/cli.js'
import {Terminal} from '../helpers/terminal.js'
import {
  type FakeAnswer,
  type FakeServer,
  type RecordedRequest,
  clusterBody,
  patroniStatus,
  startFakePatroni,
} from '../helpers/fake-patroni.js'
import {debianYaml} from '../helpers/host-tree.js'

type Routes = Record<string, FakeAnswer | ((req: RecordedRequest) => FakeAnswer)>

// The decisions patronictl leaves to Patroni or makes itself (issue #16, section 4), each member
// its own fake so that what each one was sent can be told apart.
describe('the same decisions as patronictl (three fake members)', () => {
  const root = mkdtempSync(join(tmpdir(), 'pgpt-decisions-'))
  const configDir = join(root, 'patroni')
  const env = {PG_CLUSTER_CONF_ROOT: join(root, 'postgresql')}
  let members: FakeServer[] = []
  afterEach(async () => {
    await Promise.all(members.map((m) => m.close()))
    members = []
  })
  afterAll(() => {
    Terminal.closeAll()
    rmSync(root, {force: true, recursive: true})
  })

  /** node1 leads; `cluster` edits each member of GET /cluster; `routes[i]` are node(i+1)'s own answers. */
  async function start(
    routes: Routes[] = [],
    cluster: (m: Record<string, unknown>) => void = () => {},
    top: Record<string, unknown> = {},
  ) {
    let urls: string[] = []
    const body = () => {
      const raw = {...JSON.parse(clusterBody(urls)), ...top}
      for (const m of raw.members) cluster(m)
      return JSON.stringify(raw)
    }
    members = await Promise.all(
      [0, 1, 2].map((i) =>
        startFakePatroni({
          'GET /cluster': () => ({body: body()}),
          'GET /config': {body: '{"loop_wait": 1}'},
          'GET /patroni': {body: patroniStatus('15-main', {role: i === 0 ? 'master' : 'replica'})},
          ...routes[i],
        }),
      ),
    )
    urls = members.map((m) => m.url)
    mkdirSync(configDir, {recursive: true})
    writeFileSync(join(configDir, '15-main.yml'), debianYaml('15', 'main', members[0]!.port))
  }
  const cli = (args: string[], extraEnv: NodeJS.ProcessEnv = {}) =>
    runCli([...args, '--config-dir', configDir], {env: {...env, ...extraEnv}})
  /** What each member was sent that changes something: "METHOD /path body". */
  const sent = () =>
    members.map((m) => m.requests.filter((r) => r.method !== 'GET').map((r) => `${r.method} ${r.path} ${r.body}`))

  it('pause and resume ask nothing, even without a terminal and without --force (as patronictl)', async () => {
    await start([{'PATCH /config': {body: '{"pause": true}'}}])
    const paused = await cli(['pause', '15/main'])
    expect(paused).toMatchObject({code: 0, stderr: '', stdout: 'cluster management of 15-main is paused\n'})
    expect(sent()[0]).toEqual(['PATCH /config {"pause":true}'])
    expect((await cli(['pause', '15/main', '--force'])).code).toBe(0) // still accepted
    expect(sent()[0]).toHaveLength(2)
  })

  it('resume without --force sends {"pause": null}', async () => {
    await start([{'PATCH /config': {body: '{}'}}], () => {}, {pause: true})
    const resumed = await cli(['resume', '15/main'])
    expect(resumed).toMatchObject({code: 0, stdout: 'cluster management of 15-main is resumed\n'})
    expect(sent()[0]).toEqual(['PATCH /config {"pause":null}'])
  })

  it('reinit --force sends {"force": true}, which cancels a running action, as patronictl', async () => {
    await start([{}, {}, {'POST /reinitialize': {body: 'reinitialize started'}}])
    const result = await cli(['reinit', '15/main', 'node3', '--force'])
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(/^node3: reinitialize started$/m)
    expect(sent()).toEqual([[], [], ['POST /reinitialize {"force":true}']])
    const dry = await cli(['reinit', '15/main', 'node3', '--dry-run'])
    expect(dry.stdout).toMatch(/^node3: POST http:\/\/127\.0\.0\.1:\d+\/reinitialize \{"force":false\}$/m)
    expect((await cli(['reinit', '15/main', 'node3'])).code).toBe(2) // no terminal, no --force: refused
    expect(sent()[2]).toHaveLength(1)
  })

  it('restart --pending sends restart_pending to every member, whatever the snapshot says: Patroni decides', async () => {
    const conditions = {body: 'restart conditions are not satisfied', status: 503}
    // no member pending in the DCS yet (the HA loops have not written it): nothing is filtered out
    await start([
      {'POST /restart': {body: 'restarted successfully'}},
      {'POST /restart': conditions},
      {'POST /restart': {body: 'restarted successfully'}},
    ])
    const result = await cli(['restart', '15/main', '--pending', '--force'])
    const outcomes = result.stdout.split('\n').filter((line) => /^node\d: (?!restarting)/.test(line))
    expect(outcomes).toEqual([
      'node2: skipped (restart conditions are not satisfied)',
      expect.stringMatching(/^node3: restarted \(running again after/),
      expect.stringMatching(/^node1: restarted \(running again after/),
    ])
    expect(result.code).toBe(0)
    expect(sent()).toEqual([
      ['POST /restart {"restart_pending":true}'],
      ['POST /restart {"restart_pending":true}'],
      ['POST /restart {"restart_pending":true}'],
    ])
  })

  it('restart --pending --scheduled schedules on every member, with restart_pending', async () => {
    const scheduled = {body: 'Restart scheduled', status: 202}
    await start([{'POST /restart': scheduled}, {'POST /restart': scheduled}, {'POST /restart': scheduled}])
    const result = await cli(['restart', '15/main', '--pending', '--scheduled', '2099-01-01T03:00Z', '--force'])
    expect(result.code).toBe(0)
    expect(result.stdout.match(/^node\d: scheduled \(Restart scheduled\)$/gm)).toHaveLength(3)
    for (const requests of sent()) {
      expect(requests).toHaveLength(1)
      expect(JSON.parse(requests[0]!.replace(/^POST \/restart /, ''))).toEqual({
        restart_pending: true,
        schedule: expect.stringMatching(/^2099-01-01T\d\d:00:00[+-]\d\d:\d\d$/),
      })
    }
  })

  it('restart --scheduled --force over a scheduled restart deletes it first, as patronictl', async () => {
    let deleted = false
    const replaceable: Routes = {
      'DELETE /restart': () => ((deleted = true), {body: 'scheduled restart deleted'}),
      'POST /restart': () =>
        deleted
          ? {body: 'Restart scheduled', status: 202}
          : {body: 'Another restart is already scheduled', status: 409},
    }
    // node2's schedule is in the snapshot; node3's is not yet (only its 409 tells)
    let node3Deleted = false
    const node3: Routes = {
      'DELETE /restart': () => ((node3Deleted = true), {body: 'scheduled restart deleted'}),
      'POST /restart': () =>
        node3Deleted
          ? {body: 'Restart scheduled', status: 202}
          : {body: 'Another restart is already scheduled', status: 409},
    }
    await start([{}, replaceable, node3], (m) => {
      if (m.name === 'node2') m.scheduled_restart = {schedule: '2098-01-01T00:00:00+00:00'}
    })
    const result = await cli(['restart', '15/main', 'node2', 'node3', '--scheduled', '2099-01-01 03:00', '--force'], {
      TZ: 'UTC',
    })
    expect(result.stdout).toMatch(/^node2: scheduled \(Restart scheduled\)\nnode3: scheduled \(Restart scheduled\)$/m)
    expect(result.code).toBe(0)
    const body = '{"schedule":"2099-01-01T03:00:00+00:00"}'
    expect(sent()).toEqual([
      [],
      ['DELETE /restart ', `POST /restart ${body}`],
      [`POST /restart ${body}`, 'DELETE /restart ', `POST /restart ${body}`],
    ])
    const dry = await cli(['restart', '15/main', 'node2', 'node3', '--scheduled', '2099-01-01 03:00', '--dry-run'], {
      TZ: 'UTC',
    })
    expect(dry.stdout.split('\n').filter((line) => /^node\d: /.test(line))).toEqual([
      `node2: DELETE ${members[1]!.url}/restart`,
      `node2: POST ${members[1]!.url}/restart ${body}`,
      `node3: POST ${members[2]!.url}/restart ${body}`,
    ])
    expect(sent().flat()).toHaveLength(5)
  })

  it('restart --scheduled without --force and without a terminal is refused (exit 2); a date alone is local midnight', async () => {
    // on a terminal the question names the schedule it replaces; here the --force-less run cannot ask
    await start([{}, {}, {'POST /restart': {body: 'Another restart is already scheduled', status: 409}}])
    expect((await cli(['restart', '15/main', 'node3', '--scheduled', '2099-01-01'])).code).toBe(2)
    expect(sent()[2]).toEqual([])
    const dry = await cli(['restart', '15/main', 'node3', '--scheduled', '2099-01-01', '--dry-run'], {
      TZ: 'Europe/Berlin',
    })
    // a date alone is local midnight, as patronictl reads it
    expect(dry.stdout).toMatch(/\/restart \{"schedule":"2099-01-01T00:00:00\+01:00"\}$/m)
  })

  it('restart --scheduled in a paused cluster is refused before anything is sent (exit 1), as patronictl', async () => {
    await start([], () => {}, {pause: true})
    const result = await cli(['restart', '15/main', '--scheduled', '2099-01-01', '--force'])
    expect(result).toMatchObject({code: 1, stderr: 'Error: cluster 15-main is paused: a restart cannot be scheduled\n'})
    expect(sent().flat()).toEqual([])
  })

  it('restart --any restarts a single member; -r takes patronictl values (standby, standby-leader)', async () => {
    const restarted = {'POST /restart': {body: 'restarted successfully'}}
    await start([restarted, restarted, restarted])
    const one = await cli(['restart', '15/main', '-r', 'standby', '--any', '--force'])
    expect(one.code).toBe(0)
    expect(one.stdout.match(/^node\d: restarted/gm)).toHaveLength(1)
    expect(sent()[0]).toEqual([]) // the leader is not a standby
    expect(sent().flat()).toEqual(['POST /restart {}'])
    const none = await cli(['restart', '15/main', '--role', 'standby-leader', '--force'])
    expect(none).toMatchObject({code: 0, stdout: expect.stringMatching(/^no member to restart$/m)})
    expect(sent().flat()).toHaveLength(1)
  })

  it('--any with --pending goes on to another member while Patroni skips', async () => {
    const conditions = {body: 'restart conditions are not satisfied', status: 503}
    const restarted = {'POST /restart': {body: 'restarted successfully'}}
    await start([{'POST /restart': conditions}, {'POST /restart': conditions}, restarted])
    const result = await cli(['restart', '15/main', '--any', '--pending', '--force'])
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(/^node3: restarted/m)
    expect(sent()[2]).toEqual(['POST /restart {"restart_pending":true}'])
    expect(result.stdout.match(/: restarted/g)).toHaveLength(1)
  })

  it('a failing member keeps the non-zero exit of a rolling restart', async () => {
    await start([{}, {'POST /restart': {body: 'restart failed', status: 500}}, {}])
    const result = await cli(['restart', '15/main', '--force'])
    expect(result.code).toBe(1)
    expect(result.stdout).toMatch(/^node2: failed \(500 restart failed\)$/m)
  })

  describe('on a terminal (tmux), as patronictl asks', () => {
    const term = (args: string[]) => Terminal.start([...args, '--config-dir', configDir], {...env, TZ: 'UTC'})

    it('restart --scheduled over a scheduled restart names it in the question; yes deletes it first', async () => {
      let deleted = false
      await start(
        [
          {},
          {},
          {
            'DELETE /restart': () => ((deleted = true), {body: 'scheduled restart deleted'}),
            'POST /restart': () =>
              deleted
                ? {body: 'Restart scheduled', status: 202}
                : {body: 'Another restart is already scheduled', status: 409},
          },
        ],
        (m) => {
          if (m.name === 'node3') m.scheduled_restart = {schedule: '2098-01-01T00:00:00+00:00'}
        },
      )
      const t = term(['restart', '15/main', 'node3', '--scheduled', '2099-01-01 03:00'])
      await t.waitFor(
        /Schedule a restart of node3 \(cluster 15-main\) at 2099-01-01T03:00:00\+00:00\? This replaces the restart already scheduled on node3 \(at\s+2098-01-01T00:00:00\+00:00\)/,
      )
      t.type('y').keys('Enter')
      expect(await t.exitCode()).toBe(0)
      expect(t.screen()).toMatch(/^node3: scheduled \(Restart scheduled\)$/m)
      expect(sent()[2]).toEqual(['DELETE /restart ', 'POST /restart {"schedule":"2099-01-01T03:00:00+00:00"}'])
    })

    it('reinit without --force sends {"force": false}; an action in progress is cancelled only after a yes', async () => {
      await start([
        {},
        {},
        {
          'POST /reinitialize': (req) =>
            JSON.parse(req.body).force
              ? {body: 'reinitialize started'}
              : {body: 'restart already in progress', status: 503},
        },
      ])
      const t = term(['reinit', '15/main', 'node3'])
      await t.waitFor(/Reinitialize node3\? This wipes/)
      t.type('y').keys('Enter')
      await t.waitFor(/node3: restart already in progress\. Cancel it and reinitialize anyway\?/)
      t.type('y').keys('Enter')
      expect(await t.exitCode()).toBe(0)
      expect(sent()[2]).toEqual(['POST /reinitialize {"force":false}', 'POST /reinitialize {"force":true}'])
    })
  })
})
