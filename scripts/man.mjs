// The manual page pgpatronictl(1), generated so that it never drifts from the program: the
// commands, their arguments, flags and examples from the oclif manifest the build writes
// (dist/oclif.manifest.json, the same data as `pgpatronictl COMMAND --help`), the rest from
// README.md sections. `node scripts/man.mjs [FILE]` writes it (default: stdout); scripts/deb.mjs
// puts it in the package.
import {readFileSync, writeFileSync} from 'node:fs'
import {dirname, join, resolve} from 'node:path'
import {fileURLToPath} from 'node:url'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')

/** README section `## title` (or `### title`), up to the next heading of the same or a higher level. */
export function readmeSection(readme, title) {
  const lines = readme.split('\n')
  const start = lines.findIndex((l) => /^#{2,3} /.test(l) && l.replace(/^#+ /, '') === title)
  if (start < 0) throw new Error(`README.md has no section "${title}"`)
  const level = lines[start].indexOf(' ')
  let end = start + 1
  while (end < lines.length && !(/^#+ /.test(lines[end]) && lines[end].indexOf(' ') <= level)) end++
  return lines
    .slice(start + 1, end)
    .join('\n')
    .trim()
}

const SPECIAL = {
  '\u00d7': '\\(mu',
  '\u2014': '\\(em',
  '\u2013': '\\(en',
  '\u2212': '\\-',
  '\u2265': '\\(>=',
  '\u2264': '\\(<=',
  '\u2192': '\\(->',
  '\u201c': '\\(lq',
  '\u201d': '\\(rq',
  '\u2019': "'",
}

/** Plain text for roff: backslashes, hyphens (as ASCII minus, so copied options work), other characters. */
function escape(text) {
  return text
    .replaceAll('\\', '\\e')
    .replaceAll('-', '\\-')
    .replaceAll(
      /[^\x00-\x7f]/g,
      (c) => SPECIAL[c] ?? `\\[u${c.codePointAt(0).toString(16).toUpperCase().padStart(4, '0')}]`,
    )
}

/** Markdown inline text to roff: `code` and **bold** in bold, *emphasis* in italics, links as their text. */
function inline(text) {
  const parts = []
  const pattern = /`([^`]+)`|\*\*([^*]+)\*\*|\*([^*\s][^*]*)\*|\[([^\]]+)\]\([^)]*\)/g
  let last = 0
  for (const m of text.matchAll(pattern)) {
    parts.push(escape(text.slice(last, m.index).replaceAll('\\|', '|')))
    if (m[1] !== undefined) parts.push(`\\fB${escape(m[1].replaceAll('\\|', '|'))}\\fR`)
    else if (m[2] !== undefined) parts.push(`\\fB${inline(m[2])}\\fR`)
    else if (m[3] !== undefined) parts.push(`\\fI${inline(m[3])}\\fR`)
    else parts.push(inline(m[4]))
    last = m.index + m[0].length
  }
  parts.push(escape(text.slice(last).replaceAll('\\|', '|')))
  return parts.join('')
}

/** A line of running text: roff must not see a leading '.' or "'" as a request. */
const textLine = (roff) => (/^[.']/.test(roff) ? `\\&${roff}` : roff)

/** Table cells, with `\|` inside code kept as a literal bar. */
const cells = (row) =>
  row
    .trim()
    .replace(/^\|/, '')
    .replace(/\|$/, '')
    .split(/(?<!\\)\|/)
    .map((c) => c.trim())

/**
 * Markdown blocks (paragraphs, `-` lists, tables, fenced code) to roff. A table becomes a list of
 * tagged paragraphs: the first column as the tag, the others (with their headers) as the text.
 */
export function markdownToRoff(markdown) {
  const out = []
  const lines = markdown.split('\n')
  for (let i = 0; i < lines.length;) {
    const line = lines[i]
    if (line.trim() === '') {
      i++
    } else if (line.startsWith('```')) {
      const code = []
      for (i++; i < lines.length && !lines[i].startsWith('```'); i++) code.push(lines[i])
      i++
      out.push('.PP', '.RS 4', '.nf', ...code.map((c) => textLine(escape(c))), '.fi', '.RE')
    } else if (line.startsWith('|')) {
      const rows = []
      for (; i < lines.length && lines[i].startsWith('|'); i++) rows.push(cells(lines[i]))
      const [header, , ...body] = rows
      for (const row of body) {
        out.push('.TP', textLine(inline(row[0])))
        const rest = row.slice(1).map((cell, k) => (row.length > 2 && k > 0 ? `${header[k + 1]}: ${cell}` : cell))
        out.push(textLine(rest.map(inline).join('; ')))
      }
    } else if (/^\s*- /.test(line)) {
      out.push('.PP')
      for (; i < lines.length && /^\s*- /.test(lines[i]);) {
        const item = [lines[i].replace(/^\s*- /, '')]
        for (i++; i < lines.length && /^\s{2,}\S/.test(lines[i]) && !/^\s*- /.test(lines[i]); i++)
          item.push(lines[i].trim())
        out.push('.IP \\(bu 2', textLine(inline(item.join(' '))))
      }
    } else if (/^#+ /.test(line)) {
      out.push('.SS', textLine(inline(line.replace(/^#+ /, ''))))
      i++
    } else {
      const paragraph = []
      for (; i < lines.length && lines[i].trim() !== '' && !/^(```|\||\s*- |#+ )/.test(lines[i]); i++)
        paragraph.push(lines[i].trim())
      out.push('.PP', textLine(inline(paragraph.join(' '))))
    }
  }
  return out.join('\n')
}

const template = (text, id) =>
  text.replaceAll(/<%=\s*config\.bin\s*%>/g, 'pgpatronictl').replaceAll(/<%=\s*command\.id\s*%>/g, id)

/** `INSTANCE`-style synopsis of one command, as its --help shows it. */
function usage(id, command) {
  if (command.usage)
    return template(Array.isArray(command.usage) ? command.usage[0] : command.usage, id).replace(/\s*\[FLAGS\]$/, '')
  const args = Object.values(command.args ?? {}).map((a) =>
    a.required ? a.name.toUpperCase() : `[${a.name.toUpperCase()}]`,
  )
  return [id, ...args].join(' ')
}

function flagEntry(flag) {
  const names = [
    flag.char && `\\fB\\-${flag.char}\\fR`,
    `\\fB\\-\\-${flag.allowNo ? '[no\\-]' : ''}${escape(flag.name)}\\fR`,
  ]
    .filter(Boolean)
    .join(', ')
  const value =
    flag.type === 'option'
      ? `=\\fI${flag.options ? flag.options.map(escape).join('|') : escape(flag.helpValue ?? 'VALUE')}\\fR`
      : ''
  return ['.TP', textLine(`${names}${value}`), textLine(inline(flag.summary ?? flag.description ?? ''))]
}

/** The whole page. */
export function manPage({date, manifest, readme, version}) {
  const commands = Object.entries(manifest.commands)
    .filter(([, c]) => !c.hidden)
    .sort(([a], [b]) => (a < b ? -1 : 1))
  const out = [
    `.TH PGPATRONICTL 1 "${date}" "pgpatronictl ${version}" "User Commands"`,
    '.SH NAME',
    'pgpatronictl \\- list and operate the Patroni instances of a Debian host by VERSION/CLUSTER',
    '.SH SYNOPSIS',
  ]
  for (const [id, command] of commands)
    out.push(textLine(`\\fBpgpatronictl\\fR ${escape(usage(id, command))} [\\fIoptions\\fR]`), '.br')
  out.pop()
  const intro = readme.split('\n## ')[0].split('\n').slice(1).join('\n')
  out.push(
    '.SH DESCRIPTION',
    markdownToRoff(intro),
    '.SS Naming instances',
    markdownToRoff(readmeSection(readme, 'Naming instances')),
  )
  out.push('.SH COMMANDS')
  let globals = []
  for (const [id, command] of commands) {
    out.push('.SS', textLine(`pgpatronictl ${escape(usage(id, command))}`))
    out.push('.PP', textLine(inline(template(command.summary ?? '', id))))
    if (command.description && command.description !== command.summary)
      out.push(markdownToRoff(template(command.description, id)))
    const flags = Object.values(command.flags ?? {}).filter((f) => !f.hidden)
    for (const arg of Object.values(command.args ?? {}))
      if (arg.description)
        out.push('.TP', textLine(`\\fI${arg.name.toUpperCase()}\\fR`), textLine(inline(arg.description)))
    for (const flag of flags.filter((f) => f.helpGroup !== 'GLOBAL')) out.push(...flagEntry(flag))
    if (flags.some((f) => f.helpGroup === 'GLOBAL')) globals = flags.filter((f) => f.helpGroup === 'GLOBAL')
    if (command.examples?.length) {
      out.push('.PP', 'Examples:', '.RS 4', '.nf')
      for (const example of command.examples) {
        const text = typeof example === 'string' ? example : example.command
        out.push(textLine(escape(`$ ${template(text, id)}`)))
      }
      out.push('.fi', '.RE')
    }
  }
  out.push('.SH OPTIONS', '.PP', 'Every command that acts on Patroni instances also takes:')
  for (const flag of globals) out.push(...flagEntry(flag))
  out.push('.TP', '\\fB\\-h\\fR, \\fB\\-\\-help\\fR', 'Show the help of pgpatronictl or of a command.')
  const section = (name, title) => out.push(`.SH ${name}`, markdownToRoff(readmeSection(readme, title)))
  section('"OUTPUT FORMATS"', 'Output formats')
  section('"EXIT STATUS"', 'Exit codes')
  section('ENVIRONMENT', 'Environment')
  section('FILES', 'Files')
  section('CONFIGURATION', 'Configuration')
  section('SECURITY', 'Security notes')
  out.push(
    '.SH "SEE ALSO"',
    '.BR patronictl (1),',
    '.BR pg_lsclusters (1),',
    '.BR pg_createconfig_patroni (1),',
    '.BR psql (1)',
    '.PP',
    'The full manual with examples: /usr/share/doc/pgpatronictl/README.md.gz',
  )
  return `${out.join('\n')}\n`
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
  const epoch = Number(process.env.SOURCE_DATE_EPOCH) || Date.now() / 1000
  const page = manPage({
    date: new Date(epoch * 1000).toISOString().slice(0, 10),
    manifest: JSON.parse(readFileSync(join(root, 'dist', 'oclif.manifest.json'), 'utf8')),
    readme: readFileSync(join(root, 'README.md'), 'utf8'),
    version: pkg.version,
  })
  if (process.argv[2]) writeFileSync(process.argv[2], page)
  else process.stdout.write(page)
}
