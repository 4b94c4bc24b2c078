import Table from 'cli-table3'
import stringWidth from 'string-width'
import type {Tags} from 'yaml'

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

export const ASCII_FRAME = {
  bottom: '-',
  'bottom-left': '+',
  'bottom-mid': '+',
  'bottom-right': '+',
  left: '|',
  'left-mid': '+',
  mid: '-',
  'mid-mid': '+',
  middle: '|',
  right: '|',
  'right-mid': '+',
  top: '-',
  'top-left': '+',
  'top-mid': '+',
  'top-right': '+',
}

/**
 * Rows per cli-table3 table. Its layout compares every cell with every row above it (for row
 * spans), so one table of 20,000 rows took ~29 s; tables of 50 rows, with the column widths fixed
 * for all of them, join into the same frame in linear time (~0.1 ms a row, measured).
 */
const CHUNK_ROWS = 50

/**
 * patronictl's table, drawn by cli-table3: an ASCII frame, the title written over the top border
 * (`+ Cluster: 15-main -----+---`), rules between rows only when a cell spans lines.
 */
export function renderFramedTable(table: {title?: string; columns: Column[]; rows: Row[]; footer?: string[]}): string {
  const {columns} = table
  const body = table.rows.map((row) => columns.map((c) => cellText(row[c.key])))
  const multiLine = body.some((cells) => cells.some((text) => text.includes('\n')))
  const widths = columns.map((c) => columnsOf(c.title))
  for (const cells of body) {
    for (const [i, text] of cells.entries())
      for (const line of text.split('\n')) widths[i] = Math.max(widths[i]!, columnsOf(line))
  }
  const options = {
    chars: ASCII_FRAME,
    colAligns: columns.map((c) => c.align ?? 'left'),
    colWidths: widths.map((w) => w + 2), // the cell padding, one space each side
    style: {border: [], compact: !multiLine, head: []},
  }
  const out: string[] = []
  for (let start = 0; start === 0 || start < body.length; start += CHUNK_ROWS) {
    const grid = new Table({...options, head: start === 0 ? columns.map((c) => c.title) : []})
    for (const cells of body.slice(start, start + CHUNK_ROWS)) grid.push(cells)
    const lines = grid.toString().split('\n')
    // one frame: a part's top border is the rule between rows (multi-line) or goes (compact); only the last keeps its bottom
    if (start > 0 && !multiLine) lines.shift()
    if (start + CHUNK_ROWS < body.length) lines.pop()
    out.push(...lines)
  }
  if (table.title && out[0]) {
    const top = out[0]
    const title = ` ${printable(table.title)} `.slice(0, Math.max(0, top.length - 2))
    out[0] = top[0] + title + top.slice(1 + title.length)
  }
  return [...out, ...(table.footer ?? []).map(printable)].join('\n')
}

/** Terminal columns as cli-table3 counts them: wide characters take two, combining marks none. */
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

/**
 * A listing in the format asked for: JSON and YAML of the records, TSV and the pretty form each
 * listing's own way. The one place that switches on the format.
 */
export async function renderAs(
  format: OutputFormat,
  records: unknown,
  text: {tsv: () => string; pretty: () => Promise<string> | string},
): Promise<string> {
  switch (format) {
    case 'json':
      return renderJson(records)
    case 'yaml':
      return renderYaml(records)
    case 'tsv':
      return text.tsv()
    case 'pretty':
      return text.pretty()
  }
}

/**
 * YAML that YAML 1.1 readers (PyYAML: Ansible, patronictl's own scripts) read back as the same
 * strings: the `yaml` package's 1.1 schema quotes what it would resolve to a bool, number, null
 * or timestamp, and PYYAML_IMPLICIT adds PyYAML's own resolvers (`=`, `<<`). Single quotes and
 * unindented sequences, as yaml.safe_dump writes them.
 */
export async function renderYaml(records: unknown): Promise<string> {
  const {Document, visit} = await import('yaml')
  // without the merge tag, whose own stringifier would write a '<<' string plain
  const customTags = (tags: Tags) =>
    tags.filter((t) => (typeof t === 'string' ? t !== 'merge' : t.tag !== 'tag:yaml.org,2002:merge'))
  const doc = new Document(records, {customTags, version: '1.1'})
  visit(doc, {
    Scalar(_, node) {
      if (typeof node.value === 'string' && mistypedByYaml11(node.value)) node.type = 'QUOTE_SINGLE'
    },
  })
  return doc.toString({indentSeq: false, lineWidth: 0, singleQuote: true}).trimEnd()
}

/** PyYAML's implicit resolvers (resolver.py): a plain scalar matching one is not read as a string. */
const PYYAML_IMPLICIT = [
  /^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/, // bool
  /^(?:[-+]?[0-9][0-9_]*\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/, // float
  /^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$/, // int
  /^(?:<<|=|~|null|Null|NULL|)$/, // merge, value, null
  /^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?)?$/, // timestamp
]

export const mistypedByYaml11 = (text: string): boolean => PYYAML_IMPLICIT.some((re) => re.test(text))

const cellText = (value: Cell): string => (value === undefined ? '' : printable(String(value)))

/**
 * Names, hosts and states come from configs and from every member's REST API: control characters
 * in them are shown as \xNN rather than sent to the terminal (where they could clear the screen,
 * retitle the window or hide a row). Line breaks stay: multi-line cells are meant.
 */
export const printable = (text: string): string =>
  text.replaceAll(
    /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/g,
    (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`,
  )
