import {describe, expect, it} from 'vitest'

import {
  anySignal,
  clusterFromDcs,
  dcsPrefix,
  parseConsulKv,
  parseEtcd2Keys,
  parseEtcd3Range,
  parseMemberValue,
  prefixRangeEnd,
  readDcs,
} from '../../../src/lib/dcs/reader.js'
import {splitHostPort} from '../../../src/lib/config/addresses.js'
import {resolveDcs} from '../../../src/lib/config/dcs-settings.js'
import {normaliseCluster, withThisMember} from '../../../src/lib/rest/cluster.js'
import {startFakePatroni} from '../../helpers/fake-patroni.js'

const b64 = (s: string) => Buffer.from(s).toString('base64')
const PREFIX = '/postgresql-common/15-main/'

// Values as Patroni 3.0.2 wrote them into the live test cluster's etcd (after a graceful stop of node1)
const LIVE = new Map([
  ['config', '{"ttl":20,"loop_wait":5,"retry_timeout":5,"maximum_lag_on_failover":1048576,"check_timeline":true}'],
  ['failover', '{}'],
  ['initialize', '7712075003020920185'],
  ['leader', 'node2'],
  [
    'members/node1',
    '{"conn_url":"postgres://127.0.0.1:25432/postgres","api_url":"http://127.0.0.1:28008/patroni","state":"stopped","role":"demoted","version":"3.0.2"}',
  ],
  [
    'members/node2',
    '{"conn_url":"postgres://127.0.0.1:25433/postgres","api_url":"http://127.0.0.1:28009/patroni","state":"running","role":"master","version":"3.0.2","xlog_location":67603552,"timeline":16}',
  ],
  [
    'members/node3',
    '{"conn_url":"postgres://127.0.0.1:25434/postgres","api_url":"http://127.0.0.1:28010/patroni","state":"running","role":"replica","version":"3.0.2","xlog_location":67603272,"timeline":16}',
  ],
  ['status', '{"optime":67603552}'],
])

describe('DCS settings from the Patroni config', () => {
  const resolve = (doc: Record<string, unknown>, env: NodeJS.ProcessEnv = {}) => resolveDcs(doc, env)

  it('reads etcd3 hosts as a string, a list, host, or url', () => {
    expect(resolve({etcd3: {hosts: '127.0.0.1:2379, 10.0.0.2:2381,10.0.0.3'}}).dcs).toEqual({
      endpoints: ['http://127.0.0.1:2379', 'http://10.0.0.2:2381', 'http://10.0.0.3:2379'],
      kind: 'etcd3',
      tls: undefined,
    })
    expect(resolve({etcd3: {hosts: ['a:1', 'b:2'], protocol: 'https', cacert: '/ca.pem'}}).dcs).toMatchObject({
      endpoints: ['https://a:1', 'https://b:2'],
      tls: {caFile: '/ca.pem'},
    })
    expect(resolve({etcd3: {host: '10.0.0.1'}}).dcs?.endpoints).toEqual(['http://10.0.0.1:2379'])
    expect(resolve({etcd3: {host: '10.0.0.1:2000', port: 3000}}).dcs?.endpoints).toEqual(['http://10.0.0.1:3000'])
    expect(resolve({etcd3: {url: 'https://u:p%40ss@etcd.example:2400/'}}).dcs).toMatchObject({
      endpoints: ['https://etcd.example:2400'],
      password: 'p@ss',
      username: 'u',
    })
    expect(resolve({etcd3: {hosts: '[::1]:2379'}}).dcs?.endpoints).toEqual(['http://[::1]:2379'])
  })

  it('keeps credentials and TLS files, never in the endpoint', () => {
    const {dcs} = resolve({etcd3: {cert: '/c.pem', hosts: 'h:1', key: '/k.pem', password: 'pw', username: 'root'}})
    expect(dcs).toEqual({
      endpoints: ['http://h:1'],
      kind: 'etcd3',
      password: 'pw',
      tls: {caFile: undefined, certFile: '/c.pem', keyFile: '/k.pem'},
      username: 'root',
    })
    expect(resolve({etcd3: {hosts: 'h:1', username: 'root'}}).dcs).not.toHaveProperty('username') // both or none
  })

  it('takes PATRONI_<KIND>_* from the environment over the file', () => {
    const env = {
      PATRONI_ETCD3_HOSTS: "['e1:2379','e2:2379']",
      PATRONI_ETCD3_PASSWORD: 'env-pw',
      PATRONI_ETCD3_USERNAME: 'env',
    }
    expect(resolve({etcd3: {hosts: 'file:1'}}, env).dcs).toMatchObject({
      endpoints: ['http://e1:2379', 'http://e2:2379'],
      password: 'env-pw',
      username: 'env',
    })
    expect(resolve({}, {PATRONI_CONSUL_HOST: 'c:8501', PATRONI_CONSUL_TOKEN: 'tok'}).dcs).toEqual({
      endpoints: ['http://c:8501'],
      kind: 'consul',
      tls: undefined,
      token: 'tok',
    })
  })

  it("reads etcd (v2) and consul, in Patroni's order", () => {
    expect(resolve({etcd: {host: '127.0.0.1:4001'}}).dcs).toMatchObject({
      endpoints: ['http://127.0.0.1:4001'],
      kind: 'etcd',
    })
    expect(resolve({consul: {url: 'https://consul:8501'}, etcd3: {hosts: 'x:1'}}).dcs).toMatchObject({
      endpoints: ['https://consul:8501'],
      kind: 'consul',
    })
    expect(resolve({consul: {}}).dcs).toMatchObject({endpoints: ['http://127.0.0.1:8500']})
    expect(resolve({consul: {host: 'c', scheme: 'https', token: 't'}}).dcs).toMatchObject({
      endpoints: ['https://c:8500'],
      token: 't',
    })
  })

  it('says why it cannot read other kinds', () => {
    expect(resolve({zookeeper: {hosts: ['z:2181']}}).error).toBe(
      'reading the DCS is supported for etcd3, etcd and consul, not zookeeper',
    )
    expect(resolve({}).error).toMatch(/^no DCS section/)
    expect(resolve({etcd3: {srv: 'example.org'}}).error).toBe('etcd3: DNS SRV discovery is not supported for reading')
    expect(resolve({etcd3: {url: 'http://u:secret@[bad'}}).error).not.toContain('secret')
  })

  it('splits host:port like Patroni', () => {
    expect(splitHostPort('h', 1)).toEqual(['h', 1])
    expect(splitHostPort('h:2', 1)).toEqual(['h', 2])
    expect(splitHostPort('[fe80::1]:3', 1)).toEqual(['fe80::1', 3])
    expect(splitHostPort('[fe80::1]', 1)).toEqual(['fe80::1', 1])
  })
})

describe('DCS answers', () => {
  it("builds Patroni's base path and the etcd prefix range", () => {
    expect(dcsPrefix('/postgresql-common/', '15-main')).toBe(PREFIX)
    expect(dcsPrefix('postgresql-common', '15-main')).toBe(PREFIX)
    expect(dcsPrefix(undefined, 'demo')).toBe('/service/demo/')
    expect(prefixRangeEnd(PREFIX).toString()).toBe('/postgresql-common/15-main0')
  })

  it('parses an etcd3 range answer', () => {
    const body = {
      count: '2',
      header: {revision: '7'},
      kvs: [
        {key: b64(`${PREFIX}leader`), mod_revision: '5', value: b64('node1')},
        {key: b64(`${PREFIX}members/node1`), value: b64('{"state":"running"}')},
        {key: b64('/other/x'), value: b64('y')},
      ],
    }
    expect([...parseEtcd3Range(body, PREFIX)]).toEqual([
      ['leader', 'node1'],
      ['members/node1', '{"state":"running"}'],
    ])
    expect(parseEtcd3Range({count: '0', header: {}}, PREFIX).size).toBe(0)
  })

  it('parses an etcd v2 recursive tree', () => {
    const body = {
      action: 'get',
      node: {
        dir: true,
        key: '/service/demo',
        nodes: [
          {key: '/service/demo/leader', value: 'a'},
          {dir: true, key: '/service/demo/members', nodes: [{key: '/service/demo/members/a', value: '{}'}]},
        ],
      },
    }
    expect([...parseEtcd2Keys(body, '/service/demo/')].sort()).toEqual([
      ['leader', 'a'],
      ['members/a', '{}'],
    ])
  })

  it('parses a consul recurse answer', () => {
    const body = [
      {Key: 'service/demo/leader', Value: b64('a')},
      {Key: 'service/demo/members/a', Session: 'x', Value: b64('{}')},
      {Key: 'service/demo/failover', Value: null},
    ]
    expect([...parseConsulKv(body, 'service/demo/')]).toEqual([
      ['leader', 'a'],
      ['members/a', '{}'],
      ['failover', ''],
    ])
  })

  it('reads old and broken member values', () => {
    expect(parseMemberValue('postgres://10.0.0.1:5432/postgres')).toEqual({
      conn_url: 'postgres://10.0.0.1:5432/postgres',
    })
    expect(parseMemberValue('{oops')).toEqual({})
  })

  it("computes what GET /cluster would say, as Patroni's cluster_as_json", () => {
    const raw = clusterFromDcs(LIVE)
    expect(raw).toMatchObject({leader: 'node2', systemId: '7712075003020920185'})
    expect(raw.members).toEqual([
      {
        api_url: 'http://127.0.0.1:28008/patroni',
        host: '127.0.0.1',
        lag: 'unknown',
        name: 'node1',
        port: 25432,
        role: 'replica',
        state: 'stopped',
      },
      {
        api_url: 'http://127.0.0.1:28009/patroni',
        host: '127.0.0.1',
        name: 'node2',
        port: 25433,
        role: 'leader',
        state: 'running',
        timeline: 16,
      },
      {
        api_url: 'http://127.0.0.1:28010/patroni',
        host: '127.0.0.1',
        lag: 280,
        name: 'node3',
        port: 25434,
        role: 'replica',
        state: 'running',
        timeline: 16,
      },
    ])
    const cluster = normaliseCluster(raw, '15-pgpt_ha', 'http://127.0.0.1:22379')
    expect(cluster.members.map((m) => [m.name, m.role, m.state, m.timeline, m.lagBytes])).toEqual([
      ['node1', 'replica', 'stopped', undefined, 'unknown'],
      ['node2', 'leader', 'running', 16, undefined],
      ['node3', 'replica', 'running', 16, 280],
    ])
  })

  it("shows a replica's replication_state (Patroni 3.0.4+, 4.x) as its state, as cluster_as_json does", () => {
    // as Patroni 4.0.7 wrote them into the live test cluster's etcd (15-pgpt_v4)
    const keys = new Map([
      ['initialize', '7713757270230394663'],
      ['leader', 'node1'],
      [
        'members/node1',
        '{"conn_url":"postgres://127.0.0.1:25492/postgres","api_url":"http://127.0.0.1:28068/patroni","state":"running","role":"primary","version":"4.0.7","xlog_location":67594656,"timeline":3}',
      ],
      [
        'members/node2',
        '{"conn_url":"postgres://127.0.0.1:25493/postgres","api_url":"http://127.0.0.1:28069/patroni","state":"running","role":"replica","version":"4.0.7","xlog_location":67594656,"replication_state":"streaming","timeline":3}',
      ],
      [
        'members/node3',
        '{"conn_url":"postgres://127.0.0.1:25494/postgres","api_url":"http://127.0.0.1:28070/patroni","state":"running","role":"replica","version":"4.0.7","xlog_location":67594000,"replication_state":"in archive recovery","timeline":3}',
      ],
      ['status', '{"optime":67594656}'],
    ])
    expect((clusterFromDcs(keys).members as {name: string; state: string}[]).map((m) => [m.name, m.state])).toEqual([
      ['node1', 'running'],
      ['node2', 'streaming'],
      ['node3', 'in archive recovery'],
    ])
    // the leader's own state, whatever its key says (Patroni: replication_state only for non-leaders)
    keys.set(
      'members/node1',
      keys.get('members/node1')!.replace('"timeline"', '"replication_state":"streaming","timeline"'),
    )
    expect((clusterFromDcs(keys).members as {state: string}[])[0]!.state).toBe('running')
  })

  it("carries the members' Patroni version and restart reasons; 4.1+: the receive and replay positions as 4.1's cluster_as_json", () => {
    const member = (name: string, extra: string) =>
      `{"conn_url":"postgres://127.0.0.1:${name === 'node1' ? 25492 : 25493}/postgres","api_url":"http://127.0.0.1:28068/patroni","state":"running","role":"replica","version":"VERSION","timeline":3${extra}}`
    const keysOf = (version: string) =>
      new Map([
        ['leader', 'node1'],
        ['members/node1', member('node1', ',"xlog_location":4294967396').replace('VERSION', version)],
        [
          'members/node2',
          member(
            'node2',
            ',"xlog_location":4294967296,"receive_lsn":4294967396,"replication_state":"streaming","pending_restart":true,"pending_restart_reason":{"work_mem":{"old_value":"4MB","new_value":"8MB"}}',
          ).replace('VERSION', version),
        ],
        ['status', '{"optime":4294967396}'],
      ])
    const v40 = clusterFromDcs(keysOf('4.0.7'))
    expect(v40.patroni_version).toBe('4.0.7')
    expect((v40.members as object[])[1]).toEqual(
      expect.objectContaining({lag: 100, pending_restart_reason: {work_mem: {new_value: '8MB', old_value: '4MB'}}}),
    )
    expect((v40.members as object[])[1]).not.toHaveProperty('receive_lsn')
    const v41 = normaliseCluster(clusterFromDcs(keysOf('4.1.4')), 's', 'http://x:1')
    expect(v41.patroniVersion).toBe('4.1.4')
    expect(v41.members[1]).toMatchObject({
      lagBytes: 100,
      lsn: '1/0',
      pendingRestartReason: [['work_mem', '4MB', '8MB']],
      receiveLag: 0,
      receiveLsn: '1/64',
      replayLag: 'unknown',
      replayLsn: 'unknown',
    })
  })

  it('knows sync standbys, standby leaders, pause and scheduled switchovers', () => {
    const keys = new Map(LIVE)
    keys.set('sync', '{"leader":"node2","sync_standby":"node3"}')
    keys.set('config', '{"pause":true}')
    keys.set('failover', '{"leader":"node2","member":"node3","scheduled_at":"2030-01-01T00:00:00+00:00"}')
    const cluster = normaliseCluster(clusterFromDcs(keys), 's', 'http://x:1')
    expect(cluster.members.find((m) => m.name === 'node3')?.role).toBe('sync_standby')
    expect(cluster).toMatchObject({
      paused: true,
      scheduledSwitchover: {at: '2030-01-01T00:00:00+00:00', from: 'node2', to: 'node3'},
    })
    keys.set('config', '{"standby_cluster":{"host":"10.0.0.9"}}')
    expect((clusterFromDcs(keys).members as object[])[1]).toMatchObject({name: 'node2', role: 'standby_leader'})
    keys.delete('status')
    keys.set('optime/leader', '67603300') // Patroni < 2.1
    expect((clusterFromDcs(keys).members as object[])[2]).toMatchObject({lag: 28})
  })

  it("shows this host's member as unreachable when it is missing, and only then", () => {
    const cluster = normaliseCluster(clusterFromDcs(LIVE), 's', 'http://x:1')
    cluster.members = cluster.members.filter((m) => m.name !== 'node1')
    const shown = withThisMember(cluster, 'node1', '127.0.0.1:25432')
    expect(shown.members[0]).toEqual({
      host: '127.0.0.1',
      name: 'node1',
      pendingRestart: false,
      port: 25432,
      role: '',
      state: 'unreachable',
    })
    expect(withThisMember(shown, 'node1', '127.0.0.1:25432')).toBe(shown)
    expect(withThisMember(cluster, undefined, undefined)).toBe(cluster)
  })
})

describe('anySignal: AbortSignal.any, which Node 18 lacks', () => {
  it('aborts with the reason of the first signal that aborts, at once if one already has', () => {
    const a = new AbortController()
    const b = new AbortController()
    const signal = anySignal([a.signal, b.signal])
    expect(signal.aborted).toBe(false)
    b.abort('b first')
    a.abort('a later')
    expect(signal.aborted).toBe(true)
    expect(signal.reason).toBe('b first')
    const done = new AbortController()
    done.abort('already')
    expect(anySignal([new AbortController().signal, done.signal]).reason).toBe('already')
  })

  it('a DCS read works, and keeps its deadline, where AbortSignal.any does not exist (Node 18)', async () => {
    const keys = {'/service/demo/leader': 'node1'}
    const tree = {
      action: 'get',
      node: {dir: true, key: '/service/demo', nodes: Object.entries(keys).map(([key, value]) => ({key, value}))},
    }
    const path = 'GET /v2/keys/service/demo/?recursive=true'
    const fast = await startFakePatroni({[path]: {body: JSON.stringify(tree)}})
    const slow = await startFakePatroni({[path]: {body: JSON.stringify(tree), delayMs: 5000}})
    const any = Object.getOwnPropertyDescriptor(AbortSignal, 'any')
    delete (AbortSignal as {any?: unknown}).any
    try {
      const snapshot = await readDcs({endpoints: [fast.url], kind: 'etcd'}, '/service/demo/', {timeoutMs: 2000})
      expect(snapshot.keys.get('leader')).toBe('node1')
      const started = Date.now()
      await expect(
        readDcs({endpoints: [slow.url], kind: 'etcd'}, '/service/demo/', {timeoutMs: 300}),
      ).rejects.toMatchObject({kind: 'timeout'})
      expect(Date.now() - started).toBeLessThan(3000)
    } finally {
      if (any) Object.defineProperty(AbortSignal, 'any', any)
      await Promise.all([fast.close(), slow.close()])
    }
  })
})
