import type {ClusterState, Member} from '../rest/cluster.js'
import type {Column, Row} from './printer.js'

/** patronictl's member record: its JSON keys and values, so scripts port unchanged. */
export type MemberRecord = Record<string, number | string | Record<string, unknown>>

const BASE_COLUMNS: Column[] = [
  {key: 'Member', title: 'Member'},
  {key: 'Host', title: 'Host'},
  {key: 'Role', title: 'Role'},
  {key: 'State', title: 'State'},
  {align: 'right', key: 'TL', title: 'TL'},
  {align: 'right', key: 'Lag in MB', title: 'Lag in MB'},
]
const EXTENDED_COLUMNS: Column[] = [
  {key: 'Pending restart', title: 'Pending restart'},
  {key: 'Scheduled restart', title: 'Scheduled restart'},
  {key: 'Tags', title: 'Tags'},
]

/** The rows of `patronictl list -f json`: empty values are left out, numbers stay numbers. */
export function memberRecords(cluster: ClusterState): MemberRecord[] {
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
    if (member.lagBytes !== undefined) record['Lag in MB'] = lagInMb(member.lagBytes)
    if (member.pendingRestart) record['Pending restart'] = '*'
    if (member.scheduledRestart) record['Scheduled restart'] = scheduledText(member)
    if (member.tags) record.Tags = member.tags
    if (record.Host === '') delete record.Host
    return record
  })
}

/** Columns shown: the extended ones with -e, or when any member has a value for them. */
export function memberColumns(records: MemberRecord[], extended: boolean, withCluster = false): Column[] {
  const extra = EXTENDED_COLUMNS.filter((c) => extended || records.some((r) => r[c.key] !== undefined))
  return [...(withCluster ? [{key: 'Cluster', title: 'Cluster'}] : []), ...BASE_COLUMNS, ...extra]
}

/** Table cells for pretty (tags as a YAML-ish block) or tsv (tags in flow style). */
export function memberRows(records: MemberRecord[], style: 'block' | 'flow'): Row[] {
  return records.map((record) => {
    const row: Row = {}
    for (const [key, value] of Object.entries(record)) {
      row[key] = typeof value === 'object' ? formatTags(value, style) : value
    }
    return row
  })
}

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
