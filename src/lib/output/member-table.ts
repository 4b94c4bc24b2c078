import type {ClusterState, Member} from '../rest/cluster.js'
import type {Column, Row} from './printer.js'

/** patronictl's member record: its JSON keys and values, so scripts port unchanged. */
export type MemberRecord = Record<string, number | string | Record<string, unknown>>

/**
 * Which columns patronictl of the server's Patroni version shows: `Lag in MB` up to 4.0; from 4.1
 * the receive and replay positions with their lag; `Pending restart reason` from 3.3.
 */
export interface MemberLayout {
  lagInMb: boolean
  lsn: boolean
  reason: boolean
}

const LSN_KEYS = ['Receive LSN', 'Receive Lag', 'Replay LSN', 'Replay Lag'] as const

export function layoutOf(cluster: ClusterState): MemberLayout {
  const version = versionParts(cluster.patroniVersion)
  if (!version) {
    // not known (DCS keys without a version): what the members carry says it
    const lsn = cluster.members.some((m) => m.receiveLsn !== undefined || m.replayLsn !== undefined)
    return {lagInMb: !lsn, lsn, reason: cluster.members.some((m) => m.pendingRestartReason)}
  }
  const atLeast = (major: number, minor: number) => version[0] > major || (version[0] === major && version[1] >= minor)
  return {lagInMb: !atLeast(4, 1), lsn: atLeast(4, 1), reason: atLeast(3, 3)}
}

/** Several clusters in one table (tsv, json): every column any of them has. */
export const mergeLayouts = (layouts: MemberLayout[]): MemberLayout =>
  layouts.length === 0
    ? {lagInMb: true, lsn: false, reason: false}
    : {
        lagInMb: layouts.some((l) => l.lagInMb),
        lsn: layouts.some((l) => l.lsn),
        reason: layouts.some((l) => l.reason),
      }

function versionParts(version: string | undefined): [number, number] | undefined {
  const match = /^(\d+)\.(\d+)/.exec(version ?? '')
  return match ? [Number(match[1]), Number(match[2])] : undefined
}

/** The rows of `patronictl list -f json`: empty values are left out, numbers stay numbers. */
export function memberRecords(cluster: ClusterState, layout = layoutOf(cluster)): MemberRecord[] {
  const withPort = needsPort(cluster.members)
  return cluster.members.map((member) => {
    const record: MemberRecord = {
      Cluster: cluster.scope,
      Member: member.name,
      Host: hostText(member, withPort),
      Role: roleTitle(member.role),
      State: member.state,
    }
    if (member.timeline !== undefined) record.TL = member.timeline
    if (layout.lagInMb && member.lagBytes !== undefined) record['Lag in MB'] = lagInMb(member.lagBytes)
    if (layout.lsn) Object.assign(record, lsnCells(member))
    if (member.pendingRestart) record['Pending restart'] = '*'
    if (layout.reason && member.pendingRestartReason)
      record['Pending restart reason'] = member.pendingRestartReason.map(([p, o, n]) => `${p}: ${o}->${n}`).join('\n')
    if (member.scheduledRestart) record['Scheduled restart'] = scheduledText(member)
    if (member.tags) record.Tags = member.tags
    if (record.Host === '') delete record.Host
    return record
  })
}

/**
 * patronictl 4.1's cells: lag in MB, an unknown lag left empty (its position says `unknown`); a
 * member that reports only its own position (older Patroni in the cluster) shows it as received
 * when streaming, else as replayed.
 */
function lsnCells(member: Member): Record<string, number | string> {
  let {receiveLag, receiveLsn, replayLag, replayLsn} = member
  if (receiveLsn === 'unknown' && replayLsn === 'unknown' && member.lsn && member.lsn !== 'unknown') {
    if (member.state === 'streaming') [receiveLag, receiveLsn] = [member.lagBytes, member.lsn]
    else [replayLag, replayLsn] = [member.lagBytes, member.lsn]
  }
  const mb = (lag: number | 'unknown' | undefined) => (typeof lag === 'number' ? lagInMb(lag) : undefined)
  const values = [receiveLsn, mb(receiveLag), replayLsn, mb(replayLag)]
  const cells: Record<string, number | string> = {}
  for (const [i, key] of LSN_KEYS.entries()) {
    const value = values[i]
    if (value !== undefined && value !== '') cells[key] = value
  }
  return cells
}

/**
 * Columns shown: the extended ones with -e, or when any member has a value for them. `pretty`:
 * both lag columns of 4.1 are titled `Lag`, as patronictl draws them (tsv keeps the long names).
 */
export function memberColumns(
  records: MemberRecord[],
  extended: boolean,
  layout: MemberLayout,
  options: {pretty?: boolean; withCluster?: boolean} = {},
): Column[] {
  const lag = (key: string): Column => ({align: 'right', key, title: options.pretty ? 'Lag' : key})
  const extra: string[] = ['Pending restart', ...(layout.reason ? ['Pending restart reason'] : [])]
  extra.push('Scheduled restart', 'Tags')
  return [
    ...(options.withCluster ? [{key: 'Cluster', title: 'Cluster'}] : []),
    {key: 'Member', title: 'Member'},
    {key: 'Host', title: 'Host'},
    {key: 'Role', title: 'Role'},
    {key: 'State', title: 'State'},
    {align: 'right', key: 'TL', title: 'TL'},
    ...(layout.lagInMb ? [{align: 'right' as const, key: 'Lag in MB', title: 'Lag in MB'}] : []),
    ...(layout.lsn
      ? [
          {align: 'right' as const, key: 'Receive LSN', title: 'Receive LSN'},
          lag('Receive Lag'),
          {align: 'right' as const, key: 'Replay LSN', title: 'Replay LSN'},
          lag('Replay Lag'),
        ]
      : []),
    ...extra.filter((key) => extended || records.some((r) => r[key] !== undefined)).map((key) => ({key, title: key})),
  ]
}

/**
 * Table cells for pretty (tags as a YAML-ish block) or tsv and topology (tags in flow style).
 * `hideLong` (pretty, topology): a restart reason longer than 50 characters is hidden, as patronictl does.
 */
export function memberRows(records: MemberRecord[], style: 'block' | 'flow', hideLong = style === 'block'): Row[] {
  return records.map((record) => {
    const row: Row = {}
    for (const [key, value] of Object.entries(record)) {
      row[key] = typeof value === 'object' ? formatTags(value, style) : value
    }
    const reason = record['Pending restart reason']
    if (hideLong && typeof reason === 'string') row['Pending restart reason'] = hideLongLines(reason)
    return row
  })
}

const hideLongLines = (text: string): string =>
  text
    .split('\n')
    .map((line) => (line.length <= 50 ? line : `${line.slice(0, line.indexOf(': '))}: [hidden - too long]`))
    .join('\n')

export function clusterFooter(cluster: ClusterState): string[] {
  const lines: string[] = []
  if (cluster.paused) lines.push(' Maintenance mode: on')
  const switchover = cluster.scheduledSwitchover
  if (switchover) {
    lines.push(` Switchover scheduled at: ${switchover.at}`)
    if (switchover.from) lines.push(`${'from'.padStart(24)}: ${switchover.from}`)
    if (switchover.to) lines.push(`${'to'.padStart(24)}: ${switchover.to}`)
  }
  return lines
}

/** patronictl shows host:port when any port is not 5432 or two members share a host. */
export function needsPort(members: Member[]): boolean {
  const hosts = members.map((m) => m.host)
  return members.some((m) => m.port !== undefined && m.port !== 5432) || new Set(hosts).size !== hosts.length
}

export function hostText(member: Member, withPort: boolean): string {
  if (!member.host) return ''
  return withPort && member.port !== undefined ? `${member.host}:${member.port}` : member.host
}

export const roleTitle = (role: string): string =>
  role
    .split('_')
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join(' ')

/** Python's round(): halves go to the even neighbour. */
export function lagInMb(lag: number | 'unknown'): number | string {
  if (lag === 'unknown') return 'unknown'
  const mb = lag / 1024 / 1024
  const floor = Math.floor(mb)
  const diff = mb - floor
  return diff > 0.5 || (diff === 0.5 && floor % 2 === 1) ? floor + 1 : floor
}

function scheduledText(member: Member): string {
  const restart = member.scheduledRestart!
  return restart.postgresVersion ? `${restart.at} if version < ${restart.postgresVersion}` : restart.at
}

function formatTags(tags: Record<string, unknown>, style: 'block' | 'flow'): string {
  const entries = Object.entries(tags).map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`)
  return style === 'block' ? entries.join('\n') : `{${entries.join(', ')}}`
}
