import {ExitCode, PgpError} from '../errors.js'
import {type ClusterState, type Member, isLeader} from '../rest/cluster.js'

/** patronictl's `--role` values; `standby` is `replica` and `master` is `primary`, as there. */
export type MemberRole = 'any' | 'leader' | 'primary' | 'replica' | 'standby-leader'

export const memberRole = (flag: string): MemberRole => {
  if (flag === 'standby') return 'replica'
  if (flag === 'master') return 'primary'
  return flag === 'any' || flag === 'primary' || flag === 'replica' || flag === 'standby-leader' ? flag : 'leader'
}

/**
 * As patronictl's get_all_members: leader is whoever holds the leader key, primary the leader of
 * a cluster that is not a standby cluster, standby-leader the leader of a standby cluster.
 */
export function hasRole(member: Member, role: MemberRole): boolean {
  if (role === 'any') return true
  if (role === 'replica') return !isLeader(member)
  if (role === 'primary') return member.role === 'leader'
  if (role === 'standby-leader') return member.role === 'standby_leader'
  return isLeader(member)
}

/**
 * The members named (all of the role when none is named), in cluster order. A name that is
 * not a member is refused before anything is sent.
 */
export function selectMembers(cluster: ClusterState, wanted: {members: string[]; role: MemberRole}): Member[] {
  for (const name of wanted.members) {
    if (!cluster.members.some((m) => m.name === name)) {
      throw new PgpError(
        `${name} is not a member of cluster ${cluster.scope} (members: ${cluster.members.map((m) => m.name).join(', ')})`,
        ExitCode.failed,
      )
    }
  }
  const byRole = cluster.members.filter((m) => hasRole(m, wanted.role))
  const chosen = wanted.members.length > 0 ? byRole.filter((m) => wanted.members.includes(m.name)) : byRole
  if (wanted.members.length > 0 && chosen.length === 0)
    throw new PgpError(`no ${wanted.role} among ${wanted.members.join(', ')}`, ExitCode.failed)
  return chosen
}
