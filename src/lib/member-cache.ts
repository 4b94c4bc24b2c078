import {mkdirSync, renameSync, writeFileSync} from 'node:fs'
import {homedir} from 'node:os'
import {dirname, join} from 'node:path'

import {readRegularFile} from './regular-file.js'

/**
 * The REST addresses of a cluster's members, remembered from the last good GET /cluster, so
 * that `list` can still ask another member when this host's Patroni is down. Best effort:
 * a missing or unwritable cache never fails a command.
 */
export class MemberCache {
  constructor(private readonly dir: string) {}

  static default(env: NodeJS.ProcessEnv = process.env): MemberCache {
    const base = env.XDG_CACHE_HOME || join(env.HOME || homedir(), '.cache')
    return new MemberCache(join(base, 'pgpatronictl'))
  }

  read(key: string): string[] {
    try {
      const urls: unknown = JSON.parse(readRegularFile(this.file(key), 'utf8')).apiUrls
      return Array.isArray(urls) ? urls.filter((u): u is string => typeof u === 'string' && /^https?:\/\//.test(u)) : []
    } catch {
      return []
    }
  }

  write(key: string, apiUrls: string[]): void {
    const sorted = [...new Set(apiUrls)].sort()
    if (JSON.stringify(sorted) === JSON.stringify(this.read(key))) return
    try {
      makeDirectory(this.dir)
      const tmp = `${this.file(key)}.${process.pid}.tmp`
      writeFileSync(tmp, JSON.stringify({apiUrls: sorted}) + '\n', {mode: 0o600})
      renameSync(tmp, this.file(key))
    } catch {
      // a read-only home or full disk must not break a read-only command
    }
  }

  private file(key: string): string {
    return join(this.dir, `members-${key.replaceAll(/[^A-Za-z0-9_.-]/g, '_')}.json`)
  }
}

/** mkdir -p, without mkdirSync's {recursive: true}: on Node 20 that spins forever under /proc. */
function makeDirectory(dir: string, depth = 0): void {
  try {
    mkdirSync(dir, {mode: 0o700})
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'EEXIST') return
    if (code !== 'ENOENT' || depth > 8 || dirname(dir) === dir) throw error
    makeDirectory(dirname(dir), depth + 1)
    mkdirSync(dir, {mode: 0o700})
  }
}
