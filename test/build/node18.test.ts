// Node 18.19 (Debian 12's nodejs 18.20.4, Ubuntu 24.04's 18.19) is the oldest Node that
// pgpatronictl supports: every dependency must declare it, the bundles must not use what only
// Node 20+ has, and the built CLI must run on it without oclif's engine warning. The whole
// integration suite also runs on Node 18 against the installed .deb (test/package).
import {spawnSync} from 'node:child_process'
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, describe, expect, it} from 'vitest'

// @ts-expect-error: a plain .mjs script without types
import {node18} from '../../scripts/node18.mjs'

const root = join(import.meta.dirname, '..', '..')
const bin = join(root, 'bin', 'pgpatronictl.cjs')
const ci = process.env.CI === 'true' || process.env.CI === '1'
const semver = createRequire(import.meta.url)('semver') as {satisfies: (version: string, range: string) => boolean}
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))

describe('dependencies and build target', () => {
  it('package.json engines start at Node 18.19, and every package in the lockfile accepts 18.19, 20 and 22', () => {
    expect(pkg.engines.node).toBe('>=18.19.0')
    const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8'))
    const refusing = Object.entries(lock.packages as Record<string, {version?: string; engines?: {node?: string}}>)
      .filter(([, p]) => p.engines?.node)
      .filter(([, p]) => ['18.19.0', '20.18.0', '22.12.0'].some((v) => !semver.satisfies(v, p.engines!.node!)))
      .map(([name, p]) => `${name}@${p.version}: ${p.engines!.node}`)
    expect(refusing).toEqual([])
  })

  it('the shipped code uses no API that only Node 20 or later has', () => {
    // Feature-tested uses (undici's toWellFormed, navigator in browser checks) are fine; these are not.
    const newer =
      /AbortSignal\.any\b|\.(toSorted|toReversed|toSpliced)\(|\b(Object|Map)\.groupBy\b|Promise\.withResolvers\b|Array\.fromAsync\b|\bstyleText\b|getBuiltinModule\b|loadEnvFile\b|import\.meta\b/g
    for (const file of [
      'bin/pgpatronictl.cjs',
      'dist/cli.cjs',
      'dist/undici.cjs',
      'dist/yaml.cjs',
      'dist/prompts.cjs',
    ]) {
      const source = readFileSync(join(root, file), 'latin1')
      expect(
        [...source.matchAll(newer)].map((m) => m[0]),
        file,
      ).toEqual([])
    }
  })
})

describe('built-ins that cost Node 18 more', () => {
  // Node 18 reads every export of a built-in the first time user code requires it (its ES module
  // facade): process runs a dozen getters, http loads the whole HTTP stack. Neither is needed.
  it('a REST command (list 15/x) requires neither node:process nor node:http', () => {
    const work = mkdtempSync(join(tmpdir(), 'pgpt-builtins-'))
    try {
      const log = join(work, 'loaded.json')
      writeFileSync(
        join(work, 'record.cjs'),
        `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(log)}, JSON.stringify(process.moduleLoadList)))\n`,
      )
      writeFileSync(
        join(work, '15-x.yml'),
        'scope: "15-x"\nname: node1\nrestapi:\n  listen: 127.0.0.1:1\n  connect_address: 127.0.0.1:1\n',
      )
      const run = spawnSync(process.execPath, [bin, 'list', '15/x', '--config-dir', work, '--timeout', '2'], {
        encoding: 'utf8',
        env: {
          ...process.env,
          NODE_OPTIONS: `--require ${join(work, 'record.cjs')}`,
          PG_CLUSTER_CONF_ROOT: work,
          XDG_CACHE_HOME: join(work, 'cache'),
        },
      })
      expect(run.stderr).toContain('connection refused') // it did make the request
      const builtins = (JSON.parse(readFileSync(log, 'utf8')) as string[])
        .filter((m) => m.startsWith('NativeModule '))
        .map((m) => m.slice(13))
      expect(builtins).toContain('net')
      expect(builtins.filter((m) => ['process', 'http'].includes(m))).toEqual([])
    } finally {
      rmSync(work, {force: true, recursive: true})
    }
  })
})

let node: string | undefined
let why = ''
try {
  node = node18()
} catch (error) {
  why = (error as Error).message
  if (!ci) process.stderr.write(`[skip] the built CLI on Node 18: ${why}\n`)
}

describe('the built CLI on Node 18', () => {
  const work = mkdtempSync(join(tmpdir(), 'pgpt-node18-'))
  afterAll(() => rmSync(work, {force: true, recursive: true}))
  const run = (...args: string[]) =>
    spawnSync(node!, [bin, ...args], {
      encoding: 'utf8',
      env: {...process.env, NO_COLOR: '1', PG_CLUSTER_CONF_ROOT: work, XDG_CACHE_HOME: join(work, 'cache')},
      timeout: 30_000,
    })

  it.skipIf(!node && !ci)('is there (under CI a missing Node 18 is a failure)', () => {
    expect(why).toBe('')
    expect(spawnSync(node!, ['-p', 'process.versions.node'], {encoding: 'utf8'}).stdout).toMatch(/^18\./)
  })

  it.skipIf(!node)(
    'starts with no engine warning, twice (compiling, then from its code cache), and lists an empty host',
    () => {
      for (let i = 0; i < 2; i++) {
        const help = run('--help')
        expect(help.stderr).toBe('')
        expect(help.status).toBe(0)
        expect(help.stdout).toContain('node-v18.')
      }
      const list = run('list', '--config-dir', work, '-f', 'json')
      expect(list.stderr).toBe('')
      expect(list).toMatchObject({status: 0, stdout: '[]\n'})
    },
  )
})
