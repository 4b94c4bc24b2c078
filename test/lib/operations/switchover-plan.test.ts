import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {normaliseCluster} from '../../../src/lib/rest/cluster.js'
import {
  checkLeaderChange,
  healthyReplicas,
  isoWithOffset,
  leaderChangeWaitSeconds,
  parseScheduledTime,
} from '../../../src/lib/operations/switchover-plan.js'
import {fixture} from '../../helpers/fake-patroni.js'

const cluster = (patch: (raw: {members: Record<string, unknown>[]; pause?: boolean}) => void = () => {}) => {
  const raw = JSON.parse(fixture('cluster-3.0.2.json'))
  patch(raw)
  return normaliseCluster(raw, '15-main', 'http://127.0.0.1:58008')
}

describe('checkLeaderChange', () => {
  it('builds the bodies Patroni expects', () => {
    expect(checkLeaderChange('switchover', cluster(), {candidate: 'node2'})).toEqual({
      candidate: 'node2',
      leader: 'node1',
    })
    expect(checkLeaderChange('switchover', cluster(), {})).toEqual({leader: 'node1'})
    // a failover names the leader it saw too: Patroni refuses it once another member leads
    expect(checkLeaderChange('failover', cluster(), {candidate: 'node3'})).toEqual({
      candidate: 'node3',
      leader: 'node1',
    })
    expect(
      checkLeaderChange('switchover', cluster(), {candidate: 'node2', scheduledAt: '2030-01-01T00:00:00+00:00'}),
    ).toEqual({candidate: 'node2', leader: 'node1', scheduled_at: '2030-01-01T00:00:00+00:00'})
  })

  it.each([
    ['switchover', {candidate: 'node9'}, 1, 'node9 is not a member of cluster 15-main (members: node1, node2, node3)'],
    ['switchover', {candidate: 'node1'}, 1, 'node1 is already the leader of cluster 15-main'],
    ['switchover', {leader: 'node2'}, 1, 'node2 is not the leader of cluster 15-main (the leader is node1)'],
    ['failover', {}, 2, 'failover needs --candidate'],
    [
      'failover',
      {candidate: 'node2', scheduledAt: '2030-01-01T00:00:00+00:00'},
      2,
      'a failover cannot be scheduled; use switchover --scheduled',
    ],
  ] as const)('%s %j is refused before anything is sent (exit %i)', (action, wanted, exitCode, message) => {
    expect(() => checkLeaderChange(action, cluster(), wanted)).toThrow(expect.objectContaining({exitCode, message}))
  })

  it('refuses a stopped or nofailover candidate, and a switchover without leader or healthy replica', () => {
    const stopped = cluster((raw) => Object.assign(raw.members[1]!, {state: 'stopped'}))
    expect(() => checkLeaderChange('switchover', stopped, {candidate: 'node2'})).toThrow(
      'node2 is not a running replica (state: stopped)',
    )
    const tagged = cluster((raw) => Object.assign(raw.members[2]!, {tags: {nofailover: true}}))
    expect(() => checkLeaderChange('switchover', tagged, {candidate: 'node3'})).toThrow(
      'node3 is tagged nofailover and cannot be promoted',
    )
    expect(healthyReplicas(tagged).map((m) => m.name)).toEqual(['node2'])
    const leaderless = cluster((raw) => Object.assign(raw.members[0]!, {role: 'replica', state: 'stopped'}))
    expect(() => checkLeaderChange('switchover', leaderless, {candidate: 'node2'})).toThrow(
      'cluster 15-main has no leader; use failover',
    )
    expect(checkLeaderChange('failover', leaderless, {candidate: 'node2'})).toEqual({candidate: 'node2'})
    const alone = cluster((raw) => raw.members.splice(1))
    expect(() => checkLeaderChange('switchover', alone, {})).toThrow(
      'cluster 15-main has no healthy replica to switch over to',
    )
    const paused = cluster((raw) => (raw.pause = true))
    expect(() => checkLeaderChange('switchover', paused, {})).toThrow(
      'cluster 15-main is paused: a switchover needs --candidate',
    )
  })
})

describe('scheduled times in a named zone (TZ), as patronictl reads them with dateutil', () => {
  const saved = process.env.TZ
  beforeAll(() => {
    process.env.TZ = 'Europe/Berlin' // +01:00 in winter, +02:00 in summer
  })
  afterAll(() => {
    if (saved === undefined) delete process.env.TZ
    else process.env.TZ = saved
  })
  it.each([
    ['2030-01-01', '2030-01-01T00:00:00+01:00'], // local midnight, not UTC midnight
    ['2030-07-01', '2030-07-01T00:00:00+02:00'],
    ['2030-01-01 03:00', '2030-01-01T03:00:00+01:00'],
    ['2030-01-01T03:00', '2030-01-01T03:00:00+01:00'],
    ['2030-01-01T03:00:15.5', '2030-01-01T03:00:15+01:00'],
    ['2030-01-01T03:00Z', '2030-01-01T04:00:00+01:00'],
    ['2030-01-01 03:00 UTC', '2030-01-01T04:00:00+01:00'],
    ['2030-01-01T03:00+05:30', '2029-12-31T22:30:00+01:00'],
    ['2030-01-01T03:00-0300', '2030-01-01T07:00:00+01:00'],
    ['2030-01-01T03:00-3', '2030-01-01T07:00:00+01:00'],
    ['  2030-01-01T03:00  ', '2030-01-01T03:00:00+01:00'],
  ])('%s is %s', (text, expected) => {
    expect(parseScheduledTime(text)).toBe(expected)
  })
  it('a time alone is today, local time; now and an empty answer are now', () => {
    const today = new Date()
    const day = `${today.getFullYear()}-${String(today.getMonth() + 1).padStart(2, '0')}-${String(today.getDate()).padStart(2, '0')}`
    expect(parseScheduledTime('23:59')).toMatch(new RegExp(`^${day}T23:59:00\\+0[12]:00$`))
    expect(parseScheduledTime('7:05')).toMatch(new RegExp(`^${day}T07:05:00\\+0[12]:00$`))
    expect(parseScheduledTime('now')).toBeUndefined()
    expect(parseScheduledTime('NOW')).toBeUndefined()
    expect(parseScheduledTime('')).toBeUndefined()
  })
})

describe('scheduled times', () => {
  it('reads now, ISO with zone, and local ISO as patronictl does; a past time is for Patroni to refuse', () => {
    expect(parseScheduledTime('now')).toBeUndefined()
    expect(parseScheduledTime('2026-11-24T22:30+01:00')).toBe(isoWithOffset(new Date('2026-11-24T21:30:00Z')))
    expect(parseScheduledTime('2026-11-24T22:30')).toBe(isoWithOffset(new Date(2026, 10, 24, 22, 30)))
    expect(parseScheduledTime('2001-01-01T00:00Z')).toBe(isoWithOffset(new Date('2001-01-01T00:00:00Z')))
    expect(isoWithOffset(new Date())).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$/)
  })
  it.each([
    'tomorrow',
    '24/11/2026',
    '2026-13-24T12:00Z',
    '2026-02-30',
    '2030-01-01 +02:00',
    '24:00',
    '2026-11-24T22:30+',
    '22:30:61',
  ])('refuses %s (exit 2)', (text) => {
    expect(() => parseScheduledTime(text)).toThrow(expect.objectContaining({exitCode: 2}))
  })
  it('waits longer than Patroni does for the outcome', () => {
    expect(leaderChangeWaitSeconds(5)).toBe(30)
    expect(leaderChangeWaitSeconds(30)).toBe(70)
  })
})
