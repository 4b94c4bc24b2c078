import {mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'

import {runCli} from '../helpers/cli.js'
import {type FakeServer, patroniStatus, startFakePatroni} from '../helpers/fake-patroni.js'
import {fakeHost} from '../helpers/fake-host.js'
import {debianYaml} from '../helpers/host-tree.js'

// demote-cluster / promote-cluster: PATCH /config standby_cluster on the leader, then a wait for the role.
describe('demote-cluster and promote-cluster against a fake Patroni', () => {
  const {configDir, env, servers} = fakeHost('pgpt-role-')

  /** One member; its role is `role` until the PATCH, then `after` (none: it never changes). */
  async function fake(role: string, after?: string, patchStatus = 200) {
    let url = ''
    let current = role
    const server = await startFakePatroni({
      'GET /cluster': () => ({
        body: JSON.stringify({
          members: [
            {api_url: `${url}/patroni`, host: '127.0.0.1', name: 'node1', port: 5432, role: current, state: 'running'},
          ],
        }),
      }),
      'GET /patroni': {body: patroniStatus('15-main')},
      'PATCH /config': () => {
        if (after && patchStatus === 200) current = after
        return {body: patchStatus === 200 ? '{}' : 'no', status: patchStatus}
      },
    })
    url = server.url
    servers.push(server)
    mkdirSync(configDir, {recursive: true})
    writeFileSync(join(configDir, '15-main.yml'), debianYaml('15', 'main', server.port))
    return server
  }
  const cli = (...args: string[]) => runCli([...args, '--config-dir', configDir], {env})
  const patches = (server: FakeServer) =>
    server.requests.filter((r) => r.method === 'PATCH').map((r) => JSON.parse(r.body))

  it('demote-cluster sends the standby_cluster section and waits for the standby leader', async () => {
    const server = await fake('leader', 'standby_leader')
    const result = await cli('demote-cluster', '15/main', '--host', '10.0.0.9', '--port', '5433', '--force')
    expect(result).toMatchObject({code: 0, stderr: ''})
    expect(patches(server)).toEqual([{standby_cluster: {host: '10.0.0.9', port: 5433}}])
    expect(result.stdout).toMatch(/^Current cluster topology\n\+ Cluster: 15-main/)
    expect(result.stdout).toMatch(/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d cluster is successfully demoted\n/)
    expect(result.stdout).toContain('| Standby Leader |')
  })

  it('promote-cluster sends null; already in the role is nothing to do; --dry-run sends nothing', async () => {
    const server = await fake('standby_leader', 'leader')
    const dry = await cli('promote-cluster', '15/main', '--dry-run')
    expect(dry.stdout).toContain(`PATCH ${server.url}/config {"standby_cluster":null}`)
    expect(patches(server)).toEqual([])
    const promoted = await cli('promote-cluster', '15/main', '--force')
    expect(promoted).toMatchObject({code: 0, stderr: ''})
    expect(patches(server)).toEqual([{standby_cluster: null}])
    expect(promoted.stdout).toContain('cluster is successfully promoted')
    const again = await cli('promote-cluster', '15/main', '--force')
    expect(again).toMatchObject({code: 0, stdout: '15-main is already no standby cluster; nothing to do\n'})
  })

  it('refuses: no source (2), no terminal without --force (2), a refused PATCH (1), a role that never comes (4)', async () => {
    let server = await fake('leader')
    expect((await cli('demote-cluster', '15/main', '--force')).stderr).toBe(
      'Error: At least --host, --port or --restore-command should be specified\n',
    )
    const script = await cli('demote-cluster', '15/main', '--restore-command', 'cp /a/%f %p')
    expect(script).toMatchObject({code: 2, stderr: expect.stringContaining('run it on a terminal, or pass --force')})
    const slow = await cli(
      'demote-cluster',
      '15/main',
      '--restore-command',
      'cp /a/%f %p',
      '--force',
      '--wait-timeout',
      '2',
    )
    expect(slow.code).toBe(4)
    expect(slow.stdout).toContain('cluster is unlocked: false, leader role: leader, leader state: running')
    expect(slow.stderr).toMatch(/^Error: 15-main is not demoted after 2 s \(Patroni goes on\)/)
    expect(patches(server)).toEqual([{standby_cluster: {restore_command: 'cp /a/%f %p'}}])
    server = await fake('leader', 'standby_leader', 500)
    expect((await cli('demote-cluster', '15/main', '--host', 'h', '--force')).code).toBe(1)
    expect((await cli('promote-cluster', '15/main', '--group', '1')).code).toBe(2)
  })
})
