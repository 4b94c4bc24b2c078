import {describe, expect, it} from 'vitest'

import {chooseDsnMember, formatDsn, libpqValue, localSocketFor} from '../../../src/lib/output/dsn.js'
import {normaliseCluster} from '../../../src/lib/rest/cluster.js'

const cluster = normaliseCluster(
  {
    members: [
      {host: '10.0.0.1', name: 'node1', port: 5432, role: 'leader', state: 'running'},
      {host: '10.0.0.2', lag: 4096, name: 'node2', port: 5433, role: 'replica', state: 'streaming'},
      {host: '10.0.0.3', lag: 0, name: 'node3', port: 5434, role: 'replica', state: 'streaming'},
      {host: '10.0.0.4', lag: 0, name: 'node4', port: 5435, role: 'replica', state: 'stopped'},
    ],
  },
  '15-main',
  'http://10.0.0.1:8008',
)
const pick = (wanted: Parameters<typeof chooseDsnMember>[1], c = cluster) => chooseDsnMember(c, wanted).name

describe('dsn', () => {
  it('takes the leader, the least-lagging running replica, or the member named', () => {
    expect(pick({role: 'leader'})).toBe('node1')
    expect(pick({role: 'replica'})).toBe('node3')
    expect(pick({role: 'any'})).toBe('node1')
    expect(pick({member: 'node4', role: 'leader'})).toBe('node4')
  })

  it('refuses (exit 1) when there is no such member', () => {
    const noLeader = {...cluster, members: cluster.members.filter((m) => m.role !== 'leader')}
    expect(() => chooseDsnMember(noLeader, {role: 'leader'})).toThrow(
      expect.objectContaining({exitCode: 1, message: '15-main has no leader'}),
    )
    expect(pick({role: 'any'}, noLeader)).toBe('node3')
    const onlyLeader = {...cluster, members: cluster.members.slice(0, 1)}
    expect(() => chooseDsnMember(onlyLeader, {role: 'replica'})).toThrow('15-main has no running replica')
    expect(() => chooseDsnMember(cluster, {member: 'node9', role: 'leader'})).toThrow(
      'node9 is not a member of 15-main (members: node1, node2, node3, node4)',
    )
  })

  it('prints host and port, and quotes values as libpq reads them', () => {
    expect(formatDsn(cluster.members[1]!)).toBe('host=10.0.0.2 port=5433')
    expect(formatDsn(cluster.members[0]!, {dbname: 'app', user: "o'brien x"})).toBe(
      "host=10.0.0.1 port=5432 dbname=app user='o\\'brien x'",
    )
    expect(libpqValue('')).toBe("''")
    expect(formatDsn(cluster.members[0]!, {socket: {host: '/var/run/postgresql', port: 5442}, user: 'postgres'})).toBe(
      'host=/var/run/postgresql port=5442 user=postgres',
    )
    expect(libpqValue('a\\b')).toBe("'a\\\\b'")
  })

  it("reaches this host's own member through its socket directory, every other member over TCP", () => {
    const config = {memberName: 'node1', pgSocket: {dir: '/var/run/postgresql', port: 5432}}
    expect(localSocketFor(cluster.members[0]!, config)).toEqual({host: '/var/run/postgresql', port: 5432})
    expect(localSocketFor(cluster.members[1]!, config)).toBeUndefined()
    expect(localSocketFor(cluster.members[0]!, {...config, pgSocket: undefined})).toBeUndefined() // sockets off
    expect(localSocketFor(cluster.members[0]!, {pgSocket: config.pgSocket})).toBeUndefined() // no name: cannot tell
    expect(localSocketFor(cluster.members[2]!, {memberName: 'node3', pgSocket: {dir: '/run/pg'}})).toEqual({
      host: '/run/pg',
      port: 5434,
    }) // listen port unknown
  })
})
