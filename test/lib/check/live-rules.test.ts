import {join} from 'node:path'
import {afterAll, afterEach, beforeAll, beforeEach, describe, expect, it} from 'vitest'

import {auditLive} from '../../../src/lib/check/live-rules.js'
import type {HostInstance} from '../../../src/lib/instances/discovery.js'
import {MemberCache} from '../../../src/lib/rest/member-cache.js'
import {
  type FakeAnswer,
  type FakeServer,
  freePort,
  patroniStatus,
  startFakePatroni,
} from '../../helpers/fake-patroni.js'
import {HostTree, debianYaml} from '../../helpers/host-tree.js'

// Three fake members answering GET /cluster, /patroni and /config like Patroni 3.0.2.
describe('check: live checks (fake Patroni)', () => {
  const routes: Record<string, FakeAnswer>[] = [{}, {}, {}]
  let servers: FakeServer[]
  let tree: HostTree
  let options: {timeoutMs: number; cache: MemberCache; warn: () => void}
  const instance = (kind: HostInstance['kind'] = 'patroni'): HostInstance => ({cluster: 'main', kind, version: '15'})

  type MemberOverride = Partial<{
    role: string
    state: string
    timeline: number
    lag: number
    pending_restart: boolean
    api_url: string
  }>
  /** Sets what every fake answers: the DCS view (/cluster), each member's own view (/patroni). */
  function answer(
    cluster: {
      members?: MemberOverride[]
      pause?: boolean
      self?: {role?: string; timeline?: number}[]
      maximumLag?: number
    } = {},
  ) {
    const members = servers.map((server, i) => ({
      api_url: `${server.url}/patroni`,
      host: '127.0.0.1',
      name: `node${i + 1}`,
      port: 55432 + i,
      role: i === 0 ? 'leader' : 'replica',
      state: 'running',
      timeline: 4,
      ...(i === 0 ? {} : {lag: 0}),
      ...cluster.members?.[i],
    }))
    for (const [i, route] of routes.entries()) {
      route['GET /cluster'] = {body: JSON.stringify({members, ...(cluster.pause ? {pause: true} : {})})}
      route['GET /patroni'] = {
        body: patroniStatus('15-main', {
          role: i === 0 ? 'master' : 'replica',
          state: 'running',
          timeline: 4,
          ...cluster.self?.[i],
        }),
      }
      route['GET /config'] = {
        body: JSON.stringify({loop_wait: 5, maximum_lag_on_failover: cluster.maximumLag ?? 1_048_576, ttl: 20}),
      }
    }
  }
  const audit = async (kind?: HostInstance['kind'], port = servers[0]!.port) =>
    auditLive(instance(kind), tree.patroniConfig('15-main', debianYaml('15', 'main', port)), options)

  beforeAll(async () => {
    servers = await Promise.all(routes.map((r) => startFakePatroni(r)))
  })
  afterAll(async () => Promise.all(servers.map((s) => s.close())))
  beforeEach(() => {
    tree = new HostTree()
    options = {cache: new MemberCache(join(tree.root, 'cache')), timeoutMs: 1000, warn: () => {}}
    answer()
  })
  afterEach(() => tree.remove())

  it('finds nothing in a healthy cluster', async () => {
    expect(await audit()).toEqual([])
  })

  it('errors on a member that acts as primary beside the DCS leader (split brain)', async () => {
    answer({self: [{}, {role: 'master'}]})
    expect(await audit()).toEqual([
      {
        check: 'leader',
        fix: 'stop Patroni on node2 (systemctl stop patroni@15-main on its host) and check the DCS',
        instance: '15/main',
        key: 'GET /patroni',
        problem: 'member node2 says it is master but the DCS leader is node1: split brain',
        severity: 'error',
        where: `127.0.0.1:${servers[1]!.port}`,
      },
    ])
  })

  it('looks twice before reporting a disagreement: a leader change in progress settles', async () => {
    answer({self: [{role: 'replica'}, {role: 'master'}]}) // mid-switchover
    setTimeout(
      () =>
        answer({members: [{role: 'replica', lag: 0}, {role: 'leader'}], self: [{role: 'replica'}, {role: 'master'}]}),
      300,
    )
    expect(await audit()).toEqual([])
  })

  it('errors when there is no leader; warns on stopped members and split timelines', async () => {
    answer({members: [{role: 'replica', state: 'stopped'}, {timeline: 3}], self: [{role: 'replica'}, {timeline: 3}]})
    const found = await audit()
    expect(found.map((f) => [f.severity, f.check, f.problem])).toEqual([
      ['error', 'leader', 'the cluster has no leader'],
      ['warning', 'member-state', 'node1 is stopped'],
      ['warning', 'timeline', 'members are on different timelines: node2 TL 3, node3 TL 4'],
    ])
    expect(found[2]!.fix).toBe('if node2 stays behind, rewind or re-clone: pgpatronictl reinit 15/main node2')
  })

  it('warns on lag above maximum_lag_on_failover, pending restarts and a paused cluster', async () => {
    answer({maximumLag: 1_048_576, members: [{pending_restart: true}, {lag: 5 * 1_048_576}, {lag: 1000}], pause: true})
    expect((await audit()).map((f) => [f.severity, f.check, f.problem, f.fix])).toEqual([
      [
        'warning',
        'lag',
        'node2 is 5 MB behind, above maximum_lag_on_failover (1 MB): not a failover candidate',
        expect.any(String),
      ],
      [
        'warning',
        'pending-restart',
        'node1 must restart PostgreSQL to apply changed settings',
        'pgpatronictl restart 15/main --pending',
      ],
      [
        'warning',
        'paused',
        'the cluster is paused (maintenance mode): Patroni will not fail over',
        'pgpatronictl resume 15/main when maintenance is done',
      ],
    ])
  })

  it('warns on a member whose REST API does not answer', async () => {
    const dead = await freePort()
    answer({members: [{}, {}, {api_url: `http://127.0.0.1:${dead}/patroni`}]})
    expect(await audit()).toEqual([
      expect.objectContaining({
        check: 'member-reachable',
        problem: 'member node3 does not answer (connection refused)',
        severity: 'warning',
        where: `127.0.0.1:${dead}`,
      }),
    ])
  })

  it("reports this host's REST API not answering: an error for a Patroni cluster, an info before bootstrap", async () => {
    const dead = await freePort()
    expect(await audit('patroni', dead)).toEqual([
      {
        check: 'rest-reachable',
        fix: 'systemctl status patroni@15-main; journalctl -u patroni@15-main',
        instance: '15/main',
        key: 'GET /cluster',
        problem: expect.stringMatching(/^REST API unreachable: connection refused/),
        severity: 'error',
        where: `127.0.0.1:${dead}`,
      },
    ])
    expect(await audit('not_bootstrapped', dead)).toEqual([
      expect.objectContaining({
        fix: 'systemctl start patroni@15-main (it bootstraps, or clones from the leader)',
        problem: expect.stringMatching(
          /^Patroni is not running \(connection refused.*\); normal until it is first started$/,
        ),
        severity: 'info',
      }),
    ])
  })

  it('reports a REST address Patroni cannot use as a config error, also before bootstrap', async () => {
    const file = tree.patroniConfig('15-main', 'scope: 15-main\nrestapi:\n  listen: 127.0.0.1:99999\n')
    for (const kind of ['patroni', 'not_bootstrapped'] as const) {
      expect(await auditLive(instance(kind), file, options)).toEqual([
        {
          check: 'config-read',
          fix: 'fix the file: Patroni cannot start with it either',
          instance: '15/main',
          problem: `${file}: restapi.listen is not HOST:PORT (a name, an IPv4 address or [IPv6], and a port 1-65535)`,
          severity: 'error',
          where: file,
        },
      ])
    }
  })
})
