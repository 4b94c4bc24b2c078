import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {runCli} from '../helpers/cli.js'
import {
  type FakeServer,
  fixture,
  freePort,
  patroniStatus,
  startBlackHole,
  startFakePatroni,
} from '../helpers/fake-patroni.js'
import {HostTree, NO_DCS, TEST_NAMESPACE, debianYaml} from '../helpers/host-tree.js'
import {PrivateEtcd, patroniKeys} from '../helpers/private-etcd.js'
import {announceSkip} from '../helpers/test-cluster.js'

const DCS_PASSWORD = 'dcs-root-pw-4711'
const unavailable = PrivateEtcd.unavailableReason()
announceSkip('list from a real private etcd', unavailable)

// The built CLI, this host's REST API dead, against a real etcd 3.4 (its own, on free ports,
// with authentication on) holding the keys Patroni writes: the DCS fallback end to end.
describe.skipIf(unavailable)('list when no REST API answers: the DCS (real private etcd)', () => {
  const tree = new HostTree()
  const configDir = tree.paths.configDir
  const env = {PG_CLUSTER_CONF_ROOT: tree.paths.pg.confRoot, XDG_CACHE_HOME: join(tree.root, 'cache')} // no member cache at first
  const servers: FakeServer[] = []
  let etcd: PrivateEtcd
  let hole: FakeServer
  let localRest: number
  let member: FakeServer

  const yml = (stem: string, etcdSection: string) => {
    const [version, cluster] = [stem.slice(0, 2), stem.slice(3)]
    const text = debianYaml(version, cluster, localRest)
      .replace(`etcd3:\n  hosts: ${NO_DCS}\n`, etcdSection)
      .replace(`  connect_address: 127.0.0.1:${localRest - 2576}`, '  connect_address: 127.0.0.1:55432')
    tree.patroniConfig(stem, text)
    tree.pgCluster(version, cluster, 55432) // bootstrapped: a pg-common cluster (down) with a Patroni config
  }

  beforeAll(async () => {
    etcd = await PrivateEtcd.start()
    hole = await startBlackHole()
    member = await startFakePatroni({
      'GET /cluster': {body: fixture('cluster-3.0.2.json')},
      'GET /patroni': {body: patroniStatus('15-viarest', {systemId: '7712075003020920185'})},
    })
    servers.push(hole, member)
    localRest = await freePort()
    // 15-main: node1 (this host) stopped gracefully, so its key is gone; node2 and node3 run but their REST APIs are down too
    const main = patroniKeys(
      `${TEST_NAMESPACE}15-main/`,
      [
        {name: 'node2', pgPort: 55433, restPort: await freePort(), timeline: 4, xlog: 67603552},
        {name: 'node3', pgPort: 55434, restPort: await freePort(), timeline: 4, xlog: 67603272},
      ],
      'node2',
    )
    // 15-viarest: a member named in the DCS answers GET /cluster
    const viaRest = patroniKeys(
      `${TEST_NAMESPACE}15-viarest/`,
      [{name: 'node2', pgPort: 55433, restPort: member.port, timeline: 1}],
      'node2',
    )
    for (const [key, value] of Object.entries({...main, ...viaRest})) etcd.put(key, value)
    etcd.enableAuth(DCS_PASSWORD)
    // the black hole first: all hosts are asked at once, the first answer wins
    const hosts = `127.0.0.1:${hole.port},127.0.0.1:${etcd.port}`
    yml('15-main', `etcd3:\n  hosts: ${hosts}\n  username: root\n  password: ${DCS_PASSWORD}\n`)
    yml('15-viarest', `etcd3:\n  hosts:\n  - 127.0.0.1:${etcd.port}\n  username: root\n  password: ${DCS_PASSWORD}\n`)
    yml('15-wrongpw', `etcd3:\n  url: http://root:not-the-pw@127.0.0.1:${etcd.port}\n`)
  })
  afterAll(async () => {
    await etcd?.stop()
    await Promise.all(servers.map((s) => s.close()))
    tree.remove()
  })

  const list = (...args: string[]) => runCli(['list', '--config-dir', configDir, ...args], {env})
  const noSecrets = (text: string) => {
    expect(text).not.toContain(DCS_PASSWORD)
    expect(text).not.toContain('not-the-pw')
    expect(text).not.toMatch(/authorization|token/i)
  }

  it("shows the members from the DCS, this host's member unreachable, and says where the data came from", async () => {
    const result = await list('15/main', '--timeout', '3')
    expect(result.code).toBe(0)
    expect(result.stdout).toBe(
      [
        '+ Cluster: 15-main (7712075003020920185) ----------+----+-----------+',
        '| Member | Host            | Role    | State       | TL | Lag in MB |',
        '+--------+-----------------+---------+-------------+----+-----------+',
        '| node1  | 127.0.0.1:55432 |         | unreachable |    |           |',
        '| node2  | 127.0.0.1:55433 | Leader  | running     |  4 |           |',
        '| node3  | 127.0.0.1:55434 | Replica | running     |  4 |         0 |',
        '+--------+-----------------+---------+-------------+----+-----------+',
        '',
      ].join('\n'),
    )
    expect(result.stderr).toBe(
      `Warning: 15/main: this host's REST API (127.0.0.1:${localRest}) did not answer (connection refused); data from the DCS (etcd3 127.0.0.1:${etcd.port})\n`,
    )
    expect(result.ms).toBeLessThan(3000) // the black-holed etcd host did not hold it up
  })

  it('gives the same rows as JSON, and never prints the DCS password or token, not even with --debug', async () => {
    const result = await list('15/main', '-f', 'json', '--debug')
    expect(result.code).toBe(0)
    expect(JSON.parse(result.stdout)).toEqual([
      {Cluster: '15-main', Host: '127.0.0.1:55432', Member: 'node1', Role: '', State: 'unreachable'},
      {Cluster: '15-main', Host: '127.0.0.1:55433', Member: 'node2', Role: 'Leader', State: 'running', TL: 4},
      {
        'Lag in MB': 0,
        Cluster: '15-main',
        Host: '127.0.0.1:55434',
        Member: 'node3',
        Role: 'Replica',
        State: 'running',
        TL: 4,
      },
    ])
    expect(result.stderr).toMatch(
      new RegExp(`debug: POST http://127\\.0\\.0\\.1:${etcd.port}/v3/auth/authenticate -> 200`),
    )
    expect(result.stderr).toMatch(new RegExp(`debug: POST http://127\\.0\\.0\\.1:${etcd.port}/v3/kv/range -> 200`))
    noSecrets(result.stdout + result.stderr)
  })

  it('asks the members the DCS names, and uses the first that answers', async () => {
    const result = await list('15/viarest', '-f', 'json')
    expect(result.code).toBe(0)
    expect(JSON.parse(result.stdout).map((r: {Member: string}) => r.Member)).toEqual(['node1', 'node2', 'node3'])
    expect(result.stderr).toBe(
      `Warning: 15/viarest: this host's REST API (127.0.0.1:${localRest}) did not answer (connection refused); data from 127.0.0.1:${member.port}\n`,
    )
  })

  it('fails as before (exit 4) when the DCS refuses the credentials, naming neither', async () => {
    const result = await list('15/wrongpw')
    expect(result.code).toBe(4)
    expect(result.stderr).toMatch(
      new RegExp(
        `^Error: 15/wrongpw: 127\\.0\\.0\\.1:${localRest}: connection refused; DCS etcd3 127\\.0\\.0\\.1:${etcd.port}: \\d+ .*authentication failed.*\\n$`,
      ),
    )
    noSecrets(result.stdout + result.stderr)
  })

  it('fills the host-wide list from the DCS: exit 0, the note says so', async () => {
    const result = await list('-f', 'json', '--timeout', '3', '--debug')
    const rows = JSON.parse(result.stdout) as Record<string, unknown>[]
    expect(rows.find((r) => r.instance === '15/main')).toMatchObject({
      error: `this host's REST API did not answer (connection refused); data from the DCS (etcd3 127.0.0.1:${etcd.port})`,
      leader: 'node2',
      member: 'node1',
      members_running: 2,
      members_total: 3,
      role: '',
      state: 'unreachable',
    })
    expect(rows.find((r) => r.instance === '15/wrongpw')).toMatchObject({state: 'unreachable'})
    expect(result.code).toBe(4) // 15/wrongpw cannot be read at all
    noSecrets(result.stdout + result.stderr)
    const pretty = await list('--timeout', '3')
    expect(pretty.stdout).toMatch(
      /^15 +main +55432 down +patroni +15-main +127\.0\.0\.1:\d+ +node1 +- +unreachable +- node2 +2\/3 +0$/m,
    )
  })
})
