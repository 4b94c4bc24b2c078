import {describe, expect, it} from 'vitest'

import {normaliseCluster} from '../../../src/lib/rest/cluster.js'
import {memberRole, selectMembers} from '../../../src/lib/operations/members.js'
import {restartOrder, restartRequest} from '../../../src/lib/operations/restart.js'
import {fixture} from '../../helpers/fake-patroni.js'

const raw = JSON.parse(fixture('cluster-3.0.2.json'))
raw.members[0].pending_restart = true
raw.members[2].pending_restart = true
const cluster = normaliseCluster(raw, '15-main', 'http://127.0.0.1:58008')
const names = (wanted: Partial<Parameters<typeof restartOrder>[1]>, random?: () => number) =>
  restartOrder(cluster, {any: false, members: [], role: 'any', ...wanted}, random).map((m) => m.name)

describe('restartOrder', () => {
  it('puts the replicas first and the leader last, whatever the order given', () => {
    expect(names({})).toEqual(['node2', 'node3', 'node1'])
    expect(names({members: ['node1', 'node3']})).toEqual(['node3', 'node1'])
  })
  it('filters by role, not by the pending restart the snapshot shows (each Patroni decides)', () => {
    expect(names({role: 'replica'})).toEqual(['node2', 'node3'])
    expect(names({role: 'leader'})).toEqual(['node1'])
    expect(cluster.members.filter((m) => m.pendingRestart).map((m) => m.name)).toEqual(['node1', 'node3'])
  })
  it('--any: the members chosen, in random order (the first that Patroni does not skip is the only one)', () => {
    const keys = [0.9, 0.1, 0.5]
    expect(names({any: true}, () => keys.shift()!)).toEqual(['node2', 'node3', 'node1'])
    expect(names({any: true, role: 'replica'}, () => 0.5).sort()).toEqual(['node2', 'node3'])
  })
  it('refuses members that are not in the cluster or not of the role (exit 1)', () => {
    expect(() => names({members: ['node9']})).toThrow(
      expect.objectContaining({
        exitCode: 1,
        message: 'node9 is not a member of cluster 15-main (members: node1, node2, node3)',
      }),
    )
    expect(() => names({members: ['node1'], role: 'replica'})).toThrow('no replica among node1')
  })
})

describe('restartRequest', () => {
  it('sends only what was asked, timeout in whole seconds', () => {
    const base = {any: false, dryRun: false, force: true, members: [], pending: false, role: 'any' as const}
    expect(restartRequest(base)).toEqual({})
    expect(restartRequest({...base, pending: true, pgVersion: '15.10', timeoutSeconds: 2.5})).toEqual({
      postgres_version: '15.10',
      restart_pending: true,
      timeout: '3',
    })
    expect(restartRequest({...base, scheduled: '2099-01-01T03:00Z'}).schedule).toMatch(
      /^2099-01-01T\d\d:\d\d:00[+-]\d\d:\d\d$/,
    )
  })
})

describe('--role as patronictl takes it', () => {
  const standby = normaliseCluster(
    {
      ...raw,
      members: raw.members.map((m: {role: string}) => (m.role === 'leader' ? {...m, role: 'standby_leader'} : m)),
    },
    '15-main',
    'http://127.0.0.1:58008',
  )
  const pick = (c: typeof cluster, flag: string) =>
    selectMembers(c, {members: [], role: memberRole(flag)}).map((m) => m.name)
  it('maps standby to replica and master to primary', () => {
    expect(['any', 'leader', 'primary', 'master', 'standby-leader', 'replica', 'standby'].map(memberRole)).toEqual([
      'any',
      'leader',
      'primary',
      'primary',
      'standby-leader',
      'replica',
      'replica',
    ])
  })
  it('leader is the leader key holder; primary only in a primary cluster, standby-leader only in a standby cluster', () => {
    expect(pick(cluster, 'leader')).toEqual(['node1'])
    expect(pick(cluster, 'primary')).toEqual(['node1'])
    expect(pick(cluster, 'standby-leader')).toEqual([])
    expect(pick(standby, 'leader')).toEqual(['node1'])
    expect(pick(standby, 'primary')).toEqual([])
    expect(pick(standby, 'standby-leader')).toEqual(['node1'])
    expect(pick(standby, 'standby')).toEqual(['node2', 'node3'])
  })
})
