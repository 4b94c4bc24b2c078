import {dirname, isAbsolute, join} from 'node:path'

import {readRegularFile, readdirQuiet} from '../config/files.js'

/**
 * Reads a postgresql.conf the way pg-common's read_conf_file does: `key = value` or `key value`,
 * quoted values with '' and backslash escapes, include / include_if_exists / include_dir
 * relative to the including file, keys lower-cased, last assignment wins. Unreadable included
 * files are skipped: an overview must not fail because one include is missing. Like PostgreSQL,
 * at most 10 levels deep; and at most 100 files in all, so that a file including itself several
 * times cannot make a listing read millions of files.
 */
export function readPostgresConf(
  file: string,
  into: Map<string, string> = new Map(),
  depth = 0,
  budget = {files: 100},
): Map<string, string> {
  if (depth > 10 || budget.files <= 0) return into
  budget.files--
  let text: string
  try {
    text = readRegularFile(file, 'utf8')
  } catch {
    return into
  }
  for (const line of text.split('\n')) {
    const entry = parseConfLine(line)
    if (!entry) continue
    const [key, value] = entry
    if (key === 'include' || key === 'include_if_exists') {
      readPostgresConf(resolveFrom(file, value), into, depth + 1, budget)
    } else if (key === 'include_dir') {
      const dir = resolveFrom(file, value)
      for (const name of readdirQuiet(dir)
        .filter((n) => n.endsWith('.conf') && !n.startsWith('.'))
        .sort()) {
        readPostgresConf(join(dir, name), into, depth + 1, budget)
      }
    } else {
      into.set(key, value)
    }
  }
  return into
}

const LINE = /^\s*([A-Za-z0-9_.-]+)\s*(?:=\s*|\s+)('(?:[^'\\]|''|\\.)*'|[^\s#']*)/

export function parseConfLine(line: string): [string, string] | undefined {
  const match = LINE.exec(line)
  if (!match?.[1] || match[2] === undefined) return undefined
  let value = match[2]
  if (value.startsWith("'")) {
    value = value.slice(1, -1).replaceAll("''", "'").replaceAll(/\\(.)/g, '$1')
  }
  return [match[1].toLowerCase(), value]
}

const resolveFrom = (file: string, path: string): string => (isAbsolute(path) ? path : join(dirname(file), path))
