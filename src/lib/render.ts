import Table from 'cli-table3'

/** The output formats every listing command accepts (`-f`); `--json` is `-f json`. */
export const OUTPUT_FORMATS = ['pretty', 'tsv', 'json', 'yaml'] as const
export type OutputFormat = (typeof OUTPUT_FORMATS)[number]

export type Cell = number | string | undefined

export interface Column {
  key: string
  title: string
  align?: 'left' | 'right'
}

export type Row = Record<string, Cell>

const ASCII_FRAME = {
  bottom: '-', 'bottom-left': '+', 'bottom-mid': '+', 'bottom-right': '+',
  left: '|', 'left-mid': '+', mid: '-', 'mid-mid': '+', middle: '|',
  right: '|', 'right-mid': '+', top: '-', 'top-left': '+', 'top-mid': '+', 'top-right': '+',
}

/**
 * patronictl's table: an ASCII frame, the title written over the top border
 * (`+ Cluster: 15-main -----+---`), rules between rows only when a cell spans lines.
 */
export function renderFramedTable(table: {title?: string; columns: Column[]; rows: Row[]; footer?: string[]}): string {
  const multiLine = table.rows.some((row) => Object.values(row).some((v) => typeof v === 'string' && v.includes('\n')))
  const grid = new Table({
    chars: ASCII_FRAME,
    colAligns: table.columns.map((c) => c.align ?? 'left'),
    head: table.columns.map((c) => c.title),
    style: {border: [], compact: !multiLine, head: []},
  })
  for (const row of table.rows) grid.push(table.columns.map((c) => cellText(row[c.key])))
  const lines = grid.toString().split('\n')
  if (table.title && lines[0]) {
    const top = lines[0]
    const title = ` ${printable(table.title)} `.slice(0, Math.max(0, top.length - 2))
    lines[0] = top[0] + title + top.slice(1 + title.length)
  }
  return [...lines, ...(table.footer ?? []).map(printable)].join('\n')
}

/** pg_lsclusters' layout: left-aligned columns, one space apart, no trailing blanks. */
export function renderAligned(columns: Column[], rows: Row[], paint?: (row: Row, line: string) => string): string {
  const cells = rows.map((row) => columns.map((c) => cellText(row[c.key]) || '-'))
  const widths = columns.map((c, i) => Math.max(c.title.length, ...cells.map((r) => r[i]!.length)))
  const line = (values: string[]) =>
    values
      .map((v, i) => (columns[i]!.align === 'right' ? v.padStart(widths[i]!) : v.padEnd(widths[i]!)))
      .join(' ')
      .trimEnd()
  const body = cells.map((values, i) => (paint ? paint(rows[i]!, line(values)) : line(values)))
  return [line(columns.map((c) => c.title)), ...body].join('\n')
}

export function renderTsv(columns: Column[], rows: Row[]): string {
  const clean = (v: Cell) => cellText(v).replaceAll(/[\t\n]/g, ' ')
  return [columns.map((c) => c.title), ...rows.map((row) => columns.map((c) => clean(row[c.key])))]
    .map((values) => values.join('\t'))
    .join('\n')
}

export const renderJson = (records: unknown): string => JSON.stringify(records)

export async function renderYaml(records: unknown): Promise<string> {
  const {stringify} = await import('yaml')
  return stringify(records, {lineWidth: 0}).trimEnd()
}

const cellText = (value: Cell): string => (value === undefined ? '' : printable(String(value)))

/**
 * Names, hosts and states come from configs and from every member's REST API: control characters
 * in them are shown as \xNN rather than sent to the terminal (where they could clear the screen,
 * retitle the window or hide a row). Line breaks stay: multi-line cells are meant.
 */
export const printable = (text: string): string =>
  text.replaceAll(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)
