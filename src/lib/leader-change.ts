import {waitForCluster} from './cluster-wait.js'
import {ExitCode, PgpError} from './errors.js'
import {RestError, plainText} from './patroni-client.js'
import {type ClusterState, isRunning, leaderOf, memberBaseUrl} from './patroni-cluster.js'
import type {PatroniInstance} from './patroni-instance.js'
import {type LeaderChange, type LeaderChangeRequest, leaderChangeWaitSeconds} from './switchover-plan.js'

export interface LeaderChangeResult {
  status: 'done' | 'scheduled'
  message: string // Patroni's own words
  newLeader?: string
  cluster?: ClusterState
}

/** Where the request goes: the leader (it carries the change out), else the candidate; proven to be this cluster's. */
export async function leaderChangeTarget(instance: PatroniInstance, cluster: ClusterState, request: LeaderChangeRequest): Promise<string> {
  const via = leaderOf(cluster) ?? cluster.members.find((m) => m.name === request.candidate)
  if (!via || !memberBaseUrl(via)) throw new PgpError(`no REST API address for ${via?.name ?? 'the leader'} in cluster ${cluster.scope}`, ExitCode.unreachable)
  return instance.proven(via)
}

/**
 * Sends the switchover or failover and waits for its outcome: the candidate (or, with no
 * candidate, any other member) leading and running. Patroni's "status unknown" (503) is not a
 * failure: the change may still complete, so the cluster is polled until the deadline.
 */
export async function changeLeader(
  instance: PatroniInstance,
  action: LeaderChange,
  cluster: ClusterState,
  request: LeaderChangeRequest,
  loopWait: number,
): Promise<LeaderChangeResult> {
  const oldLeader = leaderOf(cluster)?.name
  const waitMs = leaderChangeWaitSeconds(loopWait) * 1000
  const deadline = performance.now() + waitMs + 30_000
  let message = ''
  try {
    const baseUrl = await leaderChangeTarget(instance, cluster, request)
    const response = await instance.client.request('POST', `/${action}`, {baseUrl, body: request, timeoutMs: waitMs})
    message = plainText(response.text)
    if (response.status === 202) return {message, status: 'scheduled'}
    if (response.status !== 200 && !(response.status === 503 && /status unknown/i.test(message))) {
      throw new PgpError(`${action} refused by Patroni: ${response.status} ${message}`, ExitCode.failed)
    }
  } catch (error) {
    // A request that timed out or broke off may still have been carried out: find out below.
    if (!(error instanceof RestError && error.maybeCarriedOut)) throw error
    message = error.kind === 'timeout' ? `no answer from Patroni within ${waitMs / 1000}s` : `${error.endpoint}: ${error.reason}`
  }
  const outcome = await waitForCluster(
    instance,
    (state) => {
      const leader = leaderOf(state)
      return leader !== undefined && isRunning(leader) && (request.candidate ? leader.name === request.candidate : leader.name !== oldLeader)
    },
    {deadline},
  )
  if (!outcome.reached) {
    throw new PgpError(
      `${action} of ${cluster.scope} not confirmed within ${Math.round((waitMs + 30_000) / 1000)}s (${message}); it may still complete: check pgpatronictl list`,
      ExitCode.unreachable,
    )
  }
  return {cluster: outcome.cluster, message, newLeader: leaderOf(outcome.cluster!)?.name, status: 'done'}
}
