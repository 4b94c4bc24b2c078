import {ExitCode, PgpError, usageError} from '../errors.js'
import {lagInMb} from '../output/member-table.js'
import {type ClusterState, isLeader, isRunning, leaderOf, type Member} from '../rest/cluster.js'

export type LeaderChange = 'failover' | 'switchover'

/** The body of POST /switchover or /failover. */
export interface LeaderChangeRequest {
  leader?: string
  candidate?: string
  scheduled_at?: string
}

const refused = (message: string) => new PgpError(message, ExitCode.failed)

const noFailover = (member: Member): boolean => member.tags?.nofailover === true || member.tags?.nofailover === 'true'

/** Replicas Patroni could promote: running (or streaming), not tagged nofailover. */
export const healthyReplicas = (cluster: ClusterState): Member[] =>
  cluster.members.filter((m) => !isLeader(m) && isRunning(m) && !noFailover(m))

export const describeCandidate = (member: Member): string =>
  `${member.name} (${member.state}, lag ${member.lagBytes === undefined ? '-' : `${lagInMb(member.lagBytes)} MB`})`

/**
 * Checks a switchover or failover against the cluster before anything is sent: the leader
 * named must be the leader, the candidate a running replica that may be promoted. Patroni
 * would refuse the same requests; refusing here changes nothing and explains why.
 */
export function checkLeaderChange(
  action: LeaderChange,
  cluster: ClusterState,
  wanted: {leader?: string; candidate?: string; scheduledAt?: string},
): LeaderChangeRequest {
  const leader = leaderOf(cluster)
  if (action === 'switchover' && !leader) throw refused(`cluster ${cluster.scope} has no leader; use failover`)
  if (wanted.leader && wanted.leader !== leader?.name) {
    throw refused(
      `${wanted.leader} is not the leader of cluster ${cluster.scope} (the leader is ${leader?.name ?? 'nobody'})`,
    )
  }
  if (wanted.candidate) {
    const candidate = cluster.members.find((m) => m.name === wanted.candidate)
    if (!candidate)
      throw refused(
        `${wanted.candidate} is not a member of cluster ${cluster.scope} (members: ${cluster.members.map((m) => m.name).join(', ')})`,
      )
    if (candidate === leader) throw refused(`${candidate.name} is already the leader of cluster ${cluster.scope}`)
    if (noFailover(candidate)) throw refused(`${candidate.name} is tagged nofailover and cannot be promoted`)
    if (!isRunning(candidate)) throw refused(`${candidate.name} is not a running replica (state: ${candidate.state})`)
  } else if (action === 'failover') {
    throw usageError('failover needs --candidate')
  } else if (cluster.paused) {
    throw refused(`cluster ${cluster.scope} is paused: a switchover needs --candidate`)
  } else if (healthyReplicas(cluster).length === 0) {
    throw refused(`cluster ${cluster.scope} has no healthy replica to switch over to`)
  }
  if (wanted.scheduledAt && cluster.paused)
    throw refused(`cluster ${cluster.scope} is paused: a switchover cannot be scheduled`)
  if (wanted.scheduledAt && action === 'failover')
    throw usageError('a failover cannot be scheduled; use switchover --scheduled')
  const request: LeaderChangeRequest = {}
  // the leader seen, named: a request that reaches Patroni after the leader changed is refused
  // (412 leader name does not match) instead of demoting a healthy new leader. Patroni 4 runs a
  // failover that names the leader as a switchover, which is what a running leader wants.
  if (leader) request.leader = leader.name
  if (wanted.candidate) request.candidate = wanted.candidate
  if (wanted.scheduledAt) request.scheduled_at = wanted.scheduledAt
  return request
}

/**
 * `now` or an ISO 8601 time; a time without zone is local time, as patronictl reads it.
 * Returns the time with its offset, as Patroni requires, or undefined for now. Whether it is in
 * the past is Patroni's to say (422): its clock decides, not this host's.
 */
export function parseScheduledTime(text: string): string | undefined {
  if (text.trim() === '' || text.trim().toLowerCase() === 'now') return undefined
  if (!/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/.test(text.trim())) {
    throw usageError(
      `cannot read the time ${JSON.stringify(text)}: use ISO 8601 such as 2026-11-24T22:30 or 2026-11-24T22:30+01:00, or now`,
    )
  }
  const hasZone = /(Z|[+-]\d{2}:?\d{2})$/.test(text.trim())
  const date = new Date(hasZone ? text.trim() : text.trim().replace(' ', 'T'))
  if (Number.isNaN(date.getTime())) throw usageError(`cannot read the time ${JSON.stringify(text)}`)
  return isoWithOffset(date)
}

export function isoWithOffset(date: Date): string {
  const offset = -date.getTimezoneOffset()
  const pad = (n: number) => String(Math.trunc(Math.abs(n))).padStart(2, '0')
  const local = new Date(date.getTime() + offset * 60_000).toISOString().slice(0, 19)
  return `${local}${offset >= 0 ? '+' : '-'}${pad(offset / 60)}:${pad(offset % 60)}`
}

/** Patroni's server waits 2*max(10, loop_wait) s for a switchover; the client waits longer. */
export const leaderChangeWaitSeconds = (loopWait: number): number => 2 * Math.max(10, loopWait) + 10
