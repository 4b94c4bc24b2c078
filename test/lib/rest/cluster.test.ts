import {describe, expect, it} from 'vitest'

import {RestError} from '../../../src/lib/rest/client.js'
import {isRunning, leaderOf, normaliseCluster} from '../../../src/lib/rest/cluster.js'
import {fixture} from '../../helpers/fake-patroni.js'

describe('cluster model', () => {
  it('normalises Patroni 3.0.2', () => {
    const cluster = normaliseCluster(JSON.parse(fixture('cluster-3.0.2.json')), '15-main', 'http://127.0.0.1:58008')
    expect(cluster.scope).toBe('15-main')
    expect(cluster.members.map((m) => [m.name, m.role, m.state, m.timeline, m.lagBytes])).toEqual([
      ['node1', 'leader', 'running', 1, undefined],
      ['node2', 'replica', 'running', 1, 0],
      ['node3', 'replica', 'running', 1, 0],
    ])
    expect(cluster.members.every(isRunning)).toBe(true)
    expect(leaderOf(cluster)?.name).toBe('node1')
  })

  it('normalises Patroni 4.1: streaming state, replay lag, scope, pause, schedules, tags', () => {
    const cluster = normaliseCluster(JSON.parse(fixture('cluster-4.1.json')), 'fallback', 'http://x:1')
    expect(cluster).toMatchObject({
      paused: true,
      scheduledSwitchover: {at: '2023-09-24T10:36:00+02:00', from: 'patroni1', to: 'patroni3'},
      scope: 'demo',
    })
    const [leader, replica] = cluster.members
    expect(leader).toMatchObject({role: 'leader', tags: {clonefrom: true}})
    expect(replica).toMatchObject({
      lagBytes: 3145728,
      pendingRestart: true,
      scheduledRestart: {at: '2026-11-25T03:00:00+00:00', postgresVersion: '16.5'},
      state: 'streaming',
    })
    expect(isRunning(replica!)).toBe(true)
  })

  it('maps master and primary to leader, and keeps unknown lag', () => {
    const cluster = normaliseCluster(
      {
        members: [
          {name: 'a', role: 'master'},
          {lag: 'unknown', name: 'b', role: 'replica', state: 'stopped'},
        ],
      },
      's',
      'http://x:1',
    )
    expect(cluster.members.map((m) => [m.role, m.lagBytes])).toEqual([
      ['leader', undefined],
      ['replica', 'unknown'],
    ])
    expect(isRunning(cluster.members[1]!)).toBe(false)
  })

  it.each([
    null,
    [],
    {members: 'x'},
    'text',
    {members: [{name: 1, role: 'leader'}]},
    {
      members: [
        {name: 'a', role: 'leader'},
        {name: 'b', state: 'running'},
      ],
    }, // is b the leader? nobody can tell
    {members: [null]},
  ])('refuses %j as malformed', (raw) => {
    expect(() => normaliseCluster(raw, 's', 'http://127.0.0.1:1')).toThrow(RestError)
  })
})
