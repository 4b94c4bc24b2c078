import {ExitCode, PgpError, usageError} from './errors.js'
import {RestError, plainText} from './patroni-client.js'
import type {ClusterState, Member} from './patroni-cluster.js'
import {leaderOf, memberBaseUrl} from './patroni-cluster.js'
import type {InstanceTarget} from './listing.js'
import {type ConnectOptions, PatroniInstance} from './patroni-instance.js'
import {type Prompter, aborted} from './prompt.js'
import {printable} from './render.js'

export interface OperationIo {
  prompter: Prompter
  log: (text: string) => void
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
  const instance = await PatroniInstance.open(target.label, target.configFile, options)
  try {
    return await act(instance, await instance.cluster())
  } finally {
    await instance.close()
  }
}

/** Where cluster-wide requests go: the leader, else the member that answered (never the DCS). */
export function clusterRequestTarget(cluster: ClusterState): string {
  const leader = leaderOf(cluster)
  const url = leader && memberBaseUrl(leader)
  if (url) return url
  if (cluster.source !== 'dcs') return cluster.answeredBy
  throw new PgpError(`no member of ${cluster.scope} answers its REST API (the cluster was read from the DCS)`, ExitCode.unreachable)
}

export async function confirmOrAbort(prompter: Prompter, force: boolean, question: string): Promise<void> {
  if (!force && !(await prompter.confirm(question))) throw aborted()
}

export interface MemberOutcome {
  member: string
  status?: number
  text: string // Patroni's answer, or why there was none
  exitCode: number
}

/** One request per member, all at once; each answer (or failure) is kept for the report. */
export async function requestEachMember(
  instance: PatroniInstance,
  members: Member[],
  request: {method: 'DELETE' | 'POST'; path: string; body?: unknown},
  ok: (status: number) => boolean,
): Promise<MemberOutcome[]> {
  return Promise.all(
    members.map(async (member): Promise<MemberOutcome> => {
      const baseUrl = memberBaseUrl(member)
      if (!baseUrl) return {exitCode: ExitCode.failed, member: member.name, text: 'no REST API address (api_url) in the cluster'}
      try {
        const answer = await instance.client.request(request.method, request.path, {baseUrl, body: request.body})
        const text = plainText(answer.text)
        return {exitCode: ok(answer.status) ? ExitCode.ok : ExitCode.failed, member: member.name, status: answer.status, text: `${ok(answer.status) ? '' : `${answer.status} `}${text}`}
      } catch (error) {
        if (!(error instanceof RestError)) throw error
        return {exitCode: error.exitCode, member: member.name, text: error.message}
      }
    }),
  )
}

export const outcomeLines = (outcomes: MemberOutcome[]): string =>
  outcomes.map((o) => printable(`${o.member}: ${o.exitCode === ExitCode.ok ? '' : 'failed: '}${o.text}`)).join('\n')

export const worstExit = (outcomes: {exitCode: number}[]): number => Math.max(ExitCode.ok, ...outcomes.map((o) => o.exitCode))
