import {splitHostPort} from '../config/addresses.js'
import {RestError, endpointOf} from './client.js'

/** A member as GET /cluster returns it (Patroni 3.x and 4.x; every field optional on the wire). */
export interface RestMember {
  name?: unknown
  role?: unknown
  state?: unknown
  api_url?: unknown
  host?: unknown
  port?: unknown
  timeline?: unknown
  lag?: unknown
  lsn?: unknown
  receive_lag?: unknown
  receive_lsn?: unknown
  replay_lag?: unknown
  replay_lsn?: unknown
  pending_restart?: unknown
  pending_restart_reason?: unknown
  scheduled_restart?: {schedule?: unknown; postgres_version?: unknown}
  tags?: unknown
}

export interface RestCluster {
  members?: unknown
  pause?: unknown
  scheduled_switchover?: {at?: unknown; from?: unknown; to?: unknown}
  scope?: unknown
  patroni_version?: unknown // pgpatronictl's own: the version in the DCS member keys (clusterFromDcs)
}

export type MemberRole = 'leader' | 'quorum_standby' | 'replica' | 'standby_leader' | 'sync_standby'

export interface Member {
  name: string
  role: MemberRole | '' // '': this host's member, missing from the cluster (see withThisMember)
  state: string
  apiUrl?: string
  host?: string
  port?: number
  timeline?: number
  lagBytes?: number | 'unknown'
  lsn?: string // 4.1+: the member's WAL position (X/Y), and the receive and replay ones with their lag
  receiveLsn?: string
  receiveLag?: number | 'unknown'
  replayLsn?: string
  replayLag?: number | 'unknown'
  pendingRestart: boolean
  pendingRestartReason?: [parameter: string, oldValue: string, newValue: string][] // 3.3+
  scheduledRestart?: {at: string; postgresVersion?: string}
  tags?: Record<string, unknown>
}

export interface ClusterState {
  scope: string
  members: Member[]
  paused: boolean
  scheduledSwitchover?: {at: string; from?: string; to?: string}
  answeredBy: string // base URL of the member that answered (of the DCS, with source 'dcs')
  localFailure?: string // why this host's member did not answer, when another source did
  source?: 'dcs' | 'rest' // 'dcs': no member's REST API answered, built from the DCS keys
  dcs?: string // with source 'dcs': which one, e.g. "etcd3 127.0.0.1:2379"
  systemId?: string // the database system identifier the answer proved (absent before bootstrap)
  patroniVersion?: string // of the member that answered (of the DCS member keys): which columns patronictl shows
}

const ROLES: Record<string, MemberRole> = {
  leader: 'leader',
  master: 'leader', // Patroni <= 3.x in /patroni and the DCS
  primary: 'leader', // Patroni 4.x
  quorum_standby: 'quorum_standby',
  replica: 'replica',
  standby_leader: 'standby_leader',
  sync_standby: 'sync_standby',
}

/** Turns a /cluster answer into one model for 3.x and 4.x; a wrong shape is a `malformed` RestError. */
export function normaliseCluster(raw: unknown, scope: string, answeredBy: string): ClusterState {
  const body = raw as RestCluster
  if (typeof raw !== 'object' || raw === null || !Array.isArray(body.members)) {
    throw new RestError('malformed', endpointOf(answeredBy), 'malformed answer to GET /cluster (no members list)')
  }
  // A member without a name or role cannot be shown or acted on safely (is it the leader?).
  const valid = (m: RestMember) =>
    typeof m === 'object' && m !== null && typeof m.name === 'string' && m.name !== '' && typeof m.role === 'string'
  if (!(body.members as RestMember[]).every(valid)) {
    throw new RestError(
      'malformed',
      endpointOf(answeredBy),
      'malformed answer to GET /cluster (a member without name or role)',
    )
  }
  const members = (body.members as RestMember[])
    .map(normaliseMember)
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  const state: ClusterState = {answeredBy, members, paused: body.pause === true, scope: str(body.scope) ?? scope}
  if (str(body.patroni_version)) state.patroniVersion = str(body.patroni_version)
  const switchover = body.scheduled_switchover
  if (switchover && str(switchover.at)) {
    state.scheduledSwitchover = {at: str(switchover.at)!, from: str(switchover.from), to: str(switchover.to)}
  }
  return state
}

function normaliseMember(raw: RestMember): Member {
  const member: Member = {
    apiUrl: str(raw.api_url),
    host: str(raw.host),
    name: raw.name as string,
    pendingRestart: raw.pending_restart === true,
    port: num(raw.port),
    role: ROLES[String(raw.role)] ?? 'replica',
    state: str(raw.state) ?? 'unknown',
    timeline: num(raw.timeline),
  }
  // 4.1 adds receive_lag/replay_lag beside lag; older versions have lag only.
  const lag = raw.lag ?? raw.replay_lag ?? raw.receive_lag
  if (!isLeader(member)) {
    member.lagBytes = typeof lag === 'number' ? lag : 'unknown'
    Object.assign(member, withoutUndefined(lsnFields(raw)))
  }
  const reason = restartReason(raw.pending_restart_reason)
  if (reason.length > 0) member.pendingRestartReason = reason
  const schedule = str(raw.scheduled_restart?.schedule)
  if (schedule) member.scheduledRestart = {at: schedule, postgresVersion: str(raw.scheduled_restart?.postgres_version)}
  if (typeof raw.tags === 'object' && raw.tags !== null && Object.keys(raw.tags).length > 0) {
    member.tags = raw.tags as Record<string, unknown>
  }
  return member
}

/** 4.1+: lsn, receive_lsn/lag, replay_lsn/lag, each an X/Y position or 'unknown', lag in bytes. */
function lsnFields(raw: RestMember): Partial<Member> {
  const lag = (value: unknown) => (typeof value === 'number' ? value : value === 'unknown' ? value : undefined)
  return {
    lsn: str(raw.lsn),
    receiveLag: lag(raw.receive_lag),
    receiveLsn: str(raw.receive_lsn),
    replayLag: lag(raw.replay_lag),
    replayLsn: str(raw.replay_lsn),
  }
}

/** `{"max_connections": {"old_value": "100", "new_value": "200"}}` as [parameter, old, new] triples. */
function restartReason(raw: unknown): [string, string, string][] {
  if (typeof raw !== 'object' || raw === null) return []
  return Object.entries(raw as Record<string, {old_value?: unknown; new_value?: unknown}>).map(([name, change]) => [
    name,
    String(change?.old_value ?? ''),
    String(change?.new_value ?? ''),
  ])
}

const withoutUndefined = <T extends object>(value: T): Partial<T> =>
  Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>

const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined)
const num = (value: unknown): number | undefined => (typeof value === 'number' ? value : undefined)

/** Running Postgres: 3.0.2 reports replicas as `running`, 3.0.4+ as `streaming`. */
export const isRunning = (member: Member): boolean =>
  member.state === 'running' || member.state === 'streaming' || member.state === 'in archive recovery'

/** The member holding the leader key: the primary, or a standby cluster's standby leader. */
export const isLeader = (member: Pick<Member, 'role'>): boolean =>
  member.role === 'leader' || member.role === 'standby_leader'

export const leaderOf = (cluster: ClusterState): Member | undefined => cluster.members.find(isLeader)

/** Where the data came from, for warnings: the member that answered, or the DCS. */
export const dataSource = (cluster: ClusterState): string =>
  cluster.source === 'dcs' ? `the DCS (${cluster.dcs})` : endpointOf(cluster.answeredBy)

/**
 * This host's member added as unreachable (no role) when it is missing from the cluster: a
 * gracefully stopped Patroni deletes its member key, and the admin still looks for it.
 */
export function withThisMember(
  cluster: ClusterState,
  name: string | undefined,
  pgConnectAddress: string | undefined,
): ClusterState {
  if (!name || cluster.members.some((m) => m.name === name)) return cluster
  const self: Member = {name, pendingRestart: false, role: '', state: 'unreachable'}
  if (pgConnectAddress) [self.host, self.port] = splitHostPort(pgConnectAddress, 5432)
  const members = [...cluster.members, self].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  return {...cluster, members}
}

/** REST base URL (scheme://host:port) of a member's api_url (`.../patroni`). */
export function memberBaseUrl(member: Member): string | undefined {
  if (!member.apiUrl) return undefined
  try {
    return new URL(member.apiUrl).origin
  } catch {
    return undefined
  }
}
