import {spawnSync} from 'node:child_process'
import {mkdtempSync, readFileSync, rmSync, statSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {buildSync} from 'esbuild'
import {afterEach, describe, expect, it} from 'vitest'

import {MemberCache} from '../../src/lib/member-cache.js'

let dir: string | undefined
afterEach(() => {
  if (dir) rmSync(dir, {force: true, recursive: true})
  dir = undefined
})

describe('MemberCache', () => {
  it('remembers REST URLs per cluster, creating missing directories private to the user', () => {
    dir = mkdtempSync(join(tmpdir(), 'pgpt-members-'))
    const cache = new MemberCache(join(dir, 'a', 'b', 'pgpatronictl'))
    cache.write('/postgresql-common/15-main', ['http://127.0.0.1:8010', 'http://127.0.0.1:8009', 'http://127.0.0.1:8010'])
    expect(cache.read('/postgresql-common/15-main')).toEqual(['http://127.0.0.1:8009', 'http://127.0.0.1:8010'])
    expect(cache.read('/postgresql-common/15-other')).toEqual([])
    expect(statSync(join(dir, 'a')).mode & 0o777).toBe(0o700)
    const file = join(dir, 'a', 'b', 'pgpatronictl', 'members-_postgresql-common_15-main.json')
    expect(statSync(file).mode & 0o777).toBe(0o600)
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({apiUrls: ['http://127.0.0.1:8009', 'http://127.0.0.1:8010']})
  })

  it('gives up quietly where it cannot write, also under /proc (where mkdir -p spins on Node 20)', () => {
    // In a child process with a deadline: a regression would spin synchronously, not fail.
    dir = mkdtempSync(join(tmpdir(), 'pgpt-members-'))
    buildSync({
      bundle: true,
      entryPoints: [join(import.meta.dirname, '../../src/lib/member-cache.ts')],
      format: 'cjs',
      logLevel: 'silent',
      outfile: join(dir, 'member-cache.cjs'),
      platform: 'node',
    })
    const script = `const {MemberCache} = require(${JSON.stringify(join(dir, 'member-cache.cjs'))})
const cache = new MemberCache('/proc/self/pgpt-nowhere/pgpatronictl')
cache.write('/postgresql-common/15-main', ['http://127.0.0.1:8008'])
process.stdout.write(JSON.stringify(cache.read('/postgresql-common/15-main')))`
    const child = spawnSync(process.execPath, ['-e', script], {encoding: 'utf8', timeout: 10_000})
    expect(child.signal).toBeNull()
    expect(child.stderr).toBe('')
    expect(child.stdout).toBe('[]')
  })
})
