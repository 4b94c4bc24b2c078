import {ExitCode, PgpError} from '../errors.js'

export type Mapping = Record<string, unknown>
export type KeyPath = (number | string)[]

export const isMapping = (value: unknown): value is Mapping =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/** Patroni's (and YAML 1.1's) true: true, or on, true, y, yes, 1 as text in any case. */
export const isTrue = (value: unknown): boolean =>
  value === true || (typeof value === 'string' && ['on', 'true', 'y', 'yes', '1'].includes(value.toLowerCase()))

/**
 * A parsed YAML document and typed access to its nested keys, with one rule for every reader:
 * a key that is missing or null is absent; a mapping or a list where a scalar belongs is a config
 * error naming the file and the key (Patroni could not use it either).
 */
export class ConfigDocument {
  constructor(
    readonly doc: Mapping,
    readonly file: string,
  ) {}

  value(...path: KeyPath): unknown {
    let node: unknown = this.doc
    for (const key of path) {
      if (typeof node !== 'object' || node === null) return undefined
      node = (node as Record<number | string, unknown>)[key]
    }
    return node
  }

  string(...path: KeyPath): string | undefined {
    const value = this.value(...path)
    if (value === undefined || value === null) return undefined
    if (typeof value === 'string') return value
    if (typeof value === 'number' || typeof value === 'boolean') return String(value)
    throw new PgpError(`${this.file}: ${path.join('.')} must be a string`, ExitCode.config)
  }
}
