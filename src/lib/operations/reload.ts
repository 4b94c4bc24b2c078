import {renderClusters} from '../list/views.js'
import type {InstanceTarget} from '../list/list.js'
import {type MemberRole, selectMembers} from './members.js'
import {
  confirmOrAbort,
  dryRunEachMember,
  type OperationIo,
  outcomeLines,
  reportDryRun,
  requestEachMember,
  requireConsent,
  withCluster,
  worstExit,
} from './operation.js'
import type {ConnectOptions} from '../rest/instance.js'

export interface ReloadWanted {
  members: string[]
  role: MemberRole
  force: boolean
  dryRun: boolean
}

/** POST /reload on each member: Patroni re-reads its YAML and applies it within loop_wait. */
export async function runReload(
  target: InstanceTarget,
  wanted: ReloadWanted,
  options: ConnectOptions,
  io: OperationIo,
): Promise<number> {
  requireConsent('reload', wanted, io.prompter)
  return withCluster(target, options, async (instance, cluster) => {
    io.log(await renderClusters([{cluster}], 'pretty', false))
    const members = selectMembers(cluster, wanted)
    if (wanted.dryRun)
      return reportDryRun(io, await dryRunEachMember(instance, members, {method: 'POST', path: '/reload'}))
    await confirmOrAbort(
      io.prompter,
      wanted.force,
      `Reload the configuration of ${members.map((m) => m.name).join(', ')} (cluster ${cluster.scope})?`,
    )
    const outcomes = await requestEachMember(
      instance,
      members,
      {method: 'POST', path: '/reload'},
      (status) => status === 200 || status === 202,
      io.journal,
    )
    io.log(outcomeLines(outcomes))
    return worstExit(outcomes)
  })
}
