import {mkdirSync, renameSync, rmSync, writeFileSync} from 'node:fs'
import {homedir} from 'node:os'
import {dirname, join, resolve} from 'node:path'

import {readRegularFile} from '../config/files.js'

/** Whose members an entry holds: one config file's cluster (its namespace and scope). */
export interface CacheKey {
  configFile: string
  namespace: string
  scope: string
}

/** The members of one cluster as last seen, and the system identifier they proved. */
export interface RememberedMembers {
  systemId: string
  apiUrls: string[]
}

/**
 * The REST addresses of a cluster's members, remembered from the last verified GET /cluster, so
 * that another member can be asked when this host's Patroni is down. An address from here is a
 * hint: it is used only once the member proves the remembered scope and system identifier.
 * Best effort: a missing or unwritable cache never fails a command.
 */
export class MemberCache {
  constructor(private readonly dir: string) {}

  static default(env: NodeJS.ProcessEnv = process.env): MemberCache {
    const base = env.XDG_CACHE_HOME || join(env.HOME || homedir(), '.cache')
    return new MemberCache(join(base, 'pgpatronictl'))
  }

  read(key: CacheKey): RememberedMembers | undefined {
    try {
      const entry = JSON.parse(readRegularFile(this.file(key), 'utf8')) as Record<string, unknown>
      // the file name is a digest: the entry itself must name the same cluster and config
      if (
        entry.scope !== key.scope ||
        entry.namespace !== key.namespace ||
        entry.configFile !== resolve(key.configFile)
      )
        return undefined
      if (typeof entry.systemId !== 'string' || entry.systemId === '' || !Array.isArray(entry.apiUrls)) return undefined
      const apiUrls = entry.apiUrls.filter((u): u is string => typeof u === 'string' && /^https?:\/\/[^/@]+$/.test(u))
      return {apiUrls, systemId: entry.systemId}
    } catch {
      return undefined
    }
  }

  write(key: CacheKey, members: RememberedMembers): void {
    const apiUrls = [...new Set(members.apiUrls)].sort()
    const old = this.read(key)
    if (old && old.systemId === members.systemId && JSON.stringify(old.apiUrls) === JSON.stringify(apiUrls)) return
    const entry = {
      apiUrls,
      configFile: resolve(key.configFile),
      namespace: key.namespace,
      scope: key.scope,
      systemId: members.systemId,
    }
    try {
      makeDirectory(this.dir)
      const file = this.file(key)
      const tmp = `${file}.${process.pid}.tmp`
      try {
        writeFileSync(tmp, JSON.stringify(entry) + '\n', {mode: 0o600})
        renameSync(tmp, file)
      } finally {
        rmSync(tmp, {force: true}) // a full disk leaves a partial temporary file behind
      }
    } catch {
      // a read-only home or full disk must not break a read-only command
    }
  }

  /** Drops an address that proved to belong to another cluster. */
  forget(key: CacheKey, apiUrl: string): void {
    const old = this.read(key)
    if (old?.apiUrls.includes(apiUrl)) this.write(key, {...old, apiUrls: old.apiUrls.filter((u) => u !== apiUrl)})
  }

  private file(key: CacheKey): string {
    const name = `${key.namespace}${key.scope}`.replaceAll(/[^A-Za-z0-9_.-]/g, '_').slice(0, 100)
    return join(this.dir, `members-${name}-${digest(resolve(key.configFile))}.json`)
  }
}

/** FNV-1a, 32 bits: tells config files apart in a file name (the entry repeats the path). */
function digest(text: string): string {
  let hash = 0x811c9dc5
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193)
  return (hash >>> 0).toString(16).padStart(8, '0')
}

/**
 * The cache directory and, if missing, the cache root above it (~/.cache): never more, so a home
 * that does not exist is not made. No mkdirSync {recursive}: it spins forever under /proc on Node 20.
 */
function makeDirectory(dir: string): void {
  for (const level of [dirname(dir), dir]) {
    try {
      mkdirSync(level, {mode: 0o700})
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    }
  }
}
