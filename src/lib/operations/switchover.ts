import {loopWaitOf, waitForCluster} from '../rest/cluster-wait.js'
import {ExitCode, PgpError, usageError} from '../errors.js'
import {changeLeader, leaderChangeBoundSeconds, leaderChangeTarget} from './switchover-wait.js'
import {renderClusters} from '../list/views.js'
import type {InstanceTarget} from '../list/list.js'
import {type ClusterState, isRunning, leaderOf, memberBaseUrl} from '../rest/cluster.js'
import {confirmOrAbort, type OperationIo, reportDryRun, requireConsent, withCluster} from './operation.js'
import type {ConnectOptions, PatroniInstance} from '../rest/instance.js'
import type {Choice, Prompter} from '../prompt/prompt.js'
import {describeRequest} from './request-preview.js'
import {saysLeader} from '../rest/member-status.js'
import {
  type LeaderChange,
  type LeaderChangeRequest,
  checkLeaderChange,
  describeCandidate,
  healthyReplicas,
  isoWithOffset,
  parseScheduledTime,
} from './switchover-plan.js'

export interface LeaderChangeWanted {
  leader?: string
  candidate?: string
  scheduled?: string // ISO time or "now"
  force: boolean
  dryRun: boolean
}

/**
 * switchover and failover: topology, choices, checks, confirmation, one request, its outcome, the
 * topology after it (always), and a look for two members running as primary. Returns the exit code.
 */
export async function runLeaderChange(
  action: LeaderChange,
  target: InstanceTarget,
  wanted: LeaderChangeWanted,
  options: ConnectOptions,
  io: OperationIo,
): Promise<number> {
  requireConsent(action, wanted, io.prompter)
  return withCluster(target, options, async (instance, cluster) => {
    io.log(`Current cluster topology\n${await topology(cluster)}`)
    const request = await planLeaderChange(action, cluster, wanted, io.prompter)
    if (wanted.dryRun)
      return reportDryRun(io, [
        describeRequest('POST', `${await leaderChangeTarget(instance, cluster, request, action)}/${action}`, request),
      ])
    if (!wanted.force) await confirmLeaderChange(action, cluster, request, io.prompter)
    const loopWait = await loopWaitOf(instance)
    const result = await changeLeader(instance, action, cluster, request, loopWait, io.journal)
    if (result.status === 'scheduled') {
      io.log(`${result.message}: ${action} of ${cluster.scope} at ${request.scheduled_at}`)
      return ExitCode.ok
    }
    const latest =
      result.status === 'done'
        ? await settled(instance, result.cluster!, loopWait)
        : (result.cluster ?? (await latestCluster(instance)))
    if (latest) io.log(await topology(latest))
    const lagging = latest?.members.filter((m) => !isRunning(m)).map((m) => `${m.name} (${m.state})`) ?? []
    if (result.status === 'done' && lagging.length > 0)
      io.log(`still rejoining: ${lagging.join(', ')}; check with pgpatronictl list ${target.label}`)
    const twoPrimaries =
      latest && result.newLeader
        ? await primariesBeside(instance, [cluster, latest], result.newLeader, leaderOf(cluster)?.name, io)
        : false
    const bound = leaderChangeBoundSeconds(loopWait)
    if (result.status === 'other') {
      const verb = action === 'switchover' ? 'switched' : 'failed'
      throw new PgpError(
        `Patroni ${verb} over to ${result.newLeader} instead of ${request.candidate} (Patroni said: ${result.message || 'nothing'})`,
        ExitCode.failed,
      )
    }
    if (result.status === 'unconfirmed') {
      throw new PgpError(
        `${action} of ${cluster.scope} not confirmed within ${bound}s (${result.message}); it may still complete: check pgpatronictl list ${target.label}`,
        ExitCode.unreachable,
      )
    }
    io.log(`${result.newLeader} leads ${cluster.scope}`)
    return twoPrimaries ? ExitCode.failed : ExitCode.ok
  })
}

/** The old leader rejoins as a replica a few seconds later: the topology once it has, within 2 loop_waits. */
async function settled(instance: PatroniInstance, cluster: ClusterState, loopWait: number): Promise<ClusterState> {
  const wait = await waitForCluster(instance, (c) => c.members.every(isRunning), {
    deadline: performance.now() + 2 * loopWait * 1000,
  })
  return wait.cluster ?? cluster
}

async function latestCluster(instance: PatroniInstance): Promise<ClusterState | undefined> {
  try {
    return await instance.cluster({poll: true})
  } catch (error) {
    if (error instanceof PgpError) return undefined // nothing to show: the error that follows says why
    throw error
  }
}

/**
 * A member that still runs as primary beside the new leader takes writes the new leader never
 * sees (split brain); an old leader whose Patroni does not answer may do so unseen. Both are
 * said; the first makes the command fail.
 */
async function primariesBeside(
  instance: PatroniInstance,
  views: ClusterState[],
  newLeader: string,
  oldLeader: string | undefined,
  io: OperationIo,
): Promise<boolean> {
  let found = false
  // the members before and after: an old leader whose key expired is gone from the latest view
  const members = new Map(views.flatMap((view) => view.members.map((m) => [m.name, m] as const)))
  await Promise.all(
    [...members.values()]
      .filter((m) => m.name !== newLeader && memberBaseUrl(m))
      .map(async (member) => {
        try {
          const {role} = await instance.memberStatus(member)
          if (saysLeader(role)) {
            found = true
            io.log(
              `Error: ${member.name} still runs as primary beside the new leader ${newLeader}: two members take writes; stop Patroni on ${member.name} (or its PostgreSQL) now`,
            )
          }
        } catch (error) {
          if (!(error instanceof PgpError)) throw error
          if (member.name !== oldLeader) return // a replica that does not answer takes no writes
          io.log(
            `Warning: ${member.name}'s Patroni does not answer (${error.message}); if its PostgreSQL still runs as primary it takes writes beside ${newLeader}: check it`,
          )
        }
      }),
  )
  return found
}

async function topology(cluster: ClusterState): Promise<string> {
  return renderClusters([{cluster, systemId: cluster.systemId}], 'pretty', false)
}

/** Fills in what was not given (on a terminal: candidate and time), then checks it all. */
async function planLeaderChange(
  action: LeaderChange,
  cluster: ClusterState,
  wanted: LeaderChangeWanted,
  prompter: Prompter,
): Promise<LeaderChangeRequest> {
  let candidate = wanted.candidate
  const replicas = healthyReplicas(cluster)
  // checked first, so the admin is not asked questions about an impossible change
  if (candidate || action === 'switchover') checkLeaderChange(action, cluster, {candidate, leader: wanted.leader})
  if (!candidate && action === 'failover') {
    if (replicas.length === 1 && !leaderOf(cluster)) candidate = replicas[0]!.name
    else if (prompter.interactive && !wanted.force) candidate = await askCandidate(action, replicas, prompter)
    else
      throw usageError(
        `failover needs --candidate (healthy replicas: ${replicas.map((m) => m.name).join(', ') || 'none'})`,
      )
  } else if (!candidate && prompter.interactive && !wanted.force) {
    candidate = await askCandidate(action, replicas, prompter)
  }
  let scheduled = wanted.scheduled
  if (action === 'switchover' && scheduled === undefined && prompter.interactive && !wanted.force) {
    const example = isoWithOffset(new Date(Date.now() + 3_600_000)).slice(0, 16)
    scheduled = await prompter.input(`When should the switchover take place (e.g. ${example})?`, 'now', (text) => {
      try {
        parseScheduledTime(text)
        return true
      } catch (error) {
        return (error as Error).message
      }
    })
  }
  const scheduledAt = scheduled === undefined ? undefined : parseScheduledTime(scheduled)
  return checkLeaderChange(action, cluster, {candidate, leader: wanted.leader, scheduledAt})
}

async function askCandidate(
  action: LeaderChange,
  replicas: ClusterState['members'],
  prompter: Prompter,
): Promise<string | undefined> {
  if (replicas.length === 0) throw new PgpError(`no healthy replica to ${action} to`, ExitCode.failed)
  const choices: Choice<string | undefined>[] = replicas.map((m) => ({name: describeCandidate(m), value: m.name}))
  if (action === 'switchover') choices.push({name: 'any healthy replica (Patroni chooses)', value: undefined})
  return prompter.select('Candidate', choices)
}

async function confirmLeaderChange(
  action: LeaderChange,
  cluster: ClusterState,
  request: LeaderChangeRequest,
  prompter: Prompter,
): Promise<void> {
  const leader = leaderOf(cluster)
  const to = request.candidate ? ` to ${request.candidate}` : ''
  const question = request.scheduled_at
    ? `Schedule a ${action} of cluster ${cluster.scope}${to} at ${request.scheduled_at}, demoting ${leader?.name}?`
    : `${action === 'switchover' ? 'Switch over' : 'Fail over'} cluster ${cluster.scope}${to}${leader ? `, demoting current leader ${leader.name}` : ''}?`
  await confirmOrAbort(prompter, false, question)
  if (action === 'failover' && leader && isRunning(leader)) {
    const risk = `The leader ${leader.name} is running: a failover does not wait for replication and may lose data (switchover is the safe way). Fail over anyway?`
    await confirmOrAbort(prompter, false, risk)
  }
}
