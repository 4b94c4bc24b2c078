import {ExitCode, PgpError} from '../errors.js'
import {type FleetCluster, type FleetProblem, membersWithGone} from './fleet.js'
import {type FleetRequest, type FleetSource, type WatchMemory, fleetSources, readFleet} from './read.js'
import type {Listing} from '../list/list.js'
import {
  type MemberRecord,
  clusterFooter,
  hostText,
  lagInMb,
  layoutOf,
  memberColumns,
  memberRecords,
  mergeLayouts,
  memberRows,
  needsPort,
} from '../output/member-table.js'
import {isRunning, leaderOf} from '../rest/cluster.js'
import {
  type Column,
  type OutputFormat,
  renderAligned,
  renderAs,
  renderFramedTable,
  renderJson,
  renderTsv,
  renderYaml,
  type Row,
} from '../output/printer.js'

export interface FleetView {
  format: OutputFormat
  members: boolean // -e: a row per member, patronictl's columns
  problemsOnly: boolean // --problems
  color: boolean
}

/**
 * `list --fleet`: every cluster in the DCS, read (never written) with one request per DCS and
 * namespace. The exit status is that of a source that could not be read, else 6 (unhealthy) when
 * a cluster has a problem (whether or not --problems hides the others), else 0.
 */
export async function listFleet(
  request: FleetRequest,
  view: FleetView,
  options: {timeoutMs: number; insecure?: boolean; log?: (line: string) => void; ttl?: boolean; memory?: WatchMemory},
): Promise<Listing> {
  const {local, sources, warnings} = await fleetSources(request)
  const {clusters, failures} = await readFleet(sources, local, options)
  const worst = Math.max(...failures.map((f) => f.exitCode)) as PgpError['exitCode']
  if (failures.length === sources.length && failures.length > 0) {
    const messages = [...new Set(failures.map((f) => f.message))] // one DCS read for several namespaces fails alike
    throw messages.length === 1 ? failures[0] : new PgpError(messages.join('; '), worst)
  }
  const unhealthy = clusters.some((c) => c.problems.length > 0)
  return {
    errors: [...new Set(failures.map((f) => f.message))],
    exitCode: failures.length > 0 ? worst : unhealthy ? ExitCode.unhealthy : ExitCode.ok,
    text: await renderFleet(clusters, sources, view),
    warnings,
  }
}

export async function renderFleet(all: FleetCluster[], sources: FleetSource[], view: FleetView): Promise<string> {
  const clusters = view.problemsOnly ? all.filter((c) => c.problems.length > 0) : all
  if (view.members) {
    const text = await renderMembers(clusters, sources, view.format)
    return view.format === 'pretty' ? `${text}${text ? '\n\n' : ''}${summary(all, sources, view.problemsOnly)}` : text
  }
  switch (view.format) {
    case 'json':
      return renderJson(clusters.map(fleetRecord))
    case 'yaml':
      return renderYaml(clusters.map(fleetRecord))
    case 'tsv':
      return renderTsv(fleetColumns(clusters, sources), clusters.map(fleetRow))
    case 'pretty': {
      const paint = view.color
        ? (row: Row, line: string) => `\u001B[${row.problems ? 31 : 32}m${line}\u001B[0m`
        : undefined
      const table =
        clusters.length > 0
          ? `${renderAligned(fleetColumns(clusters, sources), clusters.map(fleetRow), paint)}\n\n`
          : ''
      return table + summary(all, sources, view.problemsOnly)
    }
  }
}

/** The line under the pretty table: how many clusters, how many unhealthy, read from where. */
function summary(all: FleetCluster[], sources: FleetSource[], problemsOnly: boolean): string {
  const where = sources.map((s) => `${s.label} ${s.namespace}`).join(', ')
  if (all.length === 0) return `No Patroni cluster in ${where}.`
  const bad = all.filter((c) => c.problems.length > 0).length
  const count = `${all.length} cluster${all.length === 1 ? '' : 's'}`
  if (bad === 0) return `${count} in ${where}: all healthy.`
  return `${count} in ${where}: ${bad} with problems${problemsOnly && bad < all.length ? ` (shown; ${all.length - bad} healthy not shown)` : ''}.`
}

/** A cluster for scripts and monitoring (-f json/yaml). */
export interface FleetRecord {
  dcs: string
  namespace: string
  scope: string
  group?: number
  instance?: string
  system_id?: string
  leader?: string
  leader_host?: string
  members_running: number
  members_total: number
  timeline?: number
  max_lag_mb?: number | string
  paused: boolean
  pending_restart?: string[]
  scheduled_switchover?: {at: string; from?: string; to?: string}
  this_host?: string[]
  healthy: boolean
  problems: FleetProblem[]
}

/** Stable keys in this order; empty ones left out. */
export function fleetRecord(cluster: FleetCluster): FleetRecord {
  const {state} = cluster
  const leader = leaderOf(state)
  // built in key order: JSON and YAML keep it
  const record = {dcs: cluster.source, namespace: cluster.namespace, scope: cluster.scope} as FleetRecord
  const set = <K extends keyof FleetRecord>(key: K, value: FleetRecord[K] | undefined) => {
    if (value !== undefined) record[key] = value
  }
  set('group', cluster.group)
  set('instance', cluster.instance)
  set('system_id', state.systemId)
  set('leader', leader?.name)
  set('leader_host', leader?.host === undefined ? undefined : hostText(leader, needsPort(state.members)))
  record.members_running = state.members.filter(isRunning).length
  record.members_total = state.members.length
  set('timeline', leader?.timeline)
  set('max_lag_mb', maxLag(cluster))
  record.paused = state.paused
  const pending = state.members.filter((m) => m.pendingRestart).map((m) => m.name)
  if (pending.length > 0) record.pending_restart = pending
  set('scheduled_switchover', state.scheduledSwitchover)
  if (cluster.thisHost.length > 0) record.this_host = cluster.thisHost
  record.healthy = cluster.problems.length === 0
  record.problems = cluster.problems
  return record
}

function fleetColumns(clusters: FleetCluster[], sources: FleetSource[]): Column[] {
  const several = new Set(sources.map((s) => `${s.label} ${s.namespace}`)).size > 1
  return [
    ...(several ? [{key: 'namespace', title: 'Namespace'}] : []),
    {key: 'scope', title: 'Scope'},
    ...(clusters.some((c) => c.group !== undefined) ? [{align: 'right' as const, key: 'group', title: 'Group'}] : []),
    {key: 'instance', title: 'Instance'},
    {key: 'leader', title: 'Leader'},
    {key: 'leader_host', title: 'Host'},
    {key: 'members', title: 'Members'},
    {align: 'right', key: 'timeline', title: 'TL'},
    {align: 'right', key: 'max_lag_mb', title: 'Lag MB'},
    {key: 'paused', title: 'Paused'},
    {key: 'pending_restart', title: 'Pending restart'},
    {key: 'scheduled_switchover', title: 'Switchover'},
    {key: 'this_host', title: 'This host'},
    {key: 'problems', title: 'Problems'},
  ]
}

function fleetRow(cluster: FleetCluster): Row {
  const record = fleetRecord(cluster)
  return {
    group: record.group,
    instance: record.instance,
    leader: record.leader,
    leader_host: record.leader_host,
    max_lag_mb: record.max_lag_mb,
    members: `${record.members_running}/${record.members_total}`,
    namespace: `${cluster.source} ${cluster.namespace}`,
    paused: record.paused ? 'yes' : undefined,
    pending_restart: record.pending_restart?.join(','),
    problems: cluster.problems.length > 0 ? cluster.problems.map((p) => p.text).join('; ') : undefined,
    scheduled_switchover: record.scheduled_switchover?.at,
    scope: record.scope,
    this_host: record.this_host?.join(','),
    timeline: record.timeline,
  }
}

function maxLag(cluster: FleetCluster): number | string | undefined {
  let max: number | undefined
  for (const member of cluster.state.members) {
    if (member.lagBytes === 'unknown') return 'unknown'
    if (typeof member.lagBytes === 'number') max = Math.max(max ?? 0, member.lagBytes)
  }
  return max === undefined ? undefined : lagInMb(max)
}

/**
 * `-e`: every member of every cluster. Machine formats are one flat list of patronictl's member
 * records plus This host, TTL and Problems (the member's own and the cluster's); pretty is one
 * framed table per cluster as `list V/C` draws it, the cluster's own problems under it (and the
 * summary line under all of them).
 */
async function renderMembers(clusters: FleetCluster[], sources: FleetSource[], format: OutputFormat): Promise<string> {
  const tables = clusters.map((cluster) => ({cluster, records: memberRecordsOf(cluster, format !== 'pretty')}))
  const records = tables.flatMap((t) => t.records)
  const extra: Column[] = [
    ...(records.some((r) => r.TTL !== undefined) ? [{align: 'right' as const, key: 'TTL', title: 'TTL'}] : []),
    {key: 'This host', title: 'This host'},
    {key: 'Problems', title: 'Problems'},
  ]
  return renderAs(format, records, {
    pretty: () =>
      tables
        .map(({cluster, records: own}) =>
          renderFramedTable({
            columns: [...memberColumns(own, true, layoutOf(cluster.state), {pretty: true}), ...extra],
            footer: [
              ...clusterFooter(cluster.state),
              ...cluster.problems.filter((p) => p.member === undefined).map((p) => ` Problem: ${p.text}`),
            ],
            rows: textRows(own, 'block'),
            title: `Cluster: ${cluster.scope}${cluster.group === undefined ? '' : ` (group ${cluster.group})`}${cluster.state.systemId ? ` (${cluster.state.systemId})` : ''}${sources.length > 1 ? ` in ${cluster.source} ${cluster.namespace}` : ''}`,
          }),
        )
        .join('\n'),
    tsv: () => {
      const layout = mergeLayouts(clusters.map((c) => layoutOf(c.state)))
      return renderTsv(
        [...memberColumns(records, true, layout, {withCluster: true}), ...extra],
        textRows(records, 'flow'),
      )
    },
  })
}

function memberRecordsOf(cluster: FleetCluster, withClusterProblems: boolean): MemberRecord[] {
  const records = memberRecords({...cluster.state, members: membersWithGone(cluster)})
  const here = new Set(cluster.thisHost)
  const clusterWide = cluster.problems.filter((p) => p.member === undefined).map((p) => p.text)
  return records.map((record) => {
    const name = String(record.Member)
    const ttl = cluster.ttls.get(name)
    if (ttl !== undefined) record.TTL = ttl
    if (here.has(name)) record['This host'] = '*'
    const own = cluster.problems.filter((p) => p.member === name).map((p) => p.text)
    const problems = withClusterProblems ? [...clusterWide, ...own] : own
    if (problems.length > 0) (record as Record<string, unknown>).Problems = problems
    return record
  })
}

/** Member rows as text: tags as in `list V/C`, problems joined. */
function textRows(records: MemberRecord[], style: 'block' | 'flow'): Row[] {
  const rows = memberRows(
    records.map((r) => {
      const rest: Record<string, unknown> = {...r}
      delete rest.Problems // shown joined, below
      return rest as MemberRecord
    }),
    style,
  )
  for (const [i, row] of rows.entries()) {
    const problems = (records[i] as {Problems?: string[]}).Problems
    if (problems) row.Problems = problems.join('; ')
  }
  return rows
}
