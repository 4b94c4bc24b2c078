import {spawnSync} from 'node:child_process'
import {existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {buildSync} from 'esbuild'
import {afterEach, describe, expect, it} from 'vitest'

import {MemberCache} from '../../../src/lib/rest/member-cache.js'

let dir: string | undefined
afterEach(() => {
  if (dir) rmSync(dir, {force: true, recursive: true})
  dir = undefined
})

const MAIN = {configFile: '/etc/patroni/15-main.yml', namespace: '/pgpt-test/', scope: '15-main'}
const SYSID = '7000000000000000001'

describe('MemberCache', () => {
  it('remembers REST URLs and the system identifier per config and cluster, in files private to the user', () => {
    dir = mkdtempSync(join(tmpdir(), 'pgpt-members-'))
    const cache = new MemberCache(join(dir, 'a', 'pgpatronictl')) // the cache root (~/.cache) is made if missing
    expect(() =>
      new MemberCache(join(dir!, 'no-home', '.cache', 'pgpatronictl')).write(MAIN, {apiUrls: [], systemId: SYSID}),
    ).not.toThrow()
    expect(existsSync(join(dir, 'no-home'))).toBe(false) // a home that does not exist is not made
    cache.write(MAIN, {
      apiUrls: ['http://127.0.0.1:58010', 'http://127.0.0.1:58009', 'http://127.0.0.1:58010'],
      systemId: SYSID,
    })
    expect(cache.read(MAIN)).toEqual({apiUrls: ['http://127.0.0.1:58009', 'http://127.0.0.1:58010'], systemId: SYSID})
    // another scope, another namespace, or another config file of the same scope: never the same entry
    expect(cache.read({...MAIN, scope: '15-other'})).toBeUndefined()
    expect(cache.read({...MAIN, namespace: '/service/'})).toBeUndefined()
    expect(cache.read({...MAIN, configFile: '/tmp/copy-of-15-main.yml'})).toBeUndefined()
    expect(statSync(join(dir, 'a')).mode & 0o777).toBe(0o700)
    const [file] = readdirSync(join(dir, 'a', 'pgpatronictl'))
    expect(file).toMatch(/^members-_pgpt-test_15-main-[0-9a-f]{8}\.json$/)
    const path = join(dir, 'a', 'pgpatronictl', file!)
    expect(statSync(path).mode & 0o777).toBe(0o600)
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({
      ...MAIN,
      apiUrls: ['http://127.0.0.1:58009', 'http://127.0.0.1:58010'],
      systemId: SYSID,
    })
  })

  it('ignores an entry that names another cluster or lacks a system identifier, and old-format files', () => {
    dir = mkdtempSync(join(tmpdir(), 'pgpt-members-'))
    const cache = new MemberCache(dir)
    cache.write(MAIN, {apiUrls: ['http://127.0.0.1:58009'], systemId: SYSID})
    const [file] = readdirSync(dir)
    const entry = JSON.parse(readFileSync(join(dir, file!), 'utf8'))
    writeFileSync(join(dir, file!), JSON.stringify({...entry, scope: '15-reporting'})) // a digest collision, or a hand edit
    expect(cache.read(MAIN)).toBeUndefined()
    writeFileSync(join(dir, file!), JSON.stringify({...entry, systemId: undefined}))
    expect(cache.read(MAIN)).toBeUndefined()
    writeFileSync(
      join(dir, file!),
      JSON.stringify({...entry, apiUrls: ['http://u:pw@127.0.0.1:58009', 'ftp://x', 'http://127.0.0.1:58010']}),
    )
    expect(cache.read(MAIN)?.apiUrls).toEqual(['http://127.0.0.1:58010'])
    writeFileSync(join(dir, 'members-_pgpt-test_15-main.json'), JSON.stringify({apiUrls: ['http://127.0.0.1:58011']})) // before 0.2: no identity
    writeFileSync(join(dir, file!), JSON.stringify(entry))
    expect(cache.read(MAIN)).toEqual({apiUrls: ['http://127.0.0.1:58009'], systemId: SYSID})
  })

  it('forgets an address that proved to be another cluster', () => {
    dir = mkdtempSync(join(tmpdir(), 'pgpt-members-'))
    const cache = new MemberCache(dir)
    cache.write(MAIN, {apiUrls: ['http://127.0.0.1:58009', 'http://127.0.0.1:58010'], systemId: SYSID})
    cache.forget(MAIN, 'http://127.0.0.1:58009')
    expect(cache.read(MAIN)).toEqual({apiUrls: ['http://127.0.0.1:58010'], systemId: SYSID})
  })

  it('gives up quietly where it cannot write, also under /proc (where mkdir -p spins on Node 20)', () => {
    // In a child process with a deadline: a regression would spin synchronously, not fail.
    dir = mkdtempSync(join(tmpdir(), 'pgpt-members-'))
    buildSync({
      bundle: true,
      entryPoints: [join(import.meta.dirname, '../../../src/lib/rest/member-cache.ts')],
      format: 'cjs',
      logLevel: 'silent',
      outfile: join(dir, 'member-cache.cjs'),
      platform: 'node',
    })
    const script = `const {MemberCache} = require(${JSON.stringify(join(dir, 'member-cache.cjs'))})
const key = ${JSON.stringify(MAIN)}
const cache = new MemberCache('/proc/self/pgpt-nowhere/pgpatronictl')
cache.write(key, {apiUrls: ['http://127.0.0.1:58008'], systemId: '1'})
process.stdout.write(JSON.stringify(cache.read(key) ?? null))`
    const child = spawnSync(process.execPath, ['-e', script], {encoding: 'utf8', timeout: 10_000})
    expect(child.signal).toBeNull()
    expect(child.stderr).toBe('')
    expect(child.stdout).toBe('null')
  })
})
