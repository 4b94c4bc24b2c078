// The launcher's V8 code caches (bin/pgpatronictl.cjs): what it writes where, and that a home it
// cannot write, or one shared with another Node version, neither fails nor recompiles every run.
// The install-time cache in /var/cache/pgpatronictl is tested as installed (scripts/test-package.mjs).
import {spawnSync} from 'node:child_process'
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, describe, expect, it} from 'vitest'

// @ts-expect-error: a plain .mjs script without types
import {node18} from '../../scripts/node18.mjs'
import {shippedCopy} from '../helpers/cli.js'

const root = join(import.meta.dirname, '..', '..')
const bin = join(root, 'bin', 'pgpatronictl.cjs')
const work = mkdtempSync(join(tmpdir(), 'pgpt-code-cache-'))
chmodSync(work, 0o755)
afterAll(() => rmSync(work, {force: true, recursive: true}))

const run = (args: string[], env: NodeJS.ProcessEnv, options: {node?: string; user?: string} = {}) => {
  const node = options.node ?? process.execPath
  const [command, argv] = options.user
    ? ['runuser', ['-u', options.user, '--', node, shippedCopy().bin, ...args]] // readable from a 0700 clone
    : [node, [bin, ...args]]
  const clean = {...process.env}
  delete clean.XDG_CACHE_HOME
  delete clean.PGPATRONICTL_NO_CODE_CACHE
  return spawnSync(command, argv, {encoding: 'utf8', env: {...clean, NO_COLOR: '1', ...env}, timeout: 30_000})
}
const codeFiles = (dir: string) =>
  existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => f.startsWith('code-'))
        .sort()
    : []

describe('install-time cache (PGPATRONICTL_CODE_CACHE_PRIME, what the .deb postinst runs)', () => {
  it('writes the bundle and every lazy chunk, readable by all, and nothing else', () => {
    const dir = join(work, 'prime')
    mkdirSync(dir)
    writeFileSync(join(dir, 'code-cli-00000000000000.bin'), 'an older build')
    const result = run(['--help'], {PGPATRONICTL_CODE_CACHE_PRIME: dir, XDG_CACHE_HOME: join(work, 'prime-home')})
    expect(result.stderr).toBe('')
    expect(result.status).toBe(0)
    const files = codeFiles(dir)
    expect(files.map((f) => f.replace(/-[0-9a-f]{14}\.bin$/, ''))).toEqual([
      'code-cli',
      'code-prompts',
      'code-undici',
      'code-yaml',
    ])
    for (const f of files) expect(statSync(join(dir, f)).mode & 0o777).toBe(0o644)
    expect(existsSync(join(work, 'prime-home'))).toBe(false) // no user cache on the side
  })
})

describe("a user's cache", () => {
  it.skipIf(process.getuid?.() !== 0)(
    'without a writable home (nobody): works, says nothing, and does not even serialise a cache',
    () => {
      // counts createCachedData calls: the work (a few ms per file) a cache nobody can write would waste
      const probe = join(work, 'count-serialise.cjs')
      const log = join(work, 'serialised')
      writeFileSync(
        probe,
        `const vm = require('node:vm'); const create = vm.Script.prototype.createCachedData
vm.Script.prototype.createCachedData = function () { require('node:fs').appendFileSync(${JSON.stringify(log)}, 'x'); return create.call(this) }\n`,
      )
      writeFileSync(log, '')
      chmodSync(log, 0o666)
      const result = run(['version'], {HOME: '/nonexistent', NODE_OPTIONS: `--require ${probe}`}, {user: 'nobody'})
      expect(result).toMatchObject({status: 0, stderr: ''})
      expect(result.stdout).toMatch(/^pgpatronictl version /)
      const readOnly = join(work, 'read-only')
      mkdirSync(join(readOnly, 'pgpatronictl'), {recursive: true})
      chmodSync(join(readOnly, 'pgpatronictl'), 0o555)
      chownSync(join(readOnly, 'pgpatronictl'), 65_534, 65_534)
      expect(
        run(['--help'], {NODE_OPTIONS: `--require ${probe}`, XDG_CACHE_HOME: readOnly}, {user: 'nobody'}),
      ).toMatchObject({status: 0, stderr: ''})
      expect(codeFiles(join(readOnly, 'pgpatronictl'))).toEqual([])
      expect(readFileSync(log, 'utf8')).toBe('')
      // the probe works: a writable home does serialise
      expect(run(['--help'], {NODE_OPTIONS: `--require ${probe}`, XDG_CACHE_HOME: join(work, 'writable')}).status).toBe(
        0,
      )
      expect(readFileSync(log, 'utf8')).toBe('x')
    },
  )

  it('keeps the newest few caches of each file (other builds, other Node versions), so a shared home does not thrash', () => {
    const home = join(work, 'shared')
    const dir = join(home, 'pgpatronictl')
    mkdirSync(dir, {recursive: true})
    const old = ['01', '02', '03', '04', '05'].map((n, i) => {
      const file = join(dir, `code-cli-${n.repeat(7)}.bin`)
      writeFileSync(file, 'another build')
      utimesSync(file, 1_000_000 + i, 1_000_000 + i) // 01 is the oldest
      return file
    })
    writeFileSync(join(dir, 'code-0123456789abcdef.bin'), 'before 0.1.0')
    expect(run(['--help'], {XDG_CACHE_HOME: home}).status).toBe(0)
    const cli = codeFiles(dir).filter((f) => f.startsWith('code-cli-'))
    expect(cli).toHaveLength(4) // this run's and the three newest others
    expect(cli).toEqual(
      expect.arrayContaining([
        'code-cli-03030303030303.bin',
        'code-cli-04040404040404.bin',
        'code-cli-05050505050505.bin',
      ]),
    )
    expect(existsSync(old[0]!)).toBe(false)
    expect(existsSync(join(dir, 'code-0123456789abcdef.bin'))).toBe(false)
  })

  let node: string | undefined
  try {
    node = node18()
  } catch {}
  it.skipIf(!node)(
    'Node 18 and Node 20 in one home: each keeps its cache, neither is rewritten on its next run',
    () => {
      const home = join(work, 'two-nodes')
      const dir = join(home, 'pgpatronictl')
      expect(run(['--help'], {XDG_CACHE_HOME: home}).status).toBe(0)
      expect(run(['--help'], {XDG_CACHE_HOME: home}, {node}).status).toBe(0)
      const both = codeFiles(dir)
      expect(both).toHaveLength(2)
      const times = both.map((f) => statSync(join(dir, f)).mtimeMs)
      expect(run(['--help'], {XDG_CACHE_HOME: home}).status).toBe(0)
      expect(run(['--help'], {XDG_CACHE_HOME: home}, {node}).status).toBe(0)
      expect(codeFiles(dir)).toEqual(both)
      expect(both.map((f) => statSync(join(dir, f)).mtimeMs)).toEqual(times)
    },
  )
})
