import stringWidth from 'string-width'

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

/**
 * patronictl's table: an ASCII frame, the title written over the top border
 * (`+ Cluster: 15-main -----+---`), rules between rows only when a cell spans lines.
 * Drawn here in one pass (the output of cli-table3, which this replaced: its layout step
 * compares every cell with every row above it, and a /cluster of 20,000 members took ~29 s).
 */
export function renderFramedTable(table: {title?: string; columns: Column[]; rows: Row[]; footer?: string[]}): string {
  const {columns} = table
  const head = columns.map((c) => [c.title])
  const body = table.rows.map((row) => columns.map((c) => cellText(row[c.key]).split('\n')))
  const multiLine = body.some((cells) => cells.some((lines) => lines.length > 1))
  const widths = columns.map(() => 0)
  for (const cells of [head, ...body]) {
    for (const [i, lines] of cells.entries()) {
      for (const line of lines) widths[i] = Math.max(widths[i]!, columnsOf(line))
    }
  }
  const rule = `+${widths.map((w) => '-'.repeat(w + 2)).join('+')}+`
  const out: string[] = [rule]
  const draw = (cells: string[][]) => {
    const height = Math.max(...cells.map((lines) => lines.length))
    for (let n = 0; n < height; n++) {
      const parts = cells.map((lines, i) => {
        const text = lines[n] ?? ''
        const pad = ' '.repeat(widths[i]! - columnsOf(text))
        return ` ${columns[i]!.align === 'right' ? pad + text : text + pad} `
      })
      out.push(`|${parts.join('|')}|`)
    }
  }
  draw(head)
  out.push(rule)
  for (const [i, cells] of body.entries()) {
    if (multiLine && i > 0) out.push(rule)
    draw(cells)
  }
  if (body.length > 0) out.push(rule)
  if (table.title) {
    const top = out[0]!
    const title = ` ${printable(table.title)} `.slice(0, Math.max(0, top.length - 2))
    out[0] = top[0] + title + top.slice(1 + title.length)
  }
  return [...out, ...(table.footer ?? []).map(printable)].join('\n')
}

/** Terminal columns: wide characters take two, combining marks none (string-width, as cli-table3 counted). */
const columnsOf = (text: string): number => (/^[\x20-\x7e]*$/.test(text) ? text.length : stringWidth(text))

/** pg_lsclusters' layout: left-aligned columns, one space apart, no trailing blanks. */
export function renderAligned(columns: Column[], rows: Row[], paint?: (row: Row, line: string) => string): string {
  const cells = rows.map((row) => columns.map((c) => cellText(row[c.key]) || '-'))
  const widths = columns.map((c) => c.title.length)
  for (const values of cells) for (const [i, v] of values.entries()) widths[i] = Math.max(widths[i]!, v.length)
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
