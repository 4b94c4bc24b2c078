/** A value as patronictl's psycopg returns it, for JSON and YAML; TSV and pretty print psql's text. */
export type QueryValue = boolean | null | number | string | unknown[] | Record<string, unknown>

export interface QueryResult {
  columns: string[] // none: the statement returns no rows (CREATE, SET, ...)
  rows: (string | null)[][] // psql's text of each value; null is SQL NULL
  types?: string[] // each column's type as psql \gdesc names it, when known
}

const INTEGER = new Set(['smallint', 'integer', 'bigint', 'oid'])
const FLOAT = new Set(['real', 'double precision'])

/** psql's text of a value typed as psycopg types it (integers, floats, booleans, json); other types stay text. */
export function typedValue(text: string | null, type: string | undefined): QueryValue {
  if (text === null || type === undefined) return text
  if (INTEGER.has(type)) {
    const value = Number(text)
    return Number.isSafeInteger(value) ? value : text // beyond 2^53 a JSON reader would round it
  }
  if (FLOAT.has(type)) {
    const value = Number(text)
    return Number.isFinite(value) ? value : text
  }
  if (type === 'boolean') return text === 't' ? true : text === 'f' ? false : text
  if (type === 'json' || type === 'jsonb') {
    try {
      return JSON.parse(text) as QueryValue
    } catch {
      return text
    }
  }
  return text
}

/** patronictl query's JSON and YAML: a list of {column: value}, a later column of the same name winning. */
export function queryRecords(result: QueryResult): Record<string, QueryValue>[] {
  return result.rows.map((row) =>
    Object.fromEntries(result.columns.map((column, i) => [column, typedValue(row[i] ?? null, result.types?.[i])])),
  )
}

/** Python's str() of a value, as patronictl's TSV prints it: None, True, False. */
export function pythonText(value: QueryValue): string {
  if (value === null) return 'None'
  if (value === true) return 'True'
  if (value === false) return 'False'
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : JSON.stringify(value)
}
