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

const DATE = String.raw`(\d{4})-(\d{2})-(\d{2})`
const TIME = String.raw`(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?`
const ZONE = String.raw`Z|UTC|GMT|[+-]\d{1,2}(?::?\d{2})?`
// a zone only after a time (as dateutil: `2030-01-01 +02:00` is refused)
const SCHEDULED = new RegExp(`^(?:${DATE}(?:[T ]${TIME})?|${TIME})(?:(?<=:\\d{2}|\\.\\d{1,6})\\s*(${ZONE}))?$`, 'i')

/**
 * `now` or a time as patronictl reads it (dateutil, then local time when no zone is given):
 * `2026-11-24T22:30`, `2026-11-24 22:30`, `2026-11-24` (local midnight), `22:30` (today), each
 * with or without a zone (`Z`, `UTC`, `+01:00`, `+0100`, `-3`). Returns the time with its offset,
 * as Patroni requires, or undefined for now. Whether it is in the past is Patroni's to say (422):
 * its clock decides, not this host's. Day-first and other ambiguous forms are refused.
 */
export function parseScheduledTime(text: string): string | undefined {
  const trimmed = text.trim()
  if (trimmed === '' || trimmed.toLowerCase() === 'now') return undefined
  const refuse = () =>
    usageError(
      `cannot read the time ${JSON.stringify(text)}: use 2026-11-24T22:30 or 2026-11-24 22:30 (local time), 2026-11-24 (local midnight), 22:30 (today), any of them with a zone such as Z or +01:00, or now`,
    )
  const match = SCHEDULED.exec(trimmed)
  if (!match) throw refuse()
  const today = new Date()
  const [year, month, day] = match[1]
    ? [Number(match[1]), Number(match[2]), Number(match[3])]
    : [today.getFullYear(), today.getMonth() + 1, today.getDate()]
  const [hourText, minuteText, secondText, fraction] = match[1] ? match.slice(4, 8) : match.slice(8, 12)
  const [hour, minute, second] = [hourText, minuteText, secondText].map((part) => Number(part ?? 0))
  const ms = Math.trunc(Number(`0.${fraction ?? '0'}`) * 1000)
  // the fields as written, checked through UTC (no zone shifts them): 2026-02-30 and 24:00 are refused
  const fields = new Date(Date.UTC(year, month - 1, day, hour, minute, second))
  const exact =
    fields.getUTCFullYear() === year &&
    fields.getUTCMonth() === month - 1 &&
    fields.getUTCDate() === day &&
    fields.getUTCHours() === hour &&
    fields.getUTCMinutes() === minute &&
    fields.getUTCSeconds() === second
  if (!exact) throw refuse()
  const zone = match[12]
  const date =
    zone === undefined
      ? new Date(year, month - 1, day, hour, minute, second, ms)
      : new Date(fields.getTime() + ms - zoneOffsetMinutes(zone) * 60_000)
  return isoWithOffset(date)
}

/** `Z`, `UTC`, `+01:00`, `+0100`, `+1`, `-3` (dateutil reads a bare number as hours). */
function zoneOffsetMinutes(zone: string): number {
  if (/^(z|utc|gmt)$/i.test(zone)) return 0
  const [, sign, hours, minutes] = /^([+-])(\d{1,2}):?(\d{2})?$/.exec(zone)!
  return (sign === '-' ? -1 : 1) * (Number(hours) * 60 + Number(minutes ?? 0))
}

export function isoWithOffset(date: Date): string {
  const offset = -date.getTimezoneOffset()
  const pad = (n: number) => String(Math.trunc(Math.abs(n))).padStart(2, '0')
  const local = new Date(date.getTime() + offset * 60_000).toISOString().slice(0, 19)
  return `${local}${offset >= 0 ? '+' : '-'}${pad(offset / 60)}:${pad(offset % 60)}`
}

/** Patroni's server waits 2*max(10, loop_wait) s for a switchover; the client waits longer. */
export const leaderChangeWaitSeconds = (loopWait: number): number => 2 * Math.max(10, loopWait) + 10
