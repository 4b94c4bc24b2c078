import {ExitCode, PgpError} from '../errors.js'
import {chooseDsnMember, localSocketFor} from '../output/dsn.js'
import type {ClusterState, Member} from '../rest/cluster.js'
import type {PsqlTarget} from './psql.js'

/** patronictl query's -r values (3.0.2 also master). */
export const QUERY_ROLES = ['leader', 'primary', 'master', 'standby-leader', 'replica', 'standby', 'any'] as const
export type QueryRole = (typeof QUERY_ROLES)[number]

export interface QueryMember {
  member: Member
  inRecovery?: boolean // what PostgreSQL must answer to pg_is_in_recovery() before the SQL runs
}

/**
 * The member to query, as patronictl chooses it: -m by name; the leader by default (primary: a
 * leader that is no standby leader, standby-leader: one that is); replica/standby: a running
 * replica (the least lag); any: the running leader, else a replica. Like patronictl, replica,
 * standby, standby-leader and primary are checked on the server before the SQL runs.
 */
export function chooseQueryMember(cluster: ClusterState, wanted: {role?: QueryRole; member?: string}): QueryMember {
  if (wanted.member !== undefined) return {member: chooseDsnMember(cluster, {member: wanted.member, role: 'any'})}
  const role = wanted.role ?? 'leader'
  if (role === 'any') return {member: chooseDsnMember(cluster, {role: 'any'})}
  if (role === 'replica' || role === 'standby') {
    return {inRecovery: true, member: chooseDsnMember(cluster, {role: 'replica'})}
  }
  const leader = chooseDsnMember(cluster, {role: 'leader'})
  if (role === 'standby-leader' && leader.role !== 'standby_leader')
    throw noRole(role, `${cluster.scope} is not a standby cluster`)
  if ((role === 'primary' || role === 'master') && leader.role === 'standby_leader')
    throw noRole(role, `${cluster.scope} is a standby cluster`)
  const inRecovery = role === 'standby-leader' ? true : role === 'leader' ? undefined : false
  return {inRecovery, member: leader}
}

const noRole = (role: string, why: string) =>
  new PgpError(`no connection to role ${role} is available: ${why}`, ExitCode.failed)

/**
 * How psql reaches the member: this host's own through its Unix socket directory (peer
 * authentication as postgres, Debian's template), unless --tcp; the others at their
 * connect_address. A password only in the child's environment.
 */
export function psqlTargetFor(
  chosen: QueryMember,
  config: {memberName?: string; pgSocket?: {dir: string; port?: number}},
  options: {dbname?: string; user?: string; password?: string; tcp?: boolean; connectTimeoutS: number},
): PsqlTarget {
  const {member} = chosen
  const socket = options.tcp ? undefined : localSocketFor(member, config)
  const host = socket?.host ?? member.host
  if (!host) throw new PgpError(`${member.name} has no PostgreSQL address in the cluster state`, ExitCode.failed)
  return {
    connectTimeoutS: options.connectTimeoutS,
    dbname: options.dbname,
    host,
    inRecovery: chosen.inRecovery,
    password: options.password,
    port: socket ? socket.port : member.port,
    user: options.user,
  }
}
