import {ExitCode, PgpError} from '../errors.js'
import {type ClusterState, type Member, isLeader} from '../rest/cluster.js'

export type MemberRole = 'any' | 'leader' | 'replica'

/** `--role`: primary and master are the leader, as in patronictl. */
export const memberRole = (flag: string): MemberRole => (flag === 'any' || flag === 'replica' ? flag : 'leader')

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
  const byRole = cluster.members.filter((m) => wanted.role === 'any' || (wanted.role === 'leader') === isLeader(m))
  const chosen = wanted.members.length > 0 ? byRole.filter((m) => wanted.members.includes(m.name)) : byRole
  if (wanted.members.length > 0 && chosen.length === 0)
    throw new PgpError(`no ${wanted.role} among ${wanted.members.join(', ')}`, ExitCode.failed)
  return chosen
}
