import {type ChildProcess, execFileSync, spawn} from 'node:child_process'
import {existsSync, mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {freePort} from './fake-patroni.js'

export const ETCD_BIN = '/usr/bin/etcd'

/**
 * A throwaway single-node etcd (Debian's etcd-server, v3 API) on free loopback ports with its
 * own data dir: tests write Patroni-shaped keys into it without touching the shared test cluster.
 */
export class PrivateEtcd {
  private constructor(
    readonly url: string, // http://127.0.0.1:PORT
    readonly port: number,
    private readonly child: ChildProcess,
    private readonly dir: string,
    private user?: string, // root:pw once auth is on
  ) {}

  /** Why a private etcd cannot be started here, or undefined when it can. */
  static unavailableReason(): string | undefined {
    if (!existsSync(ETCD_BIN)) return `${ETCD_BIN} missing (Debian package etcd-server)`
    try {
      execFileSync('etcdctl', ['version'], {env: {...process.env, ETCDCTL_API: '3'}, stdio: 'ignore'})
    } catch {
      return 'etcdctl missing (Debian package etcd-client)'
    }
    return undefined
  }

  /** `v2`: also serve the etcd v2 API (etcd 3.4: --enable-v2; its keys are separate from v3's). */
  static async start(options: {v2?: boolean} = {}): Promise<PrivateEtcd> {
    const dir = mkdtempSync(join(tmpdir(), 'pgpt-etcd-'))
    const [port, peer] = [await freePort(), await freePort()]
    const url = `http://127.0.0.1:${port}`
    const peerUrl = `http://127.0.0.1:${peer}`
    const child = spawn(
      ETCD_BIN,
      [
        '--name',
        'pgpt-test',
        '--data-dir',
        join(dir, 'data'),
        '--listen-client-urls',
        url,
        '--advertise-client-urls',
        url,
        '--listen-peer-urls',
        peerUrl,
        '--initial-advertise-peer-urls',
        peerUrl,
        '--initial-cluster',
        `pgpt-test=${peerUrl}`,
        '--log-level',
        'error',
        ...(options.v2 ? ['--enable-v2'] : []),
      ],
      {stdio: ['ignore', 'ignore', 'pipe']},
    )
    let stderr = ''
    child.stderr?.on('data', (chunk) => (stderr += chunk))
    const etcd = new PrivateEtcd(url, port, child, dir)
    const deadline = Date.now() + 20_000
    for (;;) {
      try {
        const response = await fetch(`${url}/health`, {signal: AbortSignal.timeout(1000)})
        if (response.ok) return etcd
      } catch {
        // not listening yet
      }
      if (child.exitCode !== null || Date.now() > deadline) {
        await etcd.stop()
        throw new Error(`private etcd did not start: ${stderr.slice(-500)}`)
      }
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  }

  /** etcdctl (v3 API) against this etcd only, as root once auth is enabled. */
  etcdctl(...args: string[]): string {
    const user = this.user ? [`--user=${this.user}`] : []
    return execFileSync('etcdctl', [`--endpoints=${this.url}`, ...user, ...args], {
      encoding: 'utf8',
      env: {...process.env, ETCDCTL_API: '3'},
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 10_000,
    })
  }

  put(key: string, value: string): void {
    this.etcdctl('put', key, value)
  }

  /** Many keys at once through the v3 JSON API (transactions of etcd's default maximum of 128 operations). */
  async putMany(keys: Record<string, string>, lease?: string): Promise<void> {
    const entries = Object.entries(keys)
    const b64 = (text: string) => Buffer.from(text).toString('base64')
    for (let i = 0; i < entries.length; i += 128) {
      const success = entries
        .slice(i, i + 128)
        .map(([key, value]) => ({requestPut: {key: b64(key), value: b64(value), ...(lease ? {lease} : {})}}))
      const response = await fetch(`${this.url}/v3/kv/txn`, {
        body: JSON.stringify({success}),
        method: 'POST',
        signal: AbortSignal.timeout(10_000),
      })
      if (!response.ok) throw new Error(`private etcd txn: ${response.status} ${await response.text()}`)
    }
  }

  /** A v3 lease of `ttl` seconds, for keys that expire as Patroni's member keys do. */
  async grantLease(ttl: number): Promise<string> {
    const response = await fetch(`${this.url}/v3/lease/grant`, {
      body: JSON.stringify({TTL: ttl}),
      method: 'POST',
      signal: AbortSignal.timeout(10_000),
    })
    return ((await response.json()) as {ID: string}).ID
  }

  /** A key in the v2 keyspace (start with v2), optionally expiring after `ttl` seconds as etcd v2 member keys do. */
  async putV2(key: string, value: string, ttl?: number): Promise<void> {
    const body = new URLSearchParams({value, ...(ttl ? {ttl: String(ttl)} : {})})
    const response = await fetch(`${this.url}/v2/keys${key}`, {
      body,
      method: 'PUT',
      signal: AbortSignal.timeout(10_000),
    })
    if (!response.ok) throw new Error(`private etcd v2 put: ${response.status} ${await response.text()}`)
  }

  /** `etcdctl user add root:PW`, `auth enable`: from now on every request needs a token. */
  enableAuth(password: string): void {
    this.etcdctl('user', 'add', `root:${password}`)
    this.etcdctl('role', 'add', 'root')
    this.etcdctl('user', 'grant-role', 'root', 'root')
    this.etcdctl('auth', 'enable')
    this.user = `root:${password}`
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null) {
      const exited = new Promise((resolve) => this.child.once('exit', resolve))
      this.child.kill('SIGKILL') // our own child, by its handle
      await exited
    }
    rmSync(this.dir, {force: true, recursive: true})
  }
}

/** The keys Patroni 3.0.2 writes for a 3-member cluster (values as seen in the live test cluster). */
export function patroniKeys(
  prefix: string,
  members: {
    name: string
    pgPort: number
    restPort: number
    role?: string
    state?: string
    xlog?: number
    timeline?: number
  }[],
  leader: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  const keys: Record<string, string> = {
    [`${prefix}config`]: JSON.stringify({loop_wait: 5, retry_timeout: 5, ttl: 20}),
    [`${prefix}initialize`]: '7712075003020920185',
    [`${prefix}leader`]: leader,
    [`${prefix}status`]: JSON.stringify({optime: 67603552}),
    ...extra,
  }
  for (const m of members) {
    const value: Record<string, unknown> = {
      api_url: `http://127.0.0.1:${m.restPort}/patroni`,
      conn_url: `postgres://127.0.0.1:${m.pgPort}/postgres`,
      role: m.role ?? (m.name === leader ? 'master' : 'replica'),
      state: m.state ?? 'running',
      version: '3.0.2',
    }
    if (m.xlog !== undefined) value.xlog_location = m.xlog
    if (m.timeline !== undefined) value.timeline = m.timeline
    keys[`${prefix}members/${m.name}`] = JSON.stringify(value)
  }
  return keys
}
