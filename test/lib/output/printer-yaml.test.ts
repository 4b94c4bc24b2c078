import {execFileSync} from 'node:child_process'

import {describe, expect, it} from 'vitest'
import {parse} from 'yaml'

import {mistypedByYaml11, renderYaml} from '../../../src/lib/output/printer.js'

/** Strings a YAML 1.1 reader resolves to something else when they are written plain. */
const TRICKY = [
  '2026-11-30T02:08:15.723731+00:00', // history's Timestamp
  '2026-11-30 02:08:15',
  '2030-01-01',
  'yes',
  'No',
  'on',
  'OFF',
  'y',
  'n',
  'True',
  '0755', // octal in 1.1
  '0b101',
  '0x1F',
  '1_000',
  '1:20', // sexagesimal
  '190:20:30.15',
  '12e3',
  '1.5',
  '.inf',
  '.NaN',
  '~',
  'null',
  'NULL',
  '',
  '=',
  '<<',
  '+1',
]
/** Strings that must stay as they are (no needless quotes where patronictl has none). */
const PLAIN = [
  'node1',
  '127.0.0.1:25432',
  'Leader',
  'running',
  'no recovery target specified',
  '0/40004E8',
  'Lag in MB',
]

const python = (() => {
  try {
    execFileSync('python3', ['-c', 'import yaml'], {stdio: 'ignore'})
    return true
  } catch {
    return false
  }
})()

/** Each string as a value (k0, k1, ...) and as a key. */
const withKeys = {
  ...Object.fromEntries(TRICKY.map((s, i) => [`k${i}`, s])),
  ...Object.fromEntries(TRICKY.filter(Boolean).map((s) => [s, s])),
}

describe('renderYaml', () => {
  it('quotes every string a YAML 1.1 reader would mistype, values and keys, and reads back the same', async () => {
    const text = await renderYaml([withKeys, {list: TRICKY}])
    expect(parse(text, {version: '1.1'})).toEqual([withKeys, {list: TRICKY}])
    expect(parse(text)).toEqual([withKeys, {list: TRICKY}]) // and YAML 1.2 readers
    expect(text).toContain("k0: '2026-11-30T02:08:15.723731+00:00'") // single quotes, as yaml.safe_dump
    expect(text).toContain("k24: '='")
    expect(text).toMatch(/^- list:\n {2}- '2026/m) // sequences unindented under their key, as PyYAML writes them
  })

  it('leaves ordinary strings plain and numbers as numbers', async () => {
    const text = await renderYaml(PLAIN.map((s) => ({TL: 3, value: s})))
    for (const s of PLAIN) expect(text).toContain(`value: ${s}\n`.trimEnd())
    expect(text).toContain('TL: 3')
    expect(parse(text, {version: '1.1'})).toEqual(PLAIN.map((s) => ({TL: 3, value: s})))
  })

  it("PyYAML's resolvers: the tricky strings match one, the plain ones none", () => {
    // PyYAML reads y, n and 12e3 (a float needs a dot there) as strings; the yaml package quotes them anyway
    for (const s of TRICKY.filter((s) => !['y', 'n', '12e3'].includes(s)))
      expect([s, mistypedByYaml11(s)]).toEqual([s, true])
    for (const s of PLAIN) expect([s, mistypedByYaml11(s)]).toEqual([s, false])
  })

  it.skipIf(!python)('PyYAML (yaml.safe_load) reads back the same strings', async () => {
    const text = await renderYaml([withKeys, {list: TRICKY}])
    const script = 'import json,sys,yaml; print(json.dumps(yaml.safe_load(sys.stdin.read())))'
    const out = execFileSync('python3', ['-c', script], {encoding: 'utf8', input: text})
    expect(JSON.parse(out)).toEqual([withKeys, {list: TRICKY}])
  })
})
