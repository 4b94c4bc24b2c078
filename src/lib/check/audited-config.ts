import {ConfigDocument, type KeyPath, type Mapping} from '../config/document.js'
import {parseYamlMapping} from '../config/patroni-config.js'
import {readRegularFile} from '../config/files.js'
import {ExitCode, PgpError, describeFsError} from '../errors.js'

export type {KeyPath}

/** A setting as Patroni would see it: from the YAML, or overridden by a PATRONI_* variable. */
export interface Setting {
  value: unknown
  from: 'env' | 'yaml'
  name: string // the key path (restapi.listen) or the variable (PATRONI_RESTAPI_LISTEN)
}

/**
 * A Patroni instance config read for auditing: the raw document (every key, not only those
 * pgpatronictl needs to connect), where each key is, and the variables of Debian's shared
 * EnvironmentFile (/etc/patroni/env.conf), which override the file for every instance.
 * Values are only ever compared, never shown: many of them are passwords.
 */
export class AuditedConfig extends ConfigDocument {
  private constructor(
    file: string,
    doc: Mapping,
    readonly env: ReadonlyMap<string, string>,
    readonly envFile: string,
    private readonly locate: (path: KeyPath) => number | undefined,
  ) {
    super(doc, file)
  }

  static async load(file: string, env: ReadonlyMap<string, string>, envFile: string): Promise<AuditedConfig> {
    let text: string
    try {
      text = readRegularFile(file, 'utf8')
    } catch (error) {
      throw new PgpError(describeFsError(error, file), ExitCode.config)
    }
    const doc = await parseYamlMapping(text, file)
    return new AuditedConfig(file, doc, env, envFile, await lineLocator(text))
  }

  /** The env.conf variable wins over the YAML key, as in Patroni's own config loading. */
  setting(envName: string | undefined, ...path: KeyPath): Setting | undefined {
    const fromEnv = envName ? this.env.get(envName) : undefined
    if (fromEnv) return {from: 'env', name: envName!, value: fromEnv}
    const value = this.value(...path)
    return value === undefined || value === null ? undefined : {from: 'yaml', name: path.join('.'), value}
  }

  /** The line of a key, or of its nearest existing parent when the key is missing. */
  lineOf(...path: KeyPath): number | undefined {
    return this.locate(path)
  }

  /** File, line and key of a setting, for a finding. */
  whereOf(setting: Setting | undefined, ...path: KeyPath): {where: string; key: string; line?: number} {
    if (setting?.from === 'env') return {key: setting.name, where: this.envFile}
    return {key: path.join('.'), line: this.lineOf(...path), where: this.file}
  }
}

/** Parses the text a second time, keeping positions, so findings can name a line. */
async function lineLocator(text: string): Promise<(path: KeyPath) => number | undefined> {
  const {LineCounter, isMap, isScalar, isSeq, parseDocument} = await import('yaml')
  const lineCounter = new LineCounter()
  const doc = parseDocument(text, {lineCounter, uniqueKeys: false, version: '1.1'})
  const lineAt = (node: unknown) => {
    const range = (node as {range?: [number, number, number]} | null)?.range
    return range ? lineCounter.linePos(range[0]).line : undefined
  }
  return (path) => {
    let node: unknown = doc.contents
    let line: number | undefined
    for (const key of path) {
      if (isMap(node)) {
        // PyYAML keeps the last of duplicate keys, so the last one is where the value is.
        const pair = node.items.findLast((p) => (isScalar(p.key) ? p.key.value : p.key) === key)
        if (!pair) return line
        line = lineAt(pair.key) ?? line
        node = pair.value
      } else if (isSeq(node) && typeof key === 'number' && node.items[key] !== undefined) {
        node = node.items[key]
        line = lineAt(node) ?? line
      } else {
        return line
      }
    }
    return line
  }
}

/**
 * A systemd EnvironmentFile: KEY=VALUE lines, optional quotes, # comments. Missing is empty,
 * as `EnvironmentFile=-/etc/patroni/env.conf` makes it optional.
 */
export function readEnvironmentFile(file: string): Map<string, string> {
  const env = new Map<string, string>()
  let text: string
  try {
    text = readRegularFile(file, 'utf8')
  } catch {
    return env
  }
  for (const line of text.split('\n')) {
    const match = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line)
    if (!match?.[1] || line.trimStart().startsWith('#')) continue
    let value = match[2] ?? ''
    if (/^(["']).*\1$/.test(value)) value = value.slice(1, -1)
    env.set(match[1], value)
  }
  return env
}

export const isEmptySecret = (setting: Setting | undefined): boolean =>
  setting === undefined || setting.value === '' || setting.value === null
