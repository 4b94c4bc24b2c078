import {usageError} from '../errors.js'

export type ConfigObject = Record<string, unknown>

const isObject = (value: unknown): value is ConfigObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/** What PATCH /config does server-side: a recursive merge in which null deletes a key. */
export function mergePatch(target: ConfigObject, patch: ConfigObject): ConfigObject {
  const result: ConfigObject = {...target}
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key]
    else if (isObject(value) && isObject(result[key])) result[key] = mergePatch(result[key], value)
    else result[key] = value
  }
  return result
}

/** The smallest PATCH body that turns `before` into `after`: changed keys only, null for removed. */
export function configPatch(before: ConfigObject, after: ConfigObject): ConfigObject {
  const patch: ConfigObject = {}
  for (const key of Object.keys(before)) if (!(key in after)) patch[key] = null
  for (const [key, value] of Object.entries(after)) {
    const old = before[key]
    if (isObject(old) && isObject(value)) {
      const inner = configPatch(old, value)
      if (Object.keys(inner).length > 0) patch[key] = inner
    } else if (JSON.stringify(old) !== JSON.stringify(value)) {
      patch[key] = value
    }
  }
  return patch
}

/**
 * `--set a.b=VALUE` and `--pg name=value` as a patch. Values are YAML (`5`, `true`, `null`
 * deletes); names under postgresql.parameters may contain dots (auto_explain.log_min_duration).
 */
export function settingsPatch(sets: string[], pgs: string[], parseValue: (text: string) => unknown): ConfigObject {
  let patch: ConfigObject = {}
  const assignments = [...sets.map((s) => ['--set', s] as const), ...pgs.map((s) => ['--pg', s] as const)]
  for (const [flag, text] of assignments) {
    const eq = text.indexOf('=')
    const name = text.slice(0, eq).trim()
    if (eq <= 0 || name === '' || name.split('.').includes('')) throw usageError(`${flag} ${text}: expected NAME=VALUE`)
    const path = flag === '--pg' ? ['postgresql', 'parameters', name] : splitPath(name)
    const value = parseValue(text.slice(eq + 1))
    patch = mergeDeep(patch, path.reduceRight<unknown>((inner, key) => ({[key]: inner}), value) as ConfigObject)
  }
  return patch
}

function splitPath(name: string): string[] {
  const parts = name.split('.')
  const at = parts.findIndex((p, i) => p === 'parameters' && parts[i - 1] === 'postgresql')
  return at >= 0 && parts.length > at + 1 ? [...parts.slice(0, at + 1), parts.slice(at + 1).join('.')] : parts
}

// like mergePatch, but keeps nulls: they are deletions to send, not to apply here
function mergeDeep(target: ConfigObject, patch: ConfigObject): ConfigObject {
  const result: ConfigObject = {...target}
  for (const [key, value] of Object.entries(patch)) {
    result[key] = isObject(value) && isObject(result[key]) ? mergeDeep(result[key], value) : value
  }
  return result
}
