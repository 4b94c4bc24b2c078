import {ExitCode, PgpError} from '../errors.js'
import {type ClusterState, isLeader, isRunning, leaderOf, type Member} from '../rest/cluster.js'

export type DsnRole = 'any' | 'leader' | 'replica'

/**
 * The member to connect to: --member by name; the leader; the running replica with the least
 * lag (name order on a tie); any: the leader if it runs, else the least-lagging running replica.
 */
export function chooseDsnMember(cluster: ClusterState, wanted: {role: DsnRole; member?: string}): Member {
  if (wanted.member) {
    const member = cluster.members.find((m) => m.name === wanted.member)
    if (!member)
      throw refused(
        `${wanted.member} is not a member of ${cluster.scope} (members: ${cluster.members.map((m) => m.name).join(', ') || 'none'})`,
      )
    return member
  }
  const leader = leaderOf(cluster)
  const replica = bestReplica(cluster)
  if (wanted.role === 'leader') {
    if (!leader) throw refused(`${cluster.scope} has no leader`)
    return leader
  }
  if (wanted.role === 'replica') {
    if (!replica) throw refused(`${cluster.scope} has no running replica`)
    return replica
  }
  const member = leader && isRunning(leader) ? leader : replica
  if (!member) throw refused(`${cluster.scope} has no running member`)
  return member
}

function bestReplica(cluster: ClusterState): Member | undefined {
  const lag = (m: Member) => (typeof m.lagBytes === 'number' ? m.lagBytes : Number.POSITIVE_INFINITY)
  return cluster.members
    .filter((m) => !isLeader(m) && isRunning(m))
    .sort((a, b) => lag(a) - lag(b) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))[0]
}

/**
 * How Debian reaches this host's own PostgreSQL: through its Unix socket directory, where
 * pg_hba's `local ... peer` lets the postgres user in without a password. A member is this
 * host's when its name is the instance config's `name`; other members get their TCP address.
 */
export function localSocketFor(
  member: Member,
  config: {memberName?: string; pgSocket?: {dir: string; port?: number}},
): {host: string; port?: number} | undefined {
  if (!config.pgSocket || !config.memberName || member.name !== config.memberName) return undefined
  return {host: config.pgSocket.dir, port: config.pgSocket.port ?? member.port}
}

/** `host=H port=P [dbname=D] [user=U]`: never a password (that belongs in ~/.pgpass). */
export function formatDsn(
  member: Member,
  extra: {dbname?: string; user?: string; socket?: {host: string; port?: number}} = {},
): string {
  if (!member.host && !extra.socket) throw refused(`${member.name} has no PostgreSQL address in the cluster state`)
  const pairs: [string, string | number | undefined][] = [
    ['host', extra.socket?.host ?? member.host],
    ['port', extra.socket ? extra.socket.port : member.port],
    ['dbname', extra.dbname],
    ['user', extra.user],
  ]
  return pairs
    .filter((pair): pair is [string, string | number] => pair[1] !== undefined)
    .map(([key, value]) => `${key}=${libpqValue(String(value))}`)
    .join(' ')
}

/** libpq's conninfo quoting: single quotes around empty values or ones with blanks, quotes or backslashes. */
export function libpqValue(value: string): string {
  return value !== '' && !/[\s'\\]/.test(value) ? value : `'${value.replaceAll(/['\\]/g, (c) => `\\${c}`)}'`
}

const refused = (message: string) => new PgpError(message, ExitCode.failed)
