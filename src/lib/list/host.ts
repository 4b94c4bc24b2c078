import type {HostInstance, InstanceKind} from '../instances/discovery.js'
import type {WarningKind} from '../rest/verified-read.js'
import {ExitCode, PgpError} from '../errors.js'
import {formatInstance} from '../instances/names.js'
import {RestError} from '../rest/client.js'
import {type ClusterState, dataSource, isRunning, leaderOf} from '../rest/cluster.js'
import {type ConnectOptions, PatroniInstance} from '../rest/instance.js'
import {formatPgStatus} from '../instances/pg-common.js'
import {lagInMb, roleTitle} from '../output/member-table.js'
import type {Column, Row} from '../output/printer.js'

/** One row of the host-wide `list`: pg-common facts joined with what Patroni says. */
export interface InstanceSummary {
  instance: string
  version: string
  cluster: string
  type: InstanceKind
  port?: number
  status?: string // pg-common's online/down,recovery,...
  config?: string
  scope?: string
  rest?: string
  member?: string
  role?: string
  state?: string
  timeline?: number
  leader?: string
  members_running?: number
  members_total?: number
  max_lag_mb?: number | string
  paused?: boolean
  error?: string
  error_kind?: 'config' | 'fallback' | 'rest' // fallback: read from another member or the DCS
  warnings?: string[] // sources ignored because they proved to be another cluster
}

/** Probes every Patroni instance at once: the whole table costs one REST round-trip. */
export async function summariseHost(host: HostInstance[], options: ConnectOptions): Promise<InstanceSummary[]> {
  return Promise.all(host.map((instance) => summarise(instance, options)))
}

async function summarise(instance: HostInstance, options: ConnectOptions): Promise<InstanceSummary> {
  const summary: InstanceSummary = {
    cluster: instance.cluster,
    instance: formatInstance(instance),
    type: instance.kind,
    version: instance.version,
  }
  if (instance.pg) {
    summary.port = instance.pg.port
    summary.status = formatPgStatus(instance.pg)
  }
  if (!instance.configFile) return summary
  summary.config = instance.configFile
  let patroni: PatroniInstance | undefined
  const warn = (line: string, kind: WarningKind) => {
    if (kind === 'ignored') (summary.warnings ??= []).push(line.replace(`${summary.instance}: `, ''))
  } // a fallback is this row's `error`
  try {
    patroni = await PatroniInstance.open(summary.instance, instance.configFile, {...options, warn})
    summary.scope = patroni.scope
    summary.rest = patroni.client.access.baseUrl
    summary.member = patroni.config.memberName
    const cluster = await patroni.cluster({showSelf: true})
    Object.assign(summary, describeCluster(cluster, patroni.config.memberName))
    if (!patroni.answeredLocally(cluster)) {
      summary.error = `this host's REST API did not answer (${cluster.localFailure}); data from ${dataSource(cluster)}`
      summary.error_kind = 'fallback'
    }
  } catch (error) {
    if (!(error instanceof PgpError)) throw error
    summary.error = error.message
    summary.error_kind = error instanceof RestError ? 'rest' : 'config'
    if (error instanceof RestError) summary.state = error.kind === 'auth' ? 'refused' : 'unreachable'
  } finally {
    await patroni?.close()
  }
  return summary
}

function describeCluster(cluster: ClusterState, memberName: string | undefined): Partial<InstanceSummary> {
  const self = cluster.members.find((m) => m.name === memberName)
  const lags = cluster.members.map((m) => m.lagBytes).filter((lag) => lag !== undefined)
  const numeric = lags.filter((lag): lag is number => typeof lag === 'number')
  return {
    leader: leaderOf(cluster)?.name,
    max_lag_mb: lags.includes('unknown') ? 'unknown' : numeric.length > 0 ? lagInMb(Math.max(...numeric)) : undefined,
    members_running: cluster.members.filter(isRunning).length,
    members_total: cluster.members.length,
    paused: cluster.paused,
    role: self ? roleTitle(self.role) : undefined,
    scope: cluster.scope,
    state: self ? self.state : 'not a member',
    timeline: self?.timeline,
  }
}

/**
 * Exit status of the overview: 3 if a config could not be read, else 4 if a bootstrapped
 * Patroni instance could not be reached; a not-bootstrapped or orphan instance being down is normal.
 */
export function overviewExitCode(summaries: InstanceSummary[]): number {
  if (summaries.some((s) => s.error_kind === 'config')) return ExitCode.config
  if (summaries.some((s) => s.type === 'patroni' && s.error_kind === 'rest' && s.state === 'unreachable')) {
    return ExitCode.unreachable
  }
  return ExitCode.ok
}

export const OVERVIEW_COLUMNS: Column[] = [
  {key: 'version', title: 'Ver'},
  {key: 'cluster', title: 'Cluster'},
  {key: 'port', title: 'Port'},
  {key: 'status', title: 'Status'},
  {key: 'type', title: 'Type'},
  {key: 'scope', title: 'Scope'},
  {key: 'rest', title: 'REST API'},
  {key: 'member', title: 'Member'},
  {key: 'role', title: 'Role'},
  {key: 'state', title: 'State'},
  {align: 'right', key: 'timeline', title: 'TL'},
  {key: 'leader', title: 'Leader'},
  {key: 'members', title: 'Members'},
  {align: 'right', key: 'max_lag_mb', title: 'Lag MB'},
]

const TYPE_TITLES: Record<InstanceKind, string> = {
  not_bootstrapped: 'not-bootstrapped',
  orphan: 'orphan',
  patroni: 'patroni',
  plain: 'pg-common',
}

export function overviewRows(summaries: InstanceSummary[]): Row[] {
  return summaries.map((s) => ({
    ...s,
    members: s.members_total === undefined ? undefined : `${s.members_running}/${s.members_total}`,
    paused: undefined,
    rest: s.rest?.replace(/^http:\/\//, ''),
    state: s.paused ? `${s.state} (paused)` : s.state,
    type: TYPE_TITLES[s.type],
    warnings: undefined,
  }))
}

/** Stable key order for JSON and YAML: identity first, then pg-common, then Patroni facts. */
const RECORD_KEYS = [
  'instance',
  'version',
  'cluster',
  'type',
  'port',
  'status',
  'config',
  'scope',
  'rest',
  'member',
  'role',
  'state',
  'timeline',
  'leader',
  'members_running',
  'members_total',
  'max_lag_mb',
  'paused',
  'error',
  'warnings',
] as const

export const overviewRecords = (summaries: InstanceSummary[]): Partial<InstanceSummary>[] =>
  summaries.map((s) => Object.fromEntries(RECORD_KEYS.filter((k) => s[k] !== undefined).map((k) => [k, s[k]])))

/** Lines under the table: sources ignored as another cluster's, and why a row has no (own) Patroni data. */
export const overviewNotes = (summaries: InstanceSummary[]): string[] =>
  summaries.flatMap((s) =>
    [...(s.warnings ?? []), ...(s.error ? [s.error] : [])].map((note) => `${s.instance}: ${note}`),
  )

/** Healthy rows green, broken ones red, like pg_lsclusters on a terminal. */
export function overviewHealth(row: Row): 'bad' | 'good' | 'neutral' {
  const state = String(row.state ?? '')
  if (row.type === 'not-bootstrapped' || row.type === 'orphan') return 'neutral' // down is their normal state
  if (row.state === 'unreachable' || row.state === 'refused' || String(row.status ?? '').startsWith('down'))
    return 'bad'
  if (/^(running|streaming)/.test(state) || (row.type === 'pg-common' && String(row.status).startsWith('online')))
    return 'good'
  return 'neutral'
}
