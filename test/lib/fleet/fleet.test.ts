import {describe, expect, it} from 'vitest'

import {parseDcsUrl} from '../../../src/lib/config/dcs-settings.js'
import {
  type FleetContext,
  type ScopeKeys,
  fleetCluster,
  instanceOfScope,
  slotName,
  splitScopes,
} from '../../../src/lib/fleet/fleet.js'
import type {FleetSource} from '../../../src/lib/fleet/read.js'
import {fleetRecord, renderFleet} from '../../../src/lib/fleet/view.js'
import {patroniKeys} from '../../helpers/private-etcd.js'

const NS = '/postgresql-common/'
const context: FleetContext = {baseUrl: 'http://127.0.0.1:1', namespace: NS, source: 'etcd3 127.0.0.1:1'}

/** The keys of one scope, as Patroni 3.0.2 writes them, relative to the scope. */
function scope(
  name: string,
  members: Parameters<typeof patroniKeys>[1],
  leader: string,
  extra: Record<string, string> = {},
): ScopeKeys {
  const keys = new Map(
    Object.entries(patroniKeys(`${name}/`, members, leader)).map(([k, v]) => [k.slice(name.length + 1), v]),
  )
  for (const [k, v] of Object.entries(extra)) keys.set(k, v)
  return {keys, scope: name}
}
const three = (
  over: Partial<
    Record<'node1' | 'node2' | 'node3', {state?: string; xlog?: number; timeline?: number; role?: string}>
  > = {},
) =>
  (['node1', 'node2', 'node3'] as const).map((name, i) => ({
    name,
    pgPort: 5432 + i,
    restPort: 8008 + i,
    timeline: 4,
    xlog: 67_603_552,
    ...over[name],
  }))
const kinds = (entry: ScopeKeys, ctx: Partial<FleetContext> = {}) =>
  fleetCluster(entry, {...context, ...ctx}).problems.map((p) => `${p.kind}${p.member ? `:${p.member}` : ''}`)

describe('the keys of a namespace, split by scope', () => {
  it('groups Patroni keys by scope and Citus group, and leaves other keys out', () => {
    const keys = new Map([
      ['15-main/leader', 'node1'],
      ['15-main/members/node1', '{}'],
      ['15-main/optime/leader', '5'],
      ['15-main/unrelated', 'x'],
      ['vip-manager', 'x'],
      ['citus/0/leader', 'a'],
      ['citus/1/members/b', '{}'],
      ['16-other/config', '{}'],
    ])
    const scopes = splitScopes(keys, new Map([['15-main/members/node1', 12]]))
    expect(scopes.map((s) => [s.scope, s.group, [...s.keys.keys()]])).toEqual([
      ['15-main', undefined, ['leader', 'members/node1', 'optime/leader']],
      ['citus', 0, ['leader']],
      ['citus', 1, ['members/b']],
      ['16-other', undefined, ['config']],
    ])
    expect(scopes[0]!.ttls).toEqual(new Map([['members/node1', 12]]))
  })
})

describe('a cluster from its DCS keys', () => {
  it('a healthy 3-member cluster has no problem, and shows what list V/C shows', () => {
    const cluster = fleetCluster(scope('15-main', three(), 'node1'), context)
    expect(cluster.problems).toEqual([])
    expect(cluster.instance).toBe('15/main')
    expect(fleetRecord(cluster)).toMatchObject({
      healthy: true,
      leader: 'node1',
      leader_host: '127.0.0.1:5432',
      members_running: 3,
      members_total: 3,
      scope: '15-main',
      system_id: '7712075003020920185',
      timeline: 4,
    })
  })

  it('marks a cluster without leader, and says when the leader key names a member that is gone', () => {
    const entry = scope('15-main', three(), 'node1')
    entry.keys.delete('leader')
    expect(kinds(entry)).toEqual(['no-leader'])
    const stale = scope('15-main', three().slice(1), 'node1')
    expect(fleetCluster(stale, context).problems[0]).toEqual({
      kind: 'no-leader',
      text: 'no leader: the leader key names node1, which has no member key',
    })
    expect(kinds({keys: new Map([['config', '{}']]), scope: '15-old'})).toEqual(['no-leader'])
  })

  it('marks a second member that says it is primary (split brain, or another cluster under this scope)', () => {
    expect(kinds(scope('15-main', three({node3: {role: 'master'}}), 'node1'))).toEqual(['split-brain:node3'])
    expect(kinds(scope('15-main', three({node3: {role: 'primary'}}), 'node1'))).toEqual(['split-brain:node3'])
  })

  it('marks members that are not running', () => {
    expect(kinds(scope('15-main', three({node2: {state: 'stopped'}, node3: {state: 'starting'}}), 'node1'))).toEqual([
      'member-state:node2',
      'member-state:node3',
    ])
  })

  it('marks member keys about to expire: less than loop_wait left', () => {
    const entry = {
      ...scope('15-main', three(), 'node1'),
      ttls: new Map([
        ['members/node1', 18],
        ['members/node2', 5],
        ['members/node3', 2],
      ]),
    }
    const cluster = fleetCluster(entry, context) // loop_wait 5 in the config key
    expect(cluster.problems.map((p) => p.member)).toEqual(['node2', 'node3'])
    expect(cluster.problems[1]!.text).toBe("node3's key expires in 2 s (Patroni renews it every 5 s)")
    expect(cluster.ttls.get('node1')).toBe(18)
  })

  it('marks members whose key is gone: sync standby, this host, seen before, retained slot', () => {
    const entry = scope('15-main', three().slice(0, 2), 'node1', {
      status: JSON.stringify({optime: 67_603_552, retain_slots: ['node2', 'node_4']}),
      sync: JSON.stringify({leader: 'node1', sync_standby: 'node3'}),
    })
    const cluster = fleetCluster(entry, {
      ...context,
      local: [{instance: '15/main', name: 'node5'}],
      seen: new Map([
        ['node6', '10:00:01'],
        ['node1', '10:00:01'],
      ]),
    })
    expect(cluster.problems.map((p) => [p.kind, p.member])).toEqual([
      ['gone', 'node3'],
      ['gone', 'node5'],
      ['gone', 'node6'],
      ['gone', 'node_4'],
    ])
    expect(cluster.problems[1]!.text).toBe('node5 (this host, 15/main) has no member key: is its Patroni running?')
    expect(cluster.gone).toEqual(['node3', 'node5', 'node6', 'node_4'])
    expect(cluster.thisHost).toEqual(['node5'])
  })

  it('marks replicas behind more than maximum_lag_on_failover (the config key, else 1 MB)', () => {
    const lagging = three({node2: {xlog: 67_603_552 - 2 * 1024 * 1024}, node3: {xlog: 67_603_552 - 512 * 1024}})
    expect(kinds(scope('15-main', lagging, 'node1'))).toEqual(['lag:node2'])
    expect(kinds(scope('15-main', lagging, 'node1', {config: '{"maximum_lag_on_failover": "100000"}'}))).toEqual([
      'lag:node2',
      'lag:node3',
    ])
    expect(fleetRecord(fleetCluster(scope('15-main', lagging, 'node1'), context)).max_lag_mb).toBe(2)
  })

  it('marks running members on another timeline than the leader', () => {
    const cluster = fleetCluster(
      scope('15-main', three({node2: {timeline: 3}, node3: {state: 'stopped', timeline: 2}}), 'node1'),
      context,
    )
    expect(cluster.problems.map((p) => p.text)).toEqual(['node3 is stopped', 'node2 is on timeline 3, the leader on 4'])
  })

  it("marks a scope that two clusters share: this host's data directory has another system identifier", () => {
    const entry = scope('15-main', three(), 'node1')
    expect(kinds(entry, {local: [{instance: '15/main', name: 'node1', systemId: '7712075003020920185'}]})).toEqual([])
    const shared = fleetCluster(entry, {
      ...context,
      local: [{instance: '15/main', name: 'node1', systemId: '7000000000000000001'}],
    })
    expect(shared.problems).toEqual([
      {
        kind: 'system-id',
        member: 'node1',
        text: "this host's 15/main has system identifier 7000000000000000001, the scope 7712075003020920185: two clusters share scope 15-main",
      },
    ])
  })

  it('knows the members on this host by its instance configs and by its host name', () => {
    expect(
      fleetCluster(scope('15-main', three(), 'node1'), {...context, hostname: 'node2', local: [{name: 'node1'}]})
        .thisHost,
    ).toEqual(['node1', 'node2'])
  })

  it('maps Debian scopes to pg-common names, and slot names as Patroni does', () => {
    expect([
      instanceOfScope('15-main'),
      instanceOfScope('9.6-my-db'),
      instanceOfScope('batman'),
      instanceOfScope('15-a/b'),
    ]).toEqual(['15/main', '9.6/my-db', undefined, undefined])
    expect([slotName('Node-1.example'), slotName('ä')]).toEqual(['node_1_example', 'u0228'])
  })
})

describe('-d/--dcs-url, as patronictl parses it', () => {
  it("takes patronictl's examples", () => {
    expect(parseDcsUrl('etcd://:2399').dcs.endpoints).toEqual(['http://localhost:2399'])
    expect(parseDcsUrl('etcd://test').dcs).toMatchObject({endpoints: ['http://test:2379'], kind: 'etcd'})
    expect(parseDcsUrl('etcd3://random.com:2399/customnamespace')).toEqual({
      dcs: {endpoints: ['http://random.com:2399'], kind: 'etcd3', tls: undefined},
      namespace: '/customnamespace',
    })
    expect(parseDcsUrl('localhost:8500').dcs).toMatchObject({endpoints: ['http://localhost:8500'], kind: 'consul'})
    expect(parseDcsUrl('10.0.0.1').dcs).toMatchObject({endpoints: ['http://10.0.0.1:2379'], kind: 'etcd'})
    expect(parseDcsUrl('consul://c1/').dcs.endpoints).toEqual(['http://c1:8500'])
  })

  it('takes several etcd hosts and IPv6', () => {
    expect(parseDcsUrl('etcd3://10.0.0.1:2379,10.0.0.2,[::1]:2381').dcs.endpoints).toEqual([
      'http://10.0.0.1:2379',
      'http://10.0.0.2:2379',
      'http://[::1]:2381',
    ])
  })

  it("takes credentials and TLS from PATRONI_<KIND>_*, never the location, never another kind's", () => {
    const env = {
      PATRONI_CONSUL_TOKEN: 't',
      PATRONI_ETCD3_CACERT: '/ca.pem',
      PATRONI_ETCD3_HOSTS: 'elsewhere:1',
      PATRONI_ETCD3_PASSWORD: 'pw',
      PATRONI_ETCD3_PROTOCOL: 'https',
      PATRONI_ETCD3_USERNAME: 'root',
    }
    expect(parseDcsUrl('etcd3://10.0.0.1:2379', env).dcs).toEqual({
      endpoints: ['https://10.0.0.1:2379'],
      kind: 'etcd3',
      password: 'pw',
      tls: {caFile: '/ca.pem', certFile: undefined, keyFile: undefined},
      username: 'root',
    })
    expect(parseDcsUrl('consul://c1', env).dcs).toMatchObject({kind: 'consul', token: 't'})
  })

  it('refuses other kinds, bad syntax, and passwords on the command line (without repeating them)', () => {
    expect(() => parseDcsUrl('zookeeper://z1')).toThrow(
      'reading the DCS is supported for etcd3, etcd and consul, not zookeeper',
    )
    expect(() => parseDcsUrl('localhost:2181')).toThrow('not zookeeper')
    expect(() => parseDcsUrl('foo://h')).toThrow('unknown DCS type "foo"')
    expect(() => parseDcsUrl('etcd3://h:99999')).toThrow('expected DCS://HOST:PORT')
    expect(() => parseDcsUrl('etcd3://h x:1')).toThrow('expected DCS://HOST:PORT')
    expect(() => parseDcsUrl('consul://a,b')).toThrow('consul takes one host')
    let message = ''
    try {
      parseDcsUrl('etcd3://root:s3cret@h:2379')
    } catch (error) {
      message = (error as Error).message
    }
    expect(message).toMatch(/^credentials do not belong in the DCS URL/)
    expect(message).not.toContain('s3cret')
  })
})

describe('the fleet view', () => {
  const sources: FleetSource[] = [
    {dcs: {endpoints: ['http://127.0.0.1:1'], kind: 'etcd3'}, label: 'etcd3 127.0.0.1:1', namespace: NS},
  ]
  const healthy = fleetCluster(scope('15-main', three(), 'node1'), {
    ...context,
    local: [{instance: '15/main', name: 'node1'}],
  })
  const broken = fleetCluster(scope('16-main', three({node3: {timeline: 3}}).slice(1), 'node1'), context)
  const view = {color: false, format: 'pretty' as const, members: false, problemsOnly: false}

  it('pretty: one aligned row per cluster, problems last, a summary line', async () => {
    const text = await renderFleet([healthy, broken], sources, view)
    expect(text.split('\n')).toEqual([
      'Scope   Instance Leader Host           Members TL Lag MB Paused Pending restart Switchover This host Problems',
      '15-main 15/main  node1  127.0.0.1:5432 3/3      4      0 -      -               -          node1     -',
      '16-main 16/main  -      -              2/2      -      0 -      -               -          -         no leader: the leader key names node1, which has no member key; node3 is on timeline 3, the newest on 4',
      '',
      '2 clusters in etcd3 127.0.0.1:1 /postgresql-common/: 1 with problems.',
    ])
    expect(await renderFleet([healthy, broken], sources, {...view, problemsOnly: true})).toMatch(
      /^Scope .*\n16-main .*\n\n2 clusters in .*: 1 with problems \(shown; 1 healthy not shown\)\.$/,
    )
    expect(await renderFleet([], sources, view)).toBe('No Patroni cluster in etcd3 127.0.0.1:1 /postgresql-common/.')
  })

  it('json: one record per cluster, problems with stable kinds', async () => {
    const records = JSON.parse(await renderFleet([healthy, broken], sources, {...view, format: 'json'})) as Record<
      string,
      unknown
    >[]
    expect(Object.keys(records[0]!)).toEqual([
      'dcs',
      'namespace',
      'scope',
      'instance',
      'system_id',
      'leader',
      'leader_host',
      'members_running',
      'members_total',
      'timeline',
      'max_lag_mb',
      'paused',
      'this_host',
      'healthy',
      'problems',
    ])
    expect(records[1]).toMatchObject({
      healthy: false,
      problems: [{kind: 'no-leader'}, {kind: 'timeline', member: 'node3'}],
    })
    const yaml = await renderFleet([healthy], sources, {...view, format: 'yaml'})
    expect(yaml.split('\n').slice(0, 4)).toEqual([
      '- dcs: etcd3 127.0.0.1:1',
      '  namespace: /postgresql-common/',
      '  scope: 15-main',
      '  instance: 15/main',
    ])
    const tsv = await renderFleet([healthy, broken], sources, {...view, format: 'tsv', problemsOnly: true})
    expect(tsv.split('\n')).toEqual([
      'Scope\tInstance\tLeader\tHost\tMembers\tTL\tLag MB\tPaused\tPending restart\tSwitchover\tThis host\tProblems',
      '16-main\t16/main\t\t\t2/2\t\t0\t\t\t\t\tno leader: the leader key names node1, which has no member key; node3 is on timeline 3, the newest on 4',
    ])
  })

  it("-e: every member, patronictl's records plus This host and Problems; gone members as rows", async () => {
    const gone = fleetCluster(scope('15-main', three().slice(0, 2), 'node1'), {
      ...context,
      local: [{instance: '15/main', name: 'node3'}],
    })
    const records = JSON.parse(
      await renderFleet([gone, broken], sources, {...view, format: 'json', members: true}),
    ) as Record<string, unknown>[]
    expect(records.map((r) => [r.Cluster, r.Member, r.State, r['This host'], r.Problems])).toEqual([
      ['15-main', 'node1', 'running', undefined, undefined],
      ['15-main', 'node2', 'running', undefined, undefined],
      ['15-main', 'node3', 'gone', '*', ['node3 (this host, 15/main) has no member key: is its Patroni running?']],
      ['16-main', 'node2', 'running', undefined, ['no leader: the leader key names node1, which has no member key']],
      [
        '16-main',
        'node3',
        'running',
        undefined,
        ['no leader: the leader key names node1, which has no member key', 'node3 is on timeline 3, the newest on 4'],
      ],
    ])
    const pretty = await renderFleet([broken], sources, {...view, members: true})
    expect(pretty).toContain('+ Cluster: 16-main (7712075003020920185) ')
    expect(pretty.split('\n').slice(-3)).toEqual([
      ' Problem: no leader: the leader key names node1, which has no member key',
      '',
      '1 cluster in etcd3 127.0.0.1:1 /postgresql-common/: 1 with problems.',
    ])
    expect(pretty).toMatch(/\| node3 .*\| node3 is on timeline 3, the newest on 4 \|/)
    const tsv = await renderFleet([broken], sources, {...view, format: 'tsv', members: true})
    expect(tsv.split('\n')[0]).toBe(
      'Cluster\tMember\tHost\tRole\tState\tTL\tLag in MB\tPending restart\tScheduled restart\tTags\tThis host\tProblems',
    )
  })
})
