import {ExitCode} from '../errors.js'
import type {InstanceTarget} from '../list/list.js'
import {type MemberRole, selectMembers} from './members.js'
import {
  clusterRequestTarget,
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
import {expectSuccess, endpointOf, plainText} from '../rest/client.js'
import type {ConnectOptions} from '../rest/instance.js'
import {describeRequest} from './request-preview.js'

export interface FlushWanted {
  what: 'restart' | 'switchover'
  members: string[]
  role: MemberRole
  force: boolean
  dryRun: boolean
}

/** Cancels scheduled restarts (DELETE /restart per member) or the scheduled switchover. */
export async function runFlush(
  target: InstanceTarget,
  wanted: FlushWanted,
  options: ConnectOptions,
  io: OperationIo,
): Promise<number> {
  requireConsent(`flush ${wanted.what}`, wanted, io.prompter)
  return withCluster(target, options, async (instance, cluster) => {
    if (wanted.what === 'switchover') {
      const scheduled = cluster.scheduledSwitchover
      if (!scheduled) {
        io.log(`no switchover is scheduled in cluster ${cluster.scope}; nothing to do`)
        return ExitCode.ok
      }
      const baseUrl = await clusterRequestTarget(instance, cluster)
      if (wanted.dryRun) return reportDryRun(io, [describeRequest('DELETE', `${baseUrl}/switchover`)])
      const plan = `${scheduled.from ? ` from ${scheduled.from}` : ''}${scheduled.to ? ` to ${scheduled.to}` : ''}`
      await confirmOrAbort(
        io.prompter,
        wanted.force,
        `Cancel the switchover${plan} scheduled at ${scheduled.at} in cluster ${cluster.scope}?`,
      )
      const sent = io.journal.sending(`DELETE /switchover to ${endpointOf(baseUrl)}`)
      const answer = await instance.client.request('DELETE', '/switchover', {baseUrl})
      if (answer.status !== 404) expectSuccess(answer, endpointOf(baseUrl))
      io.journal.confirmed(sent, plainText(answer.text))
      io.log(plainText(answer.text))
      return ExitCode.ok
    }
    const members = selectMembers(cluster, wanted).filter((m) => m.scheduledRestart)
    if (members.length === 0) {
      io.log(
        `no scheduled restart in cluster ${cluster.scope}${wanted.members.length > 0 ? ` on ${wanted.members.join(', ')}` : ''}; nothing to do`,
      )
      return ExitCode.ok
    }
    if (wanted.dryRun)
      return reportDryRun(io, await dryRunEachMember(instance, members, {method: 'DELETE', path: '/restart'}))
    const list = members.map((m) => `${m.name} (at ${m.scheduledRestart!.at})`).join(', ')
    await confirmOrAbort(io.prompter, wanted.force, `Cancel the scheduled restart of ${list}?`)
    // 404: the restart ran or was cancelled meanwhile; either way none is scheduled any more
    const outcomes = await requestEachMember(
      instance,
      members,
      {method: 'DELETE', path: '/restart'},
      (status) => status === 200 || status === 404,
      io.journal,
    )
    io.log(outcomeLines(outcomes))
    return worstExit(outcomes)
  })
}
