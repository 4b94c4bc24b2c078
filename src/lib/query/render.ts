import {type Column, type Row, renderFramedTable, renderJson, renderYaml} from '../output/printer.js'
import {type QueryResult, pythonText, queryRecords, typedValue} from './result.js'

export const QUERY_FORMATS = ['pretty', 'tsv', 'json', 'yaml', 'yml'] as const
export type QueryFormat = (typeof QUERY_FORMATS)[number]

/**
 * patronictl query's output: TSV (its default) is a header line and rows joined by the
 * delimiter, NULL as None and booleans as True/False (Python's str); pretty a left-aligned table;
 * JSON and YAML a list of {column: value} with integers, floats, booleans and json typed.
 * A statement without result columns prints nothing in TSV and pretty, [] in JSON and YAML.
 */
export async function renderQuery(result: QueryResult, format: QueryFormat, delimiter = '\t'): Promise<string> {
  if (format === 'json') return renderJson(queryRecords(result))
  if (format === 'yaml' || format === 'yml') return renderYaml(queryRecords(result))
  if (result.columns.length === 0) return ''
  const cells = result.rows.map((row) =>
    result.columns.map((_, i) => {
      const text = row[i] ?? null
      const value = typedValue(text, result.types?.[i])
      return typeof value === 'object' && value !== null ? (text ?? '') : pythonText(value)
    }),
  )
  if (format === 'tsv') return [result.columns, ...cells].map((r) => r.join(delimiter)).join('\n')
  const columns: Column[] = result.columns.map((title, i) => ({key: String(i), title}))
  const rows: Row[] = cells.map((r) => Object.fromEntries(r.map((text, i) => [String(i), text])))
  return renderFramedTable({columns, rows})
}
