import {randomBytes} from 'node:crypto'

import {ExitCode, PgpError} from '../errors.js'
import {type CsvField, parseCsv} from './csv.js'
import type {QueryResult} from './result.js'

/** Where and as whom psql connects; a password only ever travels in the child's environment. */
export interface PsqlTarget {
  host: string // a socket directory (starts with /) or a TCP host
  port?: number
  user?: string
  dbname?: string
  password?: string
  connectTimeoutS: number
  inRecovery?: boolean // patronictl's check for -r replica/standby/standby-leader (true) and primary (false)
}

export interface PsqlRun {
  args: string[]
  env: NodeJS.ProcessEnv
  script: string
  nonce: string
}

/**
 * psql's command line and script. The SQL is sent as ONE query through \gexec of a dollar-quoted
 * literal, as psycopg sends it (psql's own splitting at `;` would print every statement's
 * result): only the last result is shown (SHOW_ALL_RESULTS=off). Its column types come from
 * \gdesc afterwards, only for a single statement, in a read-only transaction.
 */
export function psqlRun(sql: string, target: PsqlTarget, env: NodeJS.ProcessEnv = process.env): PsqlRun {
  const nonce = `pgpt${randomBytes(8).toString('hex')}`
  const args = ['-X', '-q', '--csv', '-w', '-v', 'ON_ERROR_STOP=1', '-v', 'SHOW_ALL_RESULTS=off', '-h', target.host]
  if (target.port !== undefined) args.push('-p', String(target.port))
  if (target.user) args.push('-U', target.user)
  if (target.dbname) args.push('-d', target.dbname)
  args.push('-f', '-')
  const childEnv: NodeJS.ProcessEnv = {
    ...env,
    PGAPPNAME: 'pgpatronictl',
    PGCONNECT_TIMEOUT: String(Math.max(2, Math.ceil(target.connectTimeoutS))),
  }
  delete childEnv.PGPASSWORD
  if (target.password !== undefined) childEnv.PGPASSWORD = target.password
  else if (env.PGPASSWORD !== undefined) childEnv.PGPASSWORD = env.PGPASSWORD
  return {args, env: childEnv, nonce, script: psqlScript(sql, nonce, target.inRecovery)}
}

function psqlScript(sql: string, nonce: string, inRecovery: boolean | undefined): string {
  let tag = 'q'
  while (sql.includes(`$${tag}$`)) tag += 'q'
  const lines = [`\\pset null ${nonce}N`]
  if (inRecovery !== undefined) {
    lines.push(
      'SELECT pg_catalog.pg_is_in_recovery() AS in_recovery \\gset pgpt_',
      '\\if :pgpt_in_recovery',
      ...(inRecovery ? ['\\else'] : []),
      `\\warn ${nonce}R`,
      '\\q',
      '\\endif',
    )
  }
  lines.push(`SELECT $${tag}$${sql}$${tag}$ \\gexec`)
  const single = sql.trim().replace(/;+\s*$/, '')
  if (single && !single.includes(';') && !single.includes('\\')) {
    lines.push('\\set ON_ERROR_STOP 0', `\\echo ${nonce}D`, 'BEGIN READ ONLY;', single, '\\gdesc', '\\r', 'ROLLBACK;')
  }
  return `${lines.join('\n')}\n`
}

/** psql's output: the result, then the types where \gdesc told them. */
export function parsePsqlOutput(stdout: string, nonce: string): QueryResult {
  const marker = `\n${nonce}D\n`
  const at = stdout.startsWith(`${nonce}D\n`) ? 0 : stdout.indexOf(marker)
  const data = at < 0 ? stdout : stdout.slice(0, at)
  const describe = at < 0 ? '' : stdout.slice(at === 0 ? nonce.length + 2 : at + marker.length)
  const records = parseCsv(data)
  const nullText = `${nonce}N`
  const value = (f: CsvField) => (!f.quoted && f.text === nullText ? null : f.text)
  const columns = records[0]?.map((f) => f.text) ?? []
  const result: QueryResult = {columns, rows: records.slice(1).map((r) => r.map(value))}
  const types = describedTypes(describe, columns)
  if (types) result.types = types
  return result
}

/** \gdesc's `Column,Type` rows, used only when they name the result's columns in order. */
function describedTypes(text: string, columns: string[]): string[] | undefined {
  const records = parseCsv(text).filter((r) => !(r.length === 1 && r[0]!.text === ''))
  const header = records[0]?.map((f) => f.text)
  if (header?.[0] !== 'Column' || header[1] !== 'Type') return undefined
  const rows = records.slice(1)
  if (rows.length !== columns.length || rows.some((r, i) => r[0]?.text !== columns[i])) return undefined
  return rows.map((r) => r[1]?.text ?? '')
}

/**
 * psql's exit status as pgpatronictl's: 2 (no connection) is unreachable; 1 and 3 (an error in
 * the SQL) fail; the wrong role (patronictl: "No connection to role X is available") fails.
 */
export function psqlFailure(code: number | null, stderr: string, nonce: string, where: string): PgpError | undefined {
  const lines = stderr
    .split('\n')
    .filter((l) => !l.startsWith(nonce))
    .map((l) => l.replace(/^psql:<stdin>:\d+: /, '').trim())
    .filter(Boolean)
  if (stderr.includes(`${nonce}R`)) return new PgpError(`${where} does not have the role asked for`, ExitCode.failed)
  if (code === 0) return undefined
  let text = lines.join('; ') || `psql exited with status ${code}`
  if (/Peer authentication failed|role "[^"]*" does not exist/.test(text))
    text += ' (run as postgres for peer authentication, or give -U)'
  return new PgpError(`${where}: ${text}`, code === 2 ? ExitCode.unreachable : ExitCode.failed)
}
