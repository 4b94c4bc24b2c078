import {usageError} from '../errors.js'
import {quote} from '../instances/names.js'

/** A flag every Patroni command takes, as patronictl's options before the command. */
export interface GlobalFlag {
  name: string // config-file
  char?: string // c
  aliases?: string[] // dcs
  takesValue: boolean
}

/** What argv preparation needs to know of the commands, read from their static definitions. */
export interface CliShape {
  bin: string
  commands: Record<string, {hidden?: boolean; instanceArg?: boolean; valueFlags: string[]}>
  globals: GlobalFlag[]
}

const ROOT_FLAGS = new Set(['--help', '-h', '--version'])

/**
 * patronictl's order (`-c FILE list`, `-k switchover`) made oclif's (options after the command):
 * global flags before the command move right after it, in their long form (a short flag may mean
 * something else to the command: dsn's -d is dbname). `help [COMMAND]` keeps only the command's name.
 * A mistyped command, or `15 main` for `15/main`, is a usage error that says what was meant.
 */
export function prepareArgv(argv: string[], shape: CliShape): string[] {
  const moved: string[] = []
  let i = 0
  for (; i < argv.length; i++) {
    const token = argv[i]!
    if (!token.startsWith('-') || token === '-' || ROOT_FLAGS.has(token)) break
    if (token === '--') throw usageError(`no command given (see ${shape.bin} --help)`)
    const found = globalFlagOf(token, shape.globals)
    if (!found) throw usageError(`unknown flag ${quote(token)} before the command (see ${shape.bin} --help)`)
    if (!found.flag.takesValue) moved.push(`--${found.flag.name}`)
    else if (found.value !== undefined) moved.push(`--${found.flag.name}=${found.value}`)
    else {
      const value = argv[++i]
      if (value === undefined) throw usageError(`flag --${found.flag.name} expects a value`)
      moved.push(`--${found.flag.name}=${value}`)
    }
  }
  const command = argv[i]
  const rest = argv.slice(i + 1)
  if (command === undefined) {
    if (moved.length > 0) throw usageError(`no command given after the global flags (see ${shape.bin} --help)`)
    return argv
  }
  if (ROOT_FLAGS.has(command)) return argv.slice(i) // the global flags mean nothing to --help or --version
  if (command === 'help') return helpArgv(rest, shape)
  knownCommand(command, shape)
  instanceHint(command, rest, shape)
  return [command, ...moved, ...rest]
}

/** `help [COMMAND]`, its command checked here (did you mean); global flags mean nothing to it. */
function helpArgv(rest: string[], shape: CliShape): string[] {
  const words: string[] = []
  for (let i = 0; i < rest.length; i++) {
    const token = rest[i]!
    const found = token.startsWith('-') ? globalFlagOf(token, shape.globals) : undefined
    if (!token.startsWith('-')) words.push(token)
    else if (found?.flag.takesValue && found.value === undefined) i++ // -c FILE: FILE is no command
  }
  if (words.length === 0) return ['help']
  knownCommand(words[0]!, shape)
  return ['help', words[0]!]
}

/** The flag a token names (`-c`, `-cFILE`, `--config-file`, `--dcs=URL`), with its attached value. */
function globalFlagOf(token: string, globals: GlobalFlag[]): {flag: GlobalFlag; value?: string} | undefined {
  if (token.startsWith('--')) {
    const eq = token.indexOf('=')
    const name = token.slice(2, eq < 0 ? undefined : eq)
    const flag = globals.find((g) => g.name === name || g.aliases?.includes(name))
    if (!flag || (eq >= 0 && !flag.takesValue)) return undefined
    return eq < 0 ? {flag} : {flag, value: token.slice(eq + 1)}
  }
  const flag = globals.find((g) => g.char === token[1])
  if (!flag) return undefined
  if (token.length === 2) return {flag}
  return flag.takesValue ? {flag, value: token.slice(2).replace(/^=/, '')} : undefined
}

function knownCommand(command: string, shape: CliShape): void {
  if (Object.hasOwn(shape.commands, command)) return
  const visible = Object.keys(shape.commands).filter((id) => !shape.commands[id]!.hidden)
  const guess = closest(command, visible)
  const hint = guess ? `; did you mean "${guess}"?` : ` (commands: ${visible.join(', ')})`
  throw usageError(`unknown command ${quote(command)}${hint}`)
}

/** The nearest command: at most 2 edits away (a third of the word for short ones), or a unique prefix. */
export function closest(word: string, candidates: string[]): string | undefined {
  const lower = word.toLowerCase()
  let best: string | undefined
  let bestDistance = Number.POSITIVE_INFINITY
  for (const candidate of candidates) {
    const distance = editDistance(lower, candidate)
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance]
  }
  if (best && bestDistance <= Math.min(2, Math.max(1, Math.floor(best.length / 3)))) return best
  const prefixed = candidates.filter((c) => c.startsWith(lower))
  return lower.length >= 2 && prefixed.length === 1 ? prefixed[0] : undefined
}

/** Damerau-Levenshtein (optimal string alignment): a swap of two letters is one edit. */
export function editDistance(a: string, b: string): number {
  const d = Array.from({length: a.length + 1}, (_, i) => [i, ...Array<number>(b.length).fill(0)])
  for (let j = 1; j <= b.length; j++) d[0]![j] = j
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      let value = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        value = Math.min(value, d[i - 2]![j - 2]! + 1)
      d[i]![j] = value
    }
  }
  return d[a.length]![b.length]!
}

const VERSION_WORD = /^\d+(?:\.\d+)?$/
const CLUSTER_WORD = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/

/** `list 15 main`: the instance's first word is a bare version and a cluster name follows. */
function instanceHint(command: string, rest: string[], shape: CliShape): void {
  const {instanceArg, valueFlags} = shape.commands[command]!
  if (!instanceArg) return
  for (let i = 0; i < rest.length; i++) {
    const token = rest[i]!
    if (token === '--') return
    if (token.startsWith('-') && token !== '-') {
      if (valueFlags.includes(token)) i++ // its value is not a positional word
      continue
    }
    const next = rest[i + 1]
    if (VERSION_WORD.test(token) && next !== undefined && CLUSTER_WORD.test(next))
      throw usageError(`${quote(`${token} ${next}`)} is two words: did you mean "${token}/${next}"?`)
    return // only the first positional word names the instance
  }
}
