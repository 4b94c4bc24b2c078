import type {Agent} from 'undici'

import type {DcsKind, DcsSettings} from './dcs-settings.js'
import {RestError, classifyNetworkError, endpointOf, plainText, readAnswer, readTlsFile} from './patroni-client.js'
import type {RestCluster} from './patroni-cluster.js'

/** The keys under `<namespace><scope>/`, relative to it (`leader`, `members/node1`, ...), and who answered. */
export interface DcsSnapshot {
  keys: Map<string, string>
  kind: DcsKind
  baseUrl: string // the DCS endpoint that answered
}

/** Patroni's base path: '/' + namespace + '/' + scope, slashes collapsed; keys live below it. */
export function dcsPrefix(namespace: string | undefined, scope: string): string {
  return `${`/${namespace ?? 'service'}/${scope}`.replaceAll(/\/+/g, '/')}/`
}

/**
 * Reads every key of the cluster from the DCS: all endpoints at once, the first answer wins,
 * everything within `timeoutMs`. Failures are RestErrors naming `kind host:port`, never credentials.
 */
export async function readDcs(
  settings: DcsSettings,
  prefix: string,
  options: {timeoutMs: number; log?: (line: string) => void; insecure?: boolean; signal?: AbortSignal},
): Promise<DcsSnapshot> {
  options = {...options, timeoutMs: Math.ceil(options.timeoutMs)} // undici wants whole milliseconds
  const {Agent} = await import('undici')
  const tls = settings.tls ? readTlsFiles(settings) : {}
  const agent = new Agent({connect: {timeout: options.timeoutMs, ...tls, rejectUnauthorized: !options.insecure}, connections: 2, pipelining: 0})
  // one deadline for the whole read, authentication included
  const signal = anySignal([AbortSignal.timeout(options.timeoutMs), ...(options.signal ? [options.signal] : [])])
  const http = new DcsHttp(agent, settings.kind, {...options, signal})
  try {
    return await Promise.any(settings.endpoints.map((baseUrl) => readOne(http, settings, baseUrl, prefix)))
  } catch (error) {
    const errors = (error as AggregateError).errors as unknown[]
    const first = errors.find((e): e is RestError => e instanceof RestError)
    if (!first) throw errors[0] ?? error
    const others = errors.filter((e) => e !== first).map((e) => (e instanceof Error ? e.message : String(e)))
    throw new RestError(first.kind, first.endpoint, first.reason + (others.length > 0 ? `; ${others.join('; ')}` : ''), first.status)
  } finally {
    await agent.destroy().catch(() => {})
  }
}

/** AbortSignal.any, which Node 18 lacks (20.3+): aborted, with its reason, by the first that aborts. */
export function anySignal(signals: AbortSignal[]): AbortSignal {
  const controller = new AbortController()
  for (const signal of signals) {
    if (signal.aborted) {
      controller.abort(signal.reason)
      break
    }
    signal.addEventListener('abort', () => controller.abort(signal.reason), {once: true, signal: controller.signal})
  }
  return controller.signal
}

async function readOne(http: DcsHttp, settings: DcsSettings, baseUrl: string, prefix: string): Promise<DcsSnapshot> {
  const snapshot = (keys: Map<string, string>): DcsSnapshot => ({baseUrl, keys, kind: settings.kind})
  switch (settings.kind) {
    case 'etcd3': {
      const headers: Record<string, string> = {}
      if (settings.username !== undefined) {
        const auth = await http.call('POST', baseUrl, '/v3/auth/authenticate', {name: settings.username, password: settings.password})
        const token = (auth as {token?: unknown}).token
        if (typeof token !== 'string') throw new RestError('auth', http.label(baseUrl), 'etcd authentication gave no token')
        headers.authorization = token
      }
      const body = {key: b64(prefix), range_end: b64(prefixRangeEnd(prefix))}
      return snapshot(parseEtcd3Range(await http.call('POST', baseUrl, '/v3/kv/range', body, headers), prefix))
    }
    case 'etcd': {
      const headers: Record<string, string> = {}
      if (settings.username !== undefined) headers.authorization = `Basic ${b64(`${settings.username}:${settings.password}`)}`
      const path = `/v2/keys${prefix.split('/').map(encodeURIComponent).join('/')}?recursive=true`
      // etcd v2 answers 404 with errorCode 100 for a scope that has no keys
      return snapshot(parseEtcd2Keys(await http.call('GET', baseUrl, path, undefined, headers, [404]), prefix))
    }
    case 'consul': {
      const headers: Record<string, string> = settings.token ? {'x-consul-token': settings.token} : {}
      const path = `/v1/kv/${prefix.slice(1).split('/').map(encodeURIComponent).join('/')}?recurse`
      return snapshot(parseConsulKv(await http.call('GET', baseUrl, path, undefined, headers, [404]), prefix.slice(1)))
    }
  }
}

class DcsHttp {
  constructor(
    private readonly agent: Agent,
    private readonly kind: DcsKind,
    private readonly options: {timeoutMs: number; log?: (line: string) => void; signal: AbortSignal},
  ) {}

  label = (baseUrl: string): string => `DCS ${this.kind} ${endpointOf(baseUrl)}`

  /** One JSON request; `empty` statuses mean "no keys" and give null. */
  async call(method: 'GET' | 'POST', baseUrl: string, path: string, body?: unknown, headers: Record<string, string> = {}, empty: number[] = []): Promise<unknown> {
    const url = new URL(path, baseUrl)
    const label = this.label(baseUrl)
    const started = performance.now()
    const took = () => `${Math.round(performance.now() - started)} ms`
    let status: number
    let text: string
    try {
      const response = await this.agent.request({
        body: body === undefined ? undefined : JSON.stringify(body),
        bodyTimeout: this.options.timeoutMs,
        headers: {accept: 'application/json', 'user-agent': 'pgpatronictl', ...(body === undefined ? {} : {'content-type': 'application/json'}), ...headers},
        headersTimeout: this.options.timeoutMs,
        method,
        origin: url.origin,
        path: url.pathname + url.search,
        signal: this.options.signal,
      })
      status = response.statusCode
      text = await readAnswer(response.body, label)
    } catch (error) {
      if (error instanceof RestError) throw error // too large
      const failure = classifyNetworkError(error, label, this.options.timeoutMs)
      const reason = failure.kind === 'tls' ? failure.reason.replace(/ \(set ctl\.cacert.*\)$/, ` (check ${this.kind}.cacert)`) : failure.reason
      this.options.log?.(`${method} ${url.href} -> ${reason} (${took()})`)
      throw new RestError(failure.kind, label, reason)
    }
    // the URL only: bodies carry passwords and tokens
    this.options.log?.(`${method} ${url.href} -> ${status} (${took()})`)
    if (empty.includes(status)) return null
    if (status === 401 || status === 403 || /authenticat|permission denied|user name is empty|invalid auth token/i.test(status >= 400 ? text : '')) {
      throw new RestError('auth', label, `${status} ${errorText(text) || 'access denied'}`, status)
    }
    if (status < 200 || status >= 300) throw new RestError('http', label, `${status} ${errorText(text)}`.trim(), status)
    try {
      return JSON.parse(text) as unknown
    } catch {
      throw new RestError('malformed', label, 'malformed answer (not JSON)')
    }
  }
}

/** etcd's JSON errors are {"error": "...", "message": "..."}; keep the words. */
function errorText(text: string): string {
  try {
    const body = JSON.parse(text) as {error?: unknown; message?: unknown}
    const words = typeof body.message === 'string' ? body.message : body.error
    if (typeof words === 'string') return plainText(words)
  } catch {
    // not JSON
  }
  return plainText(text)
}

function readTlsFiles(settings: DcsSettings): Record<string, unknown> {
  const read = readTlsFile
  return {ca: read(settings.tls?.caFile), cert: read(settings.tls?.certFile), key: read(settings.tls?.keyFile)}
}

const b64 = (value: Buffer | string): string => (typeof value === 'string' ? Buffer.from(value) : value).toString('base64')
const unb64 = (value: unknown): string => (typeof value === 'string' ? Buffer.from(value, 'base64').toString('utf8') : '')

/** etcd's range_end for a prefix: the prefix with its last byte incremented. */
export function prefixRangeEnd(prefix: string): Buffer {
  const bytes = Buffer.from(prefix)
  for (let i = bytes.length - 1; i >= 0; i--) {
    if (bytes[i]! < 0xff) {
      bytes[i]! += 1
      return bytes.subarray(0, i + 1)
    }
  }
  return Buffer.from([0])
}

/** POST /v3/kv/range answer: {"kvs": [{"key": base64, "value": base64, ...}], "count": "n"}. */
export function parseEtcd3Range(body: unknown, prefix: string): Map<string, string> {
  const keys = new Map<string, string>()
  const kvs = (body as {kvs?: unknown} | null)?.kvs
  if (!Array.isArray(kvs)) return keys // no "kvs" at all when nothing matched
  for (const kv of kvs as {key?: unknown; value?: unknown}[]) {
    const key = unb64(kv?.key)
    if (key.startsWith(prefix)) keys.set(key.slice(prefix.length), unb64(kv.value))
  }
  return keys
}

/** GET /v2/keys/<prefix>?recursive=true answer: a tree of {key, value?, dir?, nodes?}. */
export function parseEtcd2Keys(body: unknown, prefix: string): Map<string, string> {
  const keys = new Map<string, string>()
  const walk = (node: {key?: unknown; value?: unknown; dir?: unknown; nodes?: unknown} | null | undefined) => {
    if (!node || typeof node !== 'object') return
    if (Array.isArray(node.nodes)) for (const child of node.nodes) walk(child as never)
    if (typeof node.key === 'string' && typeof node.value === 'string' && node.key.startsWith(prefix)) {
      keys.set(node.key.slice(prefix.length), node.value)
    }
  }
  walk((body as {node?: never} | null)?.node)
  return keys
}

/** GET /v1/kv/<prefix>?recurse answer: [{"Key": "...", "Value": base64 | null, ...}]. */
export function parseConsulKv(body: unknown, prefix: string): Map<string, string> {
  const keys = new Map<string, string>()
  if (!Array.isArray(body)) return keys
  for (const entry of body as {Key?: unknown; Value?: unknown}[]) {
    if (typeof entry?.Key === 'string' && entry.Key.startsWith(prefix)) keys.set(entry.Key.slice(prefix.length), unb64(entry.Value))
  }
  return keys
}

/** A member key's value: Patroni's JSON, or a bare conn_url from very old versions. */
export function parseMemberValue(value: string): Record<string, unknown> {
  try {
    const data: unknown = JSON.parse(value)
    if (typeof data === 'object' && data !== null && !Array.isArray(data)) return data as Record<string, unknown>
  } catch {
    if (/^postgres(ql)?:\/\//.test(value)) return {conn_url: value}
  }
  return {}
}

const json = (value: string | undefined): Record<string, unknown> | undefined => {
  if (value === undefined) return undefined
  try {
    const data: unknown = JSON.parse(value)
    return typeof data === 'object' && data !== null && !Array.isArray(data) ? (data as Record<string, unknown>) : undefined
  } catch {
    return undefined
  }
}

/**
 * What GET /cluster would answer, computed from the DCS keys exactly as Patroni's
 * cluster_as_json does (the same source patronictl list reads): roles from the leader and sync
 * keys, lag from the last leader LSN in `status` (or legacy `optime/leader`).
 */
export function clusterFromDcs(keys: Map<string, string>): RestCluster & {leader?: string; systemId?: string} {
  const config = json(keys.get('config')) ?? {}
  const standby = config.standby_cluster as Record<string, unknown> | undefined
  const isStandby = typeof standby === 'object' && standby !== null && Boolean(standby.host || standby.port || standby.restore_command)
  const leader = keys.get('leader')?.trim() || undefined
  const sync = json(keys.get('sync'))
  const syncMembers = typeof sync?.sync_standby === 'string' ? sync.sync_standby.split(',').map((s) => s.trim()).filter(Boolean) : []
  const status = json(keys.get('status'))
  const lastLsn = Number(status ? status.optime : keys.get('optime/leader')) || 0
  const members = [...keys.entries()]
    .filter(([key]) => key.startsWith('members/') && key.split('/').length === 2 && key.length > 'members/'.length)
    .map(([key, value]) => {
      const name = key.slice('members/'.length)
      const data = parseMemberValue(value)
      const role = name === leader ? (isStandby ? 'standby_leader' : 'leader') : syncMembers.includes(name) ? 'sync_standby' : 'replica'
      const member: Record<string, unknown> = {api_url: data.api_url, name, role, state: typeof data.state === 'string' ? data.state : ''}
      const address = connAddress(data.conn_url)
      if (address?.host) {
        member.host = address.host
        member.port = address.port
      }
      for (const optional of ['timeline', 'pending_restart', 'scheduled_restart', 'tags']) {
        if (optional in data) member[optional] = data[optional]
      }
      if (name !== leader) {
        const lsn = data.xlog_location
        member.lag = typeof lsn !== 'number' ? 'unknown' : Math.max(0, lastLsn - lsn)
      }
      return member
    })
    .sort((a, b) => (String(a.name) < String(b.name) ? -1 : 1))
  const cluster: RestCluster & {leader?: string; systemId?: string} = {leader, members}
  if (config.pause === true || config.pause === 'true') cluster.pause = true
  const failover = json(keys.get('failover'))
  if (typeof failover?.scheduled_at === 'string') {
    cluster.scheduled_switchover = {at: failover.scheduled_at, from: failover.leader, to: failover.member}
  }
  const initialize = keys.get('initialize')?.trim()
  if (initialize) cluster.systemId = initialize
  return cluster
}

function connAddress(connUrl: unknown): {host: string; port: number} | undefined {
  if (typeof connUrl !== 'string') return undefined
  try {
    const url = new URL(connUrl)
    return {host: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port) || 5432}
  } catch {
    return undefined
  }
}
