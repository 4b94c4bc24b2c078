import {waitForCluster} from '../rest/cluster-wait.js'
import {ExitCode, PgpError} from '../errors.js'
import {renderClusters} from '../list/views.js'
import type {InstanceTarget} from '../list/list.js'
import {RestError, endpointOf, plainText} from '../rest/client.js'
import {type ClusterState, isLeader, isRunning, leaderOf, type Member} from '../rest/cluster.js'
import {
  confirmOrAbort,
  dryRunEachMember,
  type OperationIo,
  reportDryRun,
  requireConsent,
  withCluster,
  worstExit,
} from './operation.js'
import type {ConnectOptions, PatroniInstance} from '../rest/instance.js'
import {type MemberRole, selectMembers} from './members.js'
import type {OperationJournal} from './journal.js'
import {parseScheduledTime} from './switchover-plan.js'

export interface RestartWanted {
  members: string[]
  role: MemberRole
  /** patronictl's --any: one member of those chosen, at random. */
  any: boolean
  /** Sent as restart_pending: Patroni decides on each member whether a restart is pending. */
  pending: boolean
  scheduled?: string
  pgVersion?: string
  timeoutSeconds?: number // sent to Patroni; also the client's deadline per member (plus a margin)
  force: boolean
  dryRun: boolean
}

/** The body of POST /restart. */
export interface RestartRequest {
  schedule?: string
  postgres_version?: string
  timeout?: string
  restart_pending?: boolean
}

export interface RestartOutcome {
  member: string
  result: 'failed' | 'not started' | 'restarted' | 'scheduled' | 'skipped'
  detail: string
  exitCode: number
}

const DEFAULT_RESTART_SECONDS = 60 // Patroni's own default wait for postgres to start
const MARGIN_SECONDS = 5

/**
 * Members to restart, replicas first (by name) and the leader last, so the leader is restarted
 * only once every replica is back and could take over. --pending filters nothing here: the DCS
 * learns of a pending restart a loop after the member does, so each member's Patroni decides.
 * --any: the members in random order; the first that Patroni does not skip is the only one.
 */
export function restartOrder(
  cluster: ClusterState,
  wanted: Pick<RestartWanted, 'any' | 'members' | 'role'>,
  random = Math.random,
): Member[] {
  const chosen = selectMembers(cluster, wanted)
  if (wanted.any) {
    const order = chosen.map((member) => ({member, key: random()}))
    return order.sort((a, b) => a.key - b.key).map(({member}) => member)
  }
  return [...chosen.filter((m) => !isLeader(m)), ...chosen.filter(isLeader)]
}

export function restartRequest(wanted: RestartWanted): RestartRequest {
  const request: RestartRequest = {}
  const schedule = wanted.scheduled === undefined ? undefined : parseScheduledTime(wanted.scheduled)
  if (schedule) request.schedule = schedule
  if (wanted.pgVersion) request.postgres_version = wanted.pgVersion
  if (wanted.timeoutSeconds !== undefined) request.timeout = String(Math.ceil(wanted.timeoutSeconds))
  if (wanted.pending) request.restart_pending = true
  return request
}

/** `restart`: choose, confirm, then one member at a time, each healthy again before the next. */
export async function runRestart(
  target: InstanceTarget,
  wanted: RestartWanted,
  options: ConnectOptions,
  io: OperationIo,
): Promise<number> {
  requireConsent('restart', wanted, io.prompter)
  const request = restartRequest(wanted)
  return withCluster(target, options, async (instance, cluster) => {
    io.log(await renderClusters([{cluster}], 'pretty', true))
    // Patroni refuses too (500); patronictl says so before sending anything
    if (request.schedule && cluster.paused)
      throw new PgpError(`cluster ${cluster.scope} is paused: a restart cannot be scheduled`, ExitCode.failed)
    let members = restartOrder(cluster, wanted)
    if (members.length === 0) {
      io.log('no member to restart')
      return ExitCode.ok
    }
    if (wanted.members.length === 0 && !wanted.any && io.prompter.interactive && !wanted.force && !wanted.dryRun) {
      const choices = members.map((m) => ({
        checked: true,
        name: `${m.name} (${isLeader(m) ? 'leader' : 'replica'}, ${m.state})`,
        value: m,
      }))
      members = await io.prompter.checkbox('Members to restart (replicas first, leader last)', choices)
    }
    if (wanted.dryRun) {
      const lines = await dryRunRestart(instance, members, request)
      return reportDryRun(io, lines, ', one at a time, each after the previous member is running again')
    }
    await confirmOrAbort(io.prompter, wanted.force, restartQuestion(cluster.scope, members, request, wanted))
    return worstExit(await restartInTurn(instance, members, request, wanted, io.journal))
  })
}

/** Each member's POST /restart, preceded by the DELETE /restart of a schedule it replaces. */
async function dryRunRestart(instance: PatroniInstance, members: Member[], request: RestartRequest): Promise<string[]> {
  const posts = await dryRunEachMember(instance, members, {body: request, method: 'POST', path: '/restart'})
  const replaced = request.schedule ? members.filter((m) => m.scheduledRestart) : []
  const cancels = await dryRunEachMember(instance, replaced, {method: 'DELETE', path: '/restart'})
  return members.flatMap((m, i) => {
    const cancel = replaced.indexOf(m)
    return cancel < 0 ? [posts[i]!] : [cancels[cancel]!, posts[i]!]
  })
}

function restartQuestion(scope: string, members: Member[], request: RestartRequest, wanted: RestartWanted): string {
  const names = members.map((m) => m.name).join(wanted.any ? ' or ' : ', ')
  const which = wanted.any ? `one of ${names}` : names
  const pending = wanted.pending ? ', where Patroni reports a pending restart' : ''
  if (!request.schedule)
    return `Restart ${which} of cluster ${scope}${pending}${members.length > 1 && !wanted.any ? ', one at a time (replicas first, leader last)' : ''}?`
  const replaced = members.filter((m) => m.scheduledRestart)
  const replacing =
    replaced.length === 0
      ? ''
      : ` This replaces the restart already scheduled on ${replaced.map((m) => `${m.name} (at ${m.scheduledRestart!.at})`).join(', ')}.`
  return `Schedule a restart of ${which} (cluster ${scope}) at ${request.schedule}${pending}?${replacing}`
}

/** One member after the other; each outcome line is printed as it is known, so an interruption loses nothing. */
async function restartInTurn(
  instance: PatroniInstance,
  members: Member[],
  request: RestartRequest,
  wanted: RestartWanted,
  journal: OperationJournal,
): Promise<RestartOutcome[]> {
  const outcomes: RestartOutcome[] = []
  const report = (outcome: RestartOutcome) => {
    outcomes.push(outcome)
    journal.step(`${outcome.member}: ${outcome.result}${outcome.detail ? ` (${outcome.detail})` : ''}`)
  }
  const seconds = (wanted.timeoutSeconds ?? DEFAULT_RESTART_SECONDS) + MARGIN_SECONDS
  journal.plan(members.map((m) => `restart of ${m.name}`))
  for (const [i, member] of members.entries()) {
    const stop = (outcome: RestartOutcome) => {
      report(outcome)
      for (const m of members.slice(i + 1))
        report({detail: `stopped after ${member.name}`, exitCode: ExitCode.ok, member: m.name, result: 'not started'})
      return outcomes
    }
    if (!request.schedule) {
      // never take a second member down: everyone else must be running before this one goes
      const now = await instance.cluster({poll: true})
      const down = now.members.filter((m) => m.name !== member.name && !isRunning(m))
      if (down.length > 0) {
        const detail = `${down.map((m) => `${m.name} is ${m.state}`).join(', ')}; restarting ${member.name} now would take a second member down`
        return stop({detail, exitCode: ExitCode.failed, member: member.name, result: 'not started'})
      }
    }
    const outcome = await restartOne(instance, member, request, wanted, seconds, journal)
    if (outcome.exitCode !== ExitCode.ok) return stop(outcome)
    report(outcome)
    if (wanted.any && outcome.result !== 'skipped') break // --any: one member, the first Patroni did not skip
  }
  return outcomes
}

async function restartOne(
  instance: PatroniInstance,
  member: Member,
  request: RestartRequest,
  wanted: RestartWanted,
  seconds: number,
  journal: OperationJournal,
): Promise<RestartOutcome> {
  const outcome = (
    result: RestartOutcome['result'],
    detail: string,
    exitCode: number = ExitCode.ok,
  ): RestartOutcome => ({
    detail,
    exitCode,
    member: member.name,
    result,
  })
  let baseUrl: string
  try {
    baseUrl = await instance.proven(member)
  } catch (error) {
    if (error instanceof PgpError) return outcome('failed', error.message, error.exitCode)
    throw error
  }
  const started = performance.now()
  const answer = request.schedule
    ? await scheduleReplacing(instance, member, baseUrl, request, {force: wanted.force, seconds}, journal)
    : await sendRestart(instance, member, baseUrl, request, seconds, journal)
  if ('failure' in answer) return outcome('failed', answer.failure.detail, answer.failure.exitCode)
  const {sent, status, text} = answer
  const settle = (settled: RestartOutcome) => {
    if (settled.exitCode === ExitCode.ok) journal.confirmed(sent, settled.result)
    else journal.failed(sent, settled.detail)
    return settled
  }
  if (status === 202) return settle(outcome('scheduled', text))
  if (status === 503 && /conditions are not satisfied/i.test(text) && (wanted.pending || wanted.pgVersion)) {
    return settle(outcome('skipped', text))
  }
  if (status !== 200) return settle(outcome('failed', `${status} ${text}`, ExitCode.failed))
  journal.confirmed(sent, 'Patroni restarted PostgreSQL')
  const deadline = started + seconds * 1000 + 30_000
  const back = await waitForCluster(instance, (c) => isHealthy(c, member.name), {deadline})
  if (!back.reached) {
    const detail = `restarted, but not running again within ${seconds + 30}s; check pgpatronictl list`
    return outcome('failed', detail, ExitCode.unreachable)
  }
  return outcome('restarted', `running again after ${((performance.now() - started) / 1000).toFixed(1)}s`)
}

/** POST /restart to a proven member, in the journal; a failure to get Patroni's answer, said as the outcome. */
async function sendRestart(
  instance: PatroniInstance,
  member: Member,
  baseUrl: string,
  request: RestartRequest,
  seconds: number,
  journal: OperationJournal,
): Promise<SendAnswer> {
  if (!request.schedule) journal.step(`${member.name}: restarting`)
  const what = request.schedule
    ? `restart of ${member.name} scheduled at ${request.schedule}`
    : `restart of ${member.name}`
  const sent = journal.sending(`${what} (POST /restart to ${endpointOf(baseUrl)})`, `restart of ${member.name}`)
  try {
    const answer = await instance.client.request('POST', '/restart', {
      baseUrl,
      body: request,
      timeoutMs: seconds * 1000,
    })
    return {sent, status: answer.status, text: plainText(answer.text)}
  } catch (error) {
    if (!(error instanceof RestError)) throw error
    // a request that timed out or broke off was delivered: a frozen Patroni may still carry it out when it wakes
    if (error.maybeCarriedOut) {
      const detail = `${error.endpoint}: ${error.reason}; it may still restart when its Patroni answers again`
      return {failure: {detail, exitCode: error.exitCode}}
    }
    journal.failed(sent, error.reason)
    return {failure: {detail: error.message, exitCode: error.exitCode}}
  }
}

type SendAnswer = {sent: number; status: number; text: string} | {failure: {detail: string; exitCode: number}}

/**
 * A scheduled restart over one already scheduled: Patroni refuses (409), so, as patronictl,
 * the old one is cancelled first (DELETE /restart) when the snapshot shows it (the question said
 * so), or with --force when Patroni's 409 is the first to tell.
 */
async function scheduleReplacing(
  instance: PatroniInstance,
  member: Member,
  baseUrl: string,
  request: RestartRequest,
  {force, seconds}: {force: boolean; seconds: number},
  journal: OperationJournal,
): Promise<SendAnswer> {
  let cancelled = false
  if (member.scheduledRestart) {
    const failure = await cancelScheduled(instance, member, baseUrl, journal)
    if (failure) return {failure}
    cancelled = true
  }
  const answer = await sendRestart(instance, member, baseUrl, request, seconds, journal)
  if (cancelled || !force || !('status' in answer) || answer.status !== 409) return answer
  const failure = await cancelScheduled(instance, member, baseUrl, journal)
  return failure ? {failure} : sendRestart(instance, member, baseUrl, request, seconds, journal)
}

/** DELETE /restart; a 404 (none scheduled any more) is as good. A failure, said as an outcome. */
async function cancelScheduled(
  instance: PatroniInstance,
  member: Member,
  baseUrl: string,
  journal: OperationJournal,
): Promise<{detail: string; exitCode: number} | undefined> {
  const at = member.scheduledRestart ? ` at ${member.scheduledRestart.at}` : ''
  const sent = journal.sending(
    `cancel of the restart of ${member.name} scheduled${at} (DELETE /restart to ${endpointOf(baseUrl)})`,
  )
  try {
    const answer = await instance.client.request('DELETE', '/restart', {baseUrl})
    const text = plainText(answer.text)
    if (answer.status === 200 || answer.status === 404) {
      journal.confirmed(sent, text)
      return undefined
    }
    journal.failed(sent, `${answer.status} ${text}`)
    return {detail: `cancelling its scheduled restart: ${answer.status} ${text}`, exitCode: ExitCode.failed}
  } catch (error) {
    if (!(error instanceof RestError)) throw error
    if (!error.maybeCarriedOut) journal.failed(sent, error.reason)
    return {detail: `cancelling its scheduled restart: ${error.message}`, exitCode: error.exitCode}
  }
}

/** Running, and a replica also replicating again (a numeric lag), or leading. */
function isHealthy(cluster: ClusterState, name: string): boolean {
  const member = cluster.members.find((m) => m.name === name)
  if (!member || !isRunning(member)) return false
  return member === leaderOf(cluster) || typeof member.lagBytes === 'number'
}
