import {mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'

import {outputShows, runCli, startCli} from '../helpers/cli.js'
import {type FakeServer, clusterBody, patroniStatus, startFakePatroni} from '../helpers/fake-patroni.js'
import {fakeHost} from '../helpers/fake-host.js'
import {debianYaml} from '../helpers/host-tree.js'

// patronictl's forms: version CLUSTER MEMBER..., topology with several clusters and -W/-w, -f yml, --group refused.
describe('patronictl forms of version, topology, -f yml and --group', () => {
  const {configDir, env, servers} = fakeHost('pgpt-compat-')

  /** One fake per instance, playing all three members (their api_urls all point at it). */
  async function fake(cluster: string): Promise<FakeServer> {
    let url = ''
    const server = await startFakePatroni({
      'GET /cluster': () => ({body: clusterBody([url, url, url])}),
      'GET /config': {body: '{"ttl": 30}'},
      'GET /history': {body: '[]'},
      'GET /patroni': {body: patroniStatus(`15-${cluster}`, {server_version: 150018})},
    })
    url = server.url
    servers.push(server)
    mkdirSync(configDir, {recursive: true})
    writeFileSync(join(configDir, `15-${cluster}.yml`), debianYaml('15', cluster, server.port))
    return server
  }
  const cli = (...args: string[]) => runCli([...args, '--config-dir', configDir], {env})

  it('version INSTANCE MEMBER...: only those members; unknown names warned, none known is exit 1', async () => {
    const server = await fake('main')
    const some = await cli('version', '15/main', 'node3', 'node1', 'node9')
    expect(some.code).toBe(0)
    expect(some.stdout).toMatch(
      /^pgpatronictl version \S+\n\nnode1: Patroni 3\.0\.2 PostgreSQL 15\.18\nnode3: Patroni 3\.0\.2 PostgreSQL 15\.18\n$/,
    )
    expect(some.stderr).toBe('Warning: not a member of 15-main: node9\n')
    // patronictl's form with -c: the cluster first, then its members
    const byFile = await runCli(['version', '-c', join(configDir, '15-main.yml'), '15-main', 'node2'], {env})
    expect(byFile.stdout).toMatch(/\n\nnode2: Patroni 3\.0\.2 PostgreSQL 15\.18\n$/)
    const none = await cli('version', '15/main', 'node9')
    expect(none).toMatchObject({code: 1, stderr: 'Error: node9: no such member of 15-main\n'})
    expect(server.requests.length).toBeGreaterThan(0)
  })

  it('topology of several instances, one table each; one that fails is reported, the others shown', async () => {
    await fake('main')
    await fake('other')
    const both = await cli('topology', '15/main', '15/other')
    expect(both).toMatchObject({code: 0, stderr: ''})
    expect(both.stdout.match(/^\+ Cluster: 15-(main|other) /gm)).toEqual([
      '+ Cluster: 15-main ',
      '+ Cluster: 15-other ',
    ])
    expect(both.stdout).toContain('| + node2 |')
    writeFileSync(join(configDir, '15-down.yml'), debianYaml('15', 'down', 1))
    const partly = await cli('topology', '15/main', '15/down', '--timeout', '1')
    expect(partly.code).toBe(4)
    expect(partly.stdout).toMatch(/^\+ Cluster: 15-main /)
    expect(partly.stderr).toMatch(/^Error: 15\/down: /)
  })

  it('topology -w SECONDS redraws until Ctrl-C, which ends it normally', async () => {
    await fake('main')
    const watch = startCli(['topology', '15/main', '-w', '0.2', '--config-dir', configDir], {env})
    await outputShows(watch, (out) => (out.stdout.match(/\+ Cluster: 15-main/g) ?? []).length >= 2)
    watch.child.kill('SIGINT') // our own child, by its handle
    expect((await watch.done).code).toBe(0)
  })

  it('-f yml is yaml for list, history and show-config; --group is refused with one line', async () => {
    await fake('main')
    const yml = await cli('list', '15/main', '-f', 'yml')
    expect(yml.stdout).toBe((await cli('list', '15/main', '-f', 'yaml')).stdout)
    expect(yml.stdout).toMatch(/^- Cluster: 15-main\n {2}Member: node1\n/)
    expect((await cli('history', '15/main', '-f', 'yml')).stdout).toBe('[]\n')
    expect((await cli('show-config', '15/main', '-f', 'yml')).stdout).toBe('ttl: 30\n')
    for (const command of ['list', 'topology', 'history', 'show-config', 'dsn', 'version', 'reload', 'flush']) {
      const result = await cli(command, '15/main', '--group', '1')
      expect(result, command).toMatchObject({code: 2, stderr: 'Error: --group: Citus groups are not supported\n'})
    }
  })
})
