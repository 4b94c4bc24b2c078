import {ExitCode} from '../errors.js'
import {type InstanceName, compareInstances, parseInstanceName} from '../instances/names.js'
import {type Column, type OutputFormat, renderAs, renderTsv} from '../output/printer.js'

export type Severity = 'error' | 'info' | 'warning'

/** One problem found by `check`: what, where (never a value from the config), and how to fix it. */
export interface Finding {
  severity: Severity
  instance: string // 15/main
  check: string // a stable id scripts can filter on: rest-auth, start-conf, ...
  where: string // a file, a REST endpoint (host:port) or a systemd unit link
  key?: string // key path (restapi.listen), variable (PATRONI_RESTAPI_LISTEN) or request (GET /cluster)
  line?: number
  problem: string
  fix: string
}

export interface AuditReport {
  checked: string[] // the instances audited
  findings: Finding[]
}

const SEVERITY_ORDER: Record<Severity, number> = {error: 0, info: 2, warning: 1}

/** By instance as pg_lsclusters sorts, then errors first. */
export function sortFindings(findings: Finding[]): Finding[] {
  const nameOf = (f: Finding): InstanceName => parseInstanceName(f.instance)
  return [...findings].sort(
    (a, b) => compareInstances(nameOf(a), nameOf(b)) || SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity],
  )
}

/** 0 without errors; warnings and infos do not fail a run. */
export const auditExitCode = (report: AuditReport): number =>
  report.findings.some((f) => f.severity === 'error') ? ExitCode.failed : ExitCode.ok

const COLUMNS: Column[] = [
  {key: 'severity', title: 'Severity'},
  {key: 'instance', title: 'Instance'},
  {key: 'check', title: 'Check'},
  {key: 'location', title: 'Where'},
  {key: 'problem', title: 'Problem'},
  {key: 'fix', title: 'Fix'},
]

const RECORD_KEYS = ['severity', 'instance', 'check', 'where', 'key', 'line', 'problem', 'fix'] as const

const locationOf = (f: Finding): string => `${f.where}${f.line ? `:${f.line}` : ''}${f.key ? ` ${f.key}` : ''}`

export async function renderAudit(report: AuditReport, format: OutputFormat, color: boolean): Promise<string> {
  const records = report.findings.map((f) =>
    Object.fromEntries(RECORD_KEYS.filter((k) => f[k] !== undefined).map((k) => [k, f[k]])),
  )
  return renderAs(format, records, {
    pretty: () => renderPretty(report, color),
    tsv: () =>
      renderTsv(
        COLUMNS,
        report.findings.map((f) => ({...f, location: locationOf(f)})),
      ),
  })
}

/** Three lines a finding: severity, instance and problem; where; fix. Then a one-line summary. */
function renderPretty(report: AuditReport, color: boolean): string {
  const paint = (severity: Severity, text: string) =>
    !color
      ? text
      : severity === 'error'
        ? `\u001B[31m${text}\u001B[0m`
        : severity === 'warning'
          ? `\u001B[33m${text}\u001B[0m`
          : text
  const width = Math.max(0, ...report.findings.map((f) => f.instance.length))
  const blocks = report.findings.map((f) => {
    const indent = ' '.repeat(8 + width + 1)
    return [
      `${paint(f.severity, f.severity.padEnd(7))} ${f.instance.padEnd(width)} ${f.problem} [${f.check}]`,
      `${indent}where: ${locationOf(f)}`,
      `${indent}fix:   ${f.fix}`,
    ].join('\n')
  })
  const count = (severity: Severity, word: string) => {
    const n = report.findings.filter((f) => f.severity === severity).length
    return `${n} ${word}${n === 1 ? '' : 's'}`
  }
  const checked = report.checked.length
  const summary =
    checked === 0
      ? 'No PostgreSQL instances on this host.'
      : `${checked} instance${checked === 1 ? '' : 's'} checked: ${count('error', 'error')}, ${count('warning', 'warning')}, ${count('info', 'info')}`
  return [...blocks, summary].join('\n\n')
}
