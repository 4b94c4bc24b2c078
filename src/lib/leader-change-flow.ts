import {loopWaitOf, waitForCluster} from './cluster-wait.js'
import {ExitCode, PgpError, usageError} from './errors.js'
import {changeLeader, leaderChangeTarget} from './leader-change.js'
import {renderClusters} from './list-views.js'
import type {InstanceTarget} from './listing.js'
import {type ClusterState, isRunning, leaderOf} from './patroni-cluster.js'
import {confirmOrAbort, type OperationIo, reportDryRun, requireConsent, withCluster} from './operation.js'
import type {ConnectOptions, PatroniInstance} from './patroni-instance.js'
import type {Choice, Prompter} from './prompt.js'
import {describeRequest} from './request-preview.js'
import {type LeaderChange, type LeaderChangeRequest, checkLeaderChange, describeCandidate, healthyReplicas, isoWithOffset, parseScheduledTime} from './switchover-plan.js'

export interface LeaderChangeWanted {
  leader?: string
  candidate?: string
  scheduled?: string // ISO time or "now"
  force: boolean
  dryRun: boolean
}

/** switchover and failover: topology, choices, checks, confirmation, request, outcome. */
export async function runLeaderChange(
  action: LeaderChange,
  target: InstanceTarget,
  wanted: LeaderChangeWanted,
  options: ConnectOptions,
  io: OperationIo,
): Promise<void> {
  requireConsent(action, wanted, io.prompter)
  await withCluster(target, options, async (instance, cluster) => {
    io.log(`Current cluster topology\n${await topology(instance, cluster)}`)
    const request = await planLeaderChange(action, cluster, wanted, io.prompter)
    const url = `${await leaderChangeTarget(instance, cluster, request)}/${action}`
    if (wanted.dryRun) return reportDryRun(io, [describeRequest('POST', url, request)])
    if (!wanted.force) await confirmLeaderChange(action, cluster, request, io.prompter)
    const loopWait = await loopWaitOf(instance)
    const result = await changeLeader(instance, action, cluster, request, loopWait)
    if (result.status === 'scheduled') return io.log(`${result.message}: ${action} of ${cluster.scope} at ${request.scheduled_at}`)
    io.log(result.message || `${result.newLeader} leads ${cluster.scope}`)
    // the old leader rejoins as a replica a few seconds later: show the settled topology when it does
    const settled = await waitForCluster(instance, (c) => c.members.every(isRunning), {deadline: performance.now() + 2 * loopWait * 1000})
    const latest = settled.cluster ?? result.cluster!
    io.log(await topology(instance, latest))
    const lagging = latest.members.filter((m) => !isRunning(m)).map((m) => `${m.name} (${m.state})`)
    if (lagging.length > 0) io.log(`still rejoining: ${lagging.join(', ')}; check with pgpatronictl list ${target.label}`)
  })
}

async function topology(instance: PatroniInstance, cluster: ClusterState): Promise<string> {
  return renderClusters([{cluster, systemId: cluster.systemId}], 'pretty', false)
}

/** Fills in what was not given (on a terminal: candidate and time), then checks it all. */
export async function planLeaderChange(
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
    else throw usageError(`failover needs --candidate (healthy replicas: ${replicas.map((m) => m.name).join(', ') || 'none'})`)
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

async function askCandidate(action: LeaderChange, replicas: ClusterState['members'], prompter: Prompter): Promise<string | undefined> {
  if (replicas.length === 0) throw new PgpError(`no healthy replica to ${action} to`, ExitCode.failed)
  const choices: Choice<string | undefined>[] = replicas.map((m) => ({name: describeCandidate(m), value: m.name}))
  if (action === 'switchover') choices.push({name: 'any healthy replica (Patroni chooses)', value: undefined})
  return prompter.select('Candidate', choices)
}

async function confirmLeaderChange(action: LeaderChange, cluster: ClusterState, request: LeaderChangeRequest, prompter: Prompter): Promise<void> {
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
