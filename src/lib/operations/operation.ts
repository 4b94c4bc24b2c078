import {ExitCode, PgpError, usageError} from '../errors.js'
import {RestError, endpointOf, plainText} from '../rest/client.js'
import type {OperationJournal} from './journal.js'
import {describeRequest} from './request-preview.js'
import type {ClusterState, Member} from '../rest/cluster.js'
import {leaderOf, memberBaseUrl} from '../rest/cluster.js'
import type {InstanceTarget} from '../list/list.js'
import {type ConnectOptions, PatroniInstance} from '../rest/instance.js'
import {type Prompter, aborted} from '../prompt/prompt.js'
import {printable} from '../output/printer.js'

export interface OperationIo {
  prompter: Prompter
  log: (text: string) => void
  journal: OperationJournal // progress as it happens, and what to say when interrupted
}

/** Nothing changes without a yes on a terminal or --force; a script without --force is told so. */
export function requireConsent(action: string, wanted: {force: boolean; dryRun: boolean}, prompter: Prompter): void {
  if (!wanted.force && !wanted.dryRun && !prompter.interactive) {
    throw usageError(`${action} changes the cluster and needs a confirmation: run it on a terminal, or pass --force`)
  }
}

/** --dry-run: the requests, one per line (see describeRequest), and nothing sent. */
export function reportDryRun(io: OperationIo, lines: string[], how = ''): number {
  io.log(`dry run, nothing sent; would send${how}:\n${lines.join('\n')}`)
  return ExitCode.ok
}

/** Opens the instance, reads its cluster, and always closes the connections. */
export async function withCluster<T>(
  target: InstanceTarget,
  options: ConnectOptions,
  act: (instance: PatroniInstance, cluster: ClusterState) => Promise<T>,
): Promise<T> {
  const instance = await PatroniInstance.open(target.label, target.configFile, options, target.via)
  try {
    return await act(instance, await instance.cluster())
  } finally {
    await instance.close()
  }
}

/**
 * Where cluster-wide requests go: the leader, once it proved to be this cluster's, else the
 * member that answered (the read proved it); never the DCS.
 */
export async function clusterRequestTarget(instance: PatroniInstance, cluster: ClusterState): Promise<string> {
  const leader = leaderOf(cluster)
  if (leader && memberBaseUrl(leader)) return instance.proven(leader)
  if (cluster.source !== 'dcs') return cluster.answeredBy
  throw new PgpError(
    `no member of ${cluster.scope} answers its REST API (the cluster was read from the DCS)`,
    ExitCode.unreachable,
  )
}

/**
 * Patroni's 409 to PATCH /config: its write to the DCS failed, though nobody changed the
 * configuration (checked by the caller). A stalled DCS is the usual cause, and it may still carry
 * the write out when it recovers: the outcome is unknown, not refused (measured with etcd 3.4).
 */
export const configNotConfirmed = (scope: string, what: string): PgpError =>
  new PgpError(
    `${what} of ${scope} not confirmed: the DCS did not take it in time (Patroni: 409 Conflict) and nobody else changed the configuration; the DCS may be stalled, and the change may still be applied when it recovers: check with pgpatronictl show-config before repeating it`,
    ExitCode.unreachable,
  )

export async function confirmOrAbort(prompter: Prompter, force: boolean, question: string): Promise<void> {
  if (!force && !(await prompter.confirm(question))) throw aborted()
}

export interface MemberOutcome {
  member: string
  status?: number
  text: string // Patroni's answer, or why there was none
  exitCode: number
}

/** One request per member, all at once, each to a member proven to be this cluster's; each answer (or failure) is kept for the report. */
export async function requestEachMember(
  instance: PatroniInstance,
  members: Member[],
  request: {method: 'DELETE' | 'POST'; path: string; body?: unknown},
  ok: (status: number) => boolean,
  journal: OperationJournal,
): Promise<MemberOutcome[]> {
  return Promise.all(
    members.map(async (member): Promise<MemberOutcome> => {
      let sent: number | undefined
      try {
        const baseUrl = await instance.proven(member)
        sent = journal.sending(`${request.method} ${request.path} to ${member.name} (${endpointOf(baseUrl)})`)
        const answer = await instance.client.request(request.method, request.path, {baseUrl, body: request.body})
        const text = plainText(answer.text)
        if (ok(answer.status)) journal.confirmed(sent, text)
        else journal.failed(sent, `${answer.status} ${text}`)
        return {
          exitCode: ok(answer.status) ? ExitCode.ok : ExitCode.failed,
          member: member.name,
          status: answer.status,
          text: `${ok(answer.status) ? '' : `${answer.status} `}${text}`,
        }
      } catch (error) {
        if (!(error instanceof PgpError)) throw error
        if (sent !== undefined && !(error instanceof RestError && error.maybeCarriedOut))
          journal.failed(sent, error.message)
        return {exitCode: error.exitCode, member: member.name, text: error.message}
      }
    }),
  )
}

/**
 * --dry-run of one request per member: what would be sent to each, after the same proof as a
 * real run (so the addresses shown are the ones that would be used), or why nothing would be.
 */
export async function dryRunEachMember(
  instance: PatroniInstance,
  members: Member[],
  request: {method: string; path: string; body?: unknown},
  proof: {allowNoSystemId?: boolean} = {},
): Promise<string[]> {
  return Promise.all(
    members.map(async (member) => {
      try {
        return `${member.name}: ${describeRequest(request.method, `${await instance.proven(member, proof)}${request.path}`, request.body)}`
      } catch (error) {
        if (!(error instanceof PgpError)) throw error
        return `${member.name}: ${error.message}`
      }
    }),
  )
}

export const outcomeLines = (outcomes: MemberOutcome[]): string =>
  outcomes.map((o) => printable(`${o.member}: ${o.exitCode === ExitCode.ok ? '' : 'failed: '}${o.text}`)).join('\n')

export const worstExit = (outcomes: {exitCode: number}[]): number =>
  Math.max(ExitCode.ok, ...outcomes.map((o) => o.exitCode))
