import {afterEach, describe, expect, it} from 'vitest'

import {PatroniClient, RestError} from '../../src/lib/patroni-client.js'
import {fetchCluster, isRunning, leaderOf, normaliseCluster} from '../../src/lib/patroni-cluster.js'
import {type FakeServer, fixture, freePort, startBlackHole, startFakePatroni} from '../helpers/fake-patroni.js'

describe('cluster model', () => {
  it('normalises Patroni 3.0.2', () => {
    const cluster = normaliseCluster(JSON.parse(fixture('cluster-3.0.2.json')), '15-main', 'http://127.0.0.1:8008')
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
    expect(cluster).toMatchObject({paused: true, scheduledSwitchover: {at: '2023-09-24T10:36:00+02:00', from: 'patroni1', to: 'patroni3'}, scope: 'demo'})
    const [leader, replica] = cluster.members
    expect(leader).toMatchObject({role: 'leader', tags: {clonefrom: true}})
    expect(replica).toMatchObject({lagBytes: 3145728, pendingRestart: true, scheduledRestart: {at: '2026-11-25T03:00:00+00:00', postgresVersion: '16.5'}, state: 'streaming'})
    expect(isRunning(replica!)).toBe(true)
  })

  it('maps master and primary to leader, and keeps unknown lag', () => {
    const cluster = normaliseCluster({members: [{name: 'a', role: 'master'}, {lag: 'unknown', name: 'b', role: 'replica', state: 'stopped'}]}, 's', 'http://x:1')
    expect(cluster.members.map((m) => [m.role, m.lagBytes])).toEqual([['leader', undefined], ['replica', 'unknown']])
    expect(isRunning(cluster.members[1]!)).toBe(false)
  })

  it.each([
    null,
    [],
    {members: 'x'},
    'text',
    {members: [{name: 1, role: 'leader'}]},
    {members: [{name: 'a', role: 'leader'}, {name: 'b', state: 'running'}]}, // is b the leader? nobody can tell
    {members: [null]},
  ])('refuses %j as malformed', (raw) => {
    expect(() => normaliseCluster(raw, 's', 'http://127.0.0.1:1')).toThrow(RestError)
  })
})

describe('fetchCluster', () => {
  const servers: FakeServer[] = []
  let client: PatroniClient | undefined
  afterEach(async () => {
    await client?.close()
    await Promise.all(servers.splice(0).map((s) => s.close()))
  })
  const track = <T extends FakeServer>(s: T) => (servers.push(s), s)

  it('asks this host\'s member first', async () => {
    const local = track(await startFakePatroni({'GET /cluster': {body: fixture('cluster-3.0.2.json')}}))
    const other = track(await startFakePatroni({'GET /cluster': {body: fixture('cluster-3.0.2.json')}}))
    client = await PatroniClient.create({baseUrl: local.url}, {timeoutMs: 2000})
    const cluster = await fetchCluster(client, [local.url, other.url], '15-main', {hedgeMs: 500, timeoutMs: 2000})
    expect(cluster.answeredBy).toBe(local.url)
    expect(other.requests).toHaveLength(0)
  })

  it('falls through to another member when this host\'s is down', async () => {
    const other = track(await startFakePatroni({'GET /cluster': {body: fixture('cluster-3.0.2.json')}}))
    const down = `http://127.0.0.1:${await freePort()}`
    client = await PatroniClient.create({baseUrl: down}, {timeoutMs: 2000})
    const cluster = await fetchCluster(client, [down, other.url], '15-main', {hedgeMs: 500, timeoutMs: 2000})
    expect(cluster.answeredBy).toBe(other.url)
  })

  it('does not wait out a black-holed member before asking the others', async () => {
    const hole = track(await startBlackHole())
    const other = track(await startFakePatroni({'GET /cluster': {body: fixture('cluster-3.0.2.json')}}))
    client = await PatroniClient.create({baseUrl: hole.url}, {timeoutMs: 3000})
    const started = performance.now()
    const cluster = await fetchCluster(client, [hole.url, other.url], '15-main', {hedgeMs: 300, timeoutMs: 3000})
    expect(cluster.answeredBy).toBe(other.url)
    expect(performance.now() - started).toBeLessThan(1500)
  })

  it('reports this host\'s failure first, then the others, within the deadline', async () => {
    const hole = track(await startBlackHole())
    const down = `http://127.0.0.1:${await freePort()}`
    client = await PatroniClient.create({baseUrl: hole.url}, {timeoutMs: 800})
    const started = performance.now()
    const error = (await fetchCluster(client, [hole.url, down], '15-main', {hedgeMs: 200, timeoutMs: 800}).catch((e: unknown) => e)) as RestError
    expect(performance.now() - started).toBeLessThan(1500)
    expect(error).toBeInstanceOf(RestError)
    expect(error.kind).toBe('timeout')
    expect(error.message).toMatch(new RegExp(`^127.0.0.1:${hole.port}: no answer within 0.8s \\(other members: 127.0.0.1:\\d+: connection refused\\)$`))
  })
})
