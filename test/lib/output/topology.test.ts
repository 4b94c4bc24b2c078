import {describe, expect, it} from 'vitest'

import {normaliseCluster} from '../../../src/lib/rest/cluster.js'
import {renderTopology, topologyName, topologyOrder} from '../../../src/lib/output/topology.js'
import {fixture} from '../../helpers/fake-patroni.js'

const member = (name: string, role: string, replicatefrom?: string) => ({
  host: '10.0.0.1',
  name,
  port: 5432,
  role,
  state: 'running',
  ...(replicatefrom ? {tags: {replicatefrom}} : {}),
})
const cluster = (members: object[]) => normaliseCluster({members}, 'demo', 'http://127.0.0.1:58008')
const names = (members: object[]) => topologyOrder(cluster(members).members).map(topologyName)

describe('topology (patronictl topology_sort)', () => {
  it('cascades replicas under the replica they replicate from, as patronictl 3.0.2 does', () => {
    // expected: patroni.ctl.topology_sort of the same members
    const members = [
      member('a', 'replica', 'c'),
      member('b', 'leader'),
      member('c', 'replica'),
      member('d', 'sync_standby', 'a'),
      member('e', 'replica', 'b'),
      member('f', 'replica', 'zz'),
    ]
    expect(names(members)).toEqual(['b', '+ c', '  + a', '    + d', '+ e', '+ f'])
  })

  it('without a leader shows the replicas at the first level; a replicatefrom cycle is not dropped', () => {
    expect(names([member('a', 'replica'), member('c', 'replica')])).toEqual(['+ a', '+ c'])
    expect(names([member('l', 'leader'), member('x', 'replica', 'y'), member('y', 'replica', 'x')])).toEqual([
      'l',
      '+ x',
      '  + y',
    ])
  })

  it('draws the list table with the tree in the Member column', () => {
    const recorded = normaliseCluster(JSON.parse(fixture('cluster-3.0.2.json')), '15-main', 'http://127.0.0.1:58008')
    expect(renderTopology({cluster: recorded})).toBe(
      [
        '+ Cluster: 15-main ---------+---------+---------+----+-----------+',
        '| Member  | Host            | Role    | State   | TL | Lag in MB |',
        '+---------+-----------------+---------+---------+----+-----------+',
        '| node1   | 127.0.0.1:55432 | Leader  | running |  1 |           |',
        '| + node2 | 127.0.0.1:55433 | Replica | running |  1 |         0 |',
        '| + node3 | 127.0.0.1:55434 | Replica | running |  1 |         0 |',
        '+---------+-----------------+---------+---------+----+-----------+',
      ].join('\n'),
    )
  })

  it('shows tags in flow style, as patronictl topology', () => {
    const text = renderTopology({
      cluster: cluster([member('b', 'leader'), member('c', 'replica', 'b')]),
      systemId: '7000',
    })
    expect(text.split('\n')[0]).toMatch(/^\+ Cluster: demo \(7000\) -+\+/)
    expect(text).toContain('| + c    | 10.0.0.1:5432 | Replica | running |    |   unknown | {replicatefrom: b} |')
  })
})
