import {waitForCluster} from '../rest/cluster-wait.js'
import {ExitCode, PgpError} from '../errors.js'
import type {OperationJournal} from './journal.js'
import {RestError, endpointOf, plainText} from '../rest/client.js'
import {type ClusterState, isRunning, leaderOf, memberBaseUrl} from '../rest/cluster.js'
import type {PatroniInstance} from '../rest/instance.js'
import {type LeaderChange, type LeaderChangeRequest, leaderChangeWaitSeconds} from './switchover-plan.js'

/**
 * done: the candidate (or, without one, another member) leads and runs; other: another member
 * than the candidate leads; unconfirmed: no new leader within the bound; scheduled: Patroni took it
 * for later.
 */
export interface LeaderChangeResult {
  status: 'done' | 'other' | 'scheduled' | 'unconfirmed'
  message: string // Patroni's own words, or why there were none
  newLeader?: string
  cluster?: ClusterState // the last state seen
}

/** After Patroni's own wait for the request, how long the cluster is watched for the outcome. */
const CONFIRM_SECONDS = 30

/** The bound of a switchover or failover, request and wait together (README). */
export const leaderChangeBoundSeconds = (loopWait: number): number =>
  leaderChangeWaitSeconds(loopWait) + CONFIRM_SECONDS

/**
 * Where the request goes: the leader (it carries a switchover out), proven to be this cluster's.
 * A failover is for a leader in trouble: when the leader cannot prove itself (its Patroni does
 * not answer), the candidate takes the request; it writes the failover key that decides the race
 * once the leader key expires.
 */
export async function leaderChangeTarget(
  instance: PatroniInstance,
  cluster: ClusterState,
  request: LeaderChangeRequest,
  action: LeaderChange,
  journal?: OperationJournal,
): Promise<string> {
  const leader = leaderOf(cluster)
  const candidate = cluster.members.find((m) => m.name === request.candidate)
  if (leader && memberBaseUrl(leader)) {
    try {
      return await instance.proven(leader)
    } catch (error) {
      if (!(action === 'failover' && candidate && error instanceof PgpError && error.exitCode === ExitCode.unreachable))
        throw error
      journal?.step(
        `the leader ${leader.name} does not answer (${error.message}); sending the failover to the candidate ${candidate.name}`,
      )
    }
  }
  const via = candidate ?? leader
  if (!via || !memberBaseUrl(via))
    throw new PgpError(
      `no REST API address for ${via?.name ?? 'the leader'} in cluster ${cluster.scope}`,
      ExitCode.unreachable,
    )
  return instance.proven(via)
}

/**
 * Sends the switchover or failover, once, and watches for its outcome: the first new leader
 * decides it (the candidate: done; another member: other); no leader yet means waiting, within
 * the bound. Patroni's "status unknown" (503) and a request without an answer are not failures:
 * the change may still complete, so the cluster is watched as well. Nothing is ever re-sent.
 */
export async function changeLeader(
  instance: PatroniInstance,
  action: LeaderChange,
  cluster: ClusterState,
  request: LeaderChangeRequest,
  loopWait: number,
  journal: OperationJournal,
): Promise<LeaderChangeResult> {
  const started = performance.now()
  const oldLeader = leaderOf(cluster)?.name
  const postMs = leaderChangeWaitSeconds(loopWait) * 1000
  const deadline = started + leaderChangeBoundSeconds(loopWait) * 1000
  const baseUrl = await leaderChangeTarget(instance, cluster, request, action, journal)
  const sent = journal.sending(`POST /${action} ${JSON.stringify(request)} to ${endpointOf(baseUrl)}`)
  journal.step(`${action}: sent to ${endpointOf(baseUrl)}, waiting for Patroni's answer`)
  let message: string
  try {
    const response = await instance.client.request('POST', `/${action}`, {baseUrl, body: request, timeoutMs: postMs})
    message = plainText(response.text)
    if (response.status === 202) {
      journal.confirmed(sent, message)
      return {message, status: 'scheduled'}
    }
    if (response.status !== 200 && !(response.status === 503 && /status unknown/i.test(message))) {
      journal.failed(sent, `${response.status} ${message}`)
      throw new PgpError(`${action} refused by Patroni: ${response.status} ${message}`, ExitCode.failed)
    }
    journal.step(`Patroni: ${message}`)
  } catch (error) {
    // A request that timed out or broke off may still have been carried out: find out below.
    if (!(error instanceof RestError && error.maybeCarriedOut)) throw error
    message =
      error.kind === 'timeout'
        ? `no answer from Patroni within ${postMs / 1000}s`
        : `${error.endpoint}: ${error.reason}`
    journal.step(`${action}: ${message}; watching the cluster for the outcome`)
  }
  const expected = request.candidate
  const outcome = await waitForCluster(
    instance,
    (state) => {
      const leader = leaderOf(state)
      if (!leader || leader.name === oldLeader) return false // not decided yet
      return leader.name !== expected || isRunning(leader) // another member decides it at once
    },
    {deadline},
  )
  const newLeader = outcome.cluster && leaderOf(outcome.cluster)?.name
  if (!outcome.reached) return {cluster: outcome.cluster, message, status: 'unconfirmed'}
  if (expected && newLeader !== expected) {
    journal.failed(sent, `${newLeader} leads instead of ${expected}`)
    return {cluster: outcome.cluster, message, newLeader, status: 'other'}
  }
  journal.confirmed(sent, `${newLeader} leads`)
  return {cluster: outcome.cluster, message, newLeader, status: 'done'}
}
