import type {Agent} from 'undici'

import type {DcsKind, DcsSettings} from '../config/dcs-settings.js'
import {RestError, classifyNetworkError, endpointOf, plainText, readAnswer, readTlsFile} from '../rest/client.js'
import type {RestCluster} from '../rest/cluster.js'
import {answerOrAbort, closeAgent, deadline} from '../rest/deadline.js'

/** The keys under a prefix (`<namespace><scope>/`), relative to it (`leader`, `members/node1`, ...), and who answered. */
export interface DcsSnapshot {
  keys: Map<string, string>
  kind: DcsKind
  baseUrl: string // the DCS endpoint that answered
  ttls?: Map<string, number> // seconds left before a key expires, where asked for and the DCS tells (see ReadDcsOptions.ttlOf)
}

export interface ReadDcsOptions {
  timeoutMs: number // one deadline for the whole read: every endpoint, authentication, lease requests
  log?: (line: string) => void
  insecure?: boolean
  signal?: AbortSignal
  maxBytes?: number // the largest answer accepted (default MAX_ANSWER_BYTES)
  hedgeMs?: number // endpoints one after another, the next when one failed or after this long; default: all at once
  ttlOf?: (key: string) => boolean // keys whose time to live is wanted: etcd v2 has it in the read, etcd3 with leaseRequests
  leaseRequests?: boolean // etcd3: one POST /v3/lease/timetolive per distinct lease of those keys, after the range read
  skip?: (key: string) => boolean // keys not wanted: their values are not even decoded
}

/** Patroni's base path: '/' + namespace + '/' + scope, slashes collapsed; keys live below it. */
export function dcsPrefix(namespace: string | undefined, scope: string): string {
  return `${`/${namespace ?? 'service'}/${scope}`.replaceAll(/\/+/g, '/')}/`
}

/** Every scope of a namespace lives below this prefix: '/' + namespace + '/', slashes collapsed. */
export const namespacePrefix = (namespace: string | undefined): string =>
  `/${namespace ?? 'service'}/`.replaceAll(/\/+/g, '/')

/**
 * Reads every key below `prefix` from the DCS in one request (etcd3 prefix range, etcd v2
 * recursive GET, consul recurse), plus a login for etcd with a password: every endpoint is tried
 * (all at once, or hedged), the first answer wins, everything within `timeoutMs`. Failures are
 * RestErrors naming `kind host:port`, never credentials. Nothing is ever written.
 */
export async function readDcs(settings: DcsSettings, prefix: string, options: ReadDcsOptions): Promise<DcsSnapshot> {
  options = {...options, timeoutMs: Math.ceil(options.timeoutMs)} // undici wants whole milliseconds
  const {Agent} = await import('undici')
  const tls = settings.tls ? readTlsFiles(settings) : {}
  const agent = new Agent({
    connect: {timeout: options.timeoutMs, ...tls, rejectUnauthorized: !options.insecure},
    connections: 8,
    pipelining: 0,
  })
  // one deadline for the whole read, authentication included
  const limit = deadline(options.timeoutMs)
  const signal = anySignal([limit.signal, ...(options.signal ? [options.signal] : [])])
  const http = new DcsHttp(agent, settings.kind, {...options, signal})
  try {
    return await firstAnswer(settings.endpoints.length, options.hedgeMs, signal, (i, own) =>
      readOne(http.with(own), settings, settings.endpoints[i]!, prefix, options),
    )
  } catch (error) {
    const errors = (error as AggregateError).errors as unknown[]
    const first = errors.find((e): e is RestError => e instanceof RestError)
    if (!first) throw errors[0] ?? error
    const others = errors.filter((e) => e !== first).map((e) => (e instanceof Error ? e.message : String(e)))
    throw new RestError(
      first.kind,
      first.endpoint,
      first.reason + (others.length > 0 ? `; ${others.join('; ')}` : ''),
      first.status,
    )
  } finally {
    limit.clear()
    await closeAgent(agent)
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

/**
 * Runs `attempt` for endpoints 0..count-1 and resolves with the first success; the others are
 * then aborted. Without `hedgeMs` all start at once; with it, each starts when the one before
 * failed or after `hedgeMs`, so a healthy first endpoint is the only one asked.
 */
function firstAnswer<T>(
  count: number,
  hedgeMs: number | undefined,
  signal: AbortSignal,
  attempt: (i: number, signal: AbortSignal) => Promise<T>,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const errors: unknown[] = []
    const running: AbortController[] = []
    let started = 0
    let failed = 0
    let settled = false
    let timer: NodeJS.Timeout | undefined
    const startNext = () => {
      clearTimeout(timer)
      if (settled || started >= count) return
      const i = started++
      const own = new AbortController()
      running.push(own)
      attempt(i, anySignal([signal, own.signal])).then(
        (value) => {
          if (settled) return
          settled = true
          clearTimeout(timer)
          for (const other of running) if (other !== own) other.abort()
          resolve(value)
        },
        (error: unknown) => {
          errors[i] = error
          if (settled) return
          if (++failed === count) {
            settled = true
            reject(new AggregateError(errors))
          } else startNext()
        },
      )
      if (hedgeMs !== undefined && started < count) timer = setTimeout(startNext, hedgeMs)
    }
    if (hedgeMs === undefined) while (started < count) startNext()
    else startNext()
  })
}

async function readOne(
  http: DcsHttp,
  settings: DcsSettings,
  baseUrl: string,
  prefix: string,
  options: ReadDcsOptions,
): Promise<DcsSnapshot> {
  const read = {etcd: readEtcd2, etcd3: readEtcd3, consul: readConsul}[settings.kind]
  const {keys, ttls} = await read(http, settings, baseUrl, prefix, options)
  return {baseUrl, keys, kind: settings.kind, ...(ttls ? {ttls} : {})}
}

type KeysAndTtls = {keys: Map<string, string>; ttls?: Map<string, number>}

/** etcd's JSON gateway: a token first when the DCS has a password, then one range read of the prefix. */
async function readEtcd3(
  http: DcsHttp,
  settings: DcsSettings,
  baseUrl: string,
  prefix: string,
  options: ReadDcsOptions,
): Promise<KeysAndTtls> {
  const headers: Record<string, string> = {}
  if (settings.username !== undefined) {
    const credentials = {name: settings.username, password: settings.password}
    const auth = await http.call({baseUrl, body: credentials, method: 'POST', path: '/v3/auth/authenticate'})
    const token = (auth as {token?: unknown}).token
    if (typeof token !== 'string') throw new RestError('auth', http.label(baseUrl), 'etcd authentication gave no token')
    headers.authorization = token
  }
  const body = {key: b64(prefix), range_end: b64(prefixRangeEnd(prefix))}
  const {ttlOf} = options
  const leases = ttlOf && options.leaseRequests ? new Map<string, string>() : undefined
  const answer = await http.call({baseUrl, body, headers, method: 'POST', path: '/v3/kv/range'})
  const keys = parseEtcd3Range(answer, prefix, leases, options.skip)
  return {keys, ttls: leases && (await leaseTtls(http, baseUrl, headers, leases, ttlOf!))}
}

/** etcd v2: one recursive get; a scope without keys is its 404 (errorCode 100). */
async function readEtcd2(
  http: DcsHttp,
  settings: DcsSettings,
  baseUrl: string,
  prefix: string,
  options: ReadDcsOptions,
): Promise<KeysAndTtls> {
  const headers: Record<string, string> = {}
  if (settings.username !== undefined)
    headers.authorization = `Basic ${b64(`${settings.username}:${settings.password}`)}`
  const path = `/v2/keys${prefix.split('/').map(encodeURIComponent).join('/')}?recursive=true`
  const {ttlOf} = options
  const ttls = ttlOf ? new Map<string, number>() : undefined
  const answer = await http.call({baseUrl, empty: [404], headers, method: 'GET', path})
  const keys = parseEtcd2Keys(answer, prefix, ttls, options.skip)
  if (ttls && ttlOf) for (const key of ttls.keys()) if (!ttlOf(key)) ttls.delete(key)
  return {keys, ttls}
}

/** Consul: one recursive get, with the ACL token when there is one. */
async function readConsul(
  http: DcsHttp,
  settings: DcsSettings,
  baseUrl: string,
  prefix: string,
  options: ReadDcsOptions,
): Promise<KeysAndTtls> {
  const headers: Record<string, string> = settings.token ? {'x-consul-token': settings.token} : {}
  const path = `/v1/kv/${prefix.slice(1).split('/').map(encodeURIComponent).join('/')}?recurse`
  const answer = await http.call({baseUrl, empty: [404], headers, method: 'GET', path})
  return {keys: parseConsulKv(answer, prefix.slice(1), options.skip)}
}

/**
 * etcd3 keeps a key's time to live on its lease: one request per distinct lease (Patroni's member
 * and leader keys share their node's lease), a few at a time. A lease that cannot be asked
 * leaves its keys without a TTL rather than failing the read.
 */
async function leaseTtls(
  http: DcsHttp,
  baseUrl: string,
  headers: Record<string, string>,
  leases: Map<string, string>,
  ttlOf: (key: string) => boolean,
): Promise<Map<string, number>> {
  const byLease = new Map<string, string[]>()
  for (const [key, lease] of leases) {
    if (!ttlOf(key)) continue
    const keys = byLease.get(lease)
    if (keys) keys.push(key)
    else byLease.set(lease, [key])
  }
  const ttls = new Map<string, number>()
  const queue = [...byLease.keys()]
  const worker = async () => {
    for (let lease = queue.shift(); lease !== undefined; lease = queue.shift()) {
      const answer = await http
        .call({baseUrl, body: {ID: lease}, headers, method: 'POST', path: '/v3/lease/timetolive'})
        .catch(() => undefined)
      const ttl = Number((answer as {TTL?: unknown} | undefined)?.TTL)
      if (Number.isFinite(ttl)) for (const key of byLease.get(lease)!) ttls.set(key, Math.max(0, ttl))
    }
  }
  await Promise.all(Array.from({length: Math.min(8, queue.length)}, worker))
  return ttls
}

/** JSON requests to one DCS's endpoints, errors naming `kind host:port` (also used by remove.ts to delete). */
export class DcsHttp {
  constructor(
    private readonly agent: Agent,
    private readonly kind: DcsKind,
    private readonly options: {timeoutMs: number; log?: (line: string) => void; signal: AbortSignal; maxBytes?: number},
  ) {}

  /** The same client, its requests also ended by `signal` (a hedged attempt that lost). */
  with = (signal: AbortSignal): DcsHttp => new DcsHttp(this.agent, this.kind, {...this.options, signal})

  label = (baseUrl: string): string => `DCS ${this.kind} ${endpointOf(baseUrl)}`

  /** The request and its whole answer, ended by the signal whatever undici does (see ../rest/deadline.ts). */
  private async exchange(
    url: URL,
    label: string,
    {body, headers = {}, method}: {body?: unknown; headers?: Record<string, string>; method: 'DELETE' | 'GET' | 'POST'},
  ): Promise<{status: number; text: string}> {
    const {signal, timeoutMs} = this.options
    const exchange = async () => {
      const response = await this.agent.request({
        body: body === undefined ? undefined : JSON.stringify(body),
        bodyTimeout: timeoutMs,
        headers: {
          accept: 'application/json',
          'user-agent': 'pgpatronictl',
          ...(body === undefined ? {} : {'content-type': 'application/json'}),
          ...headers,
        },
        headersTimeout: timeoutMs,
        method,
        origin: url.origin,
        path: url.pathname + url.search,
        signal,
      })
      return {status: response.statusCode, text: await readAnswer(response.body, label, this.options.maxBytes)}
    }
    return answerOrAbort(exchange(), signal)
  }

  /** One JSON request; `empty` statuses mean "no keys" and give null. */
  async call(request: {
    method: 'DELETE' | 'GET' | 'POST'
    baseUrl: string
    path: string
    body?: unknown
    headers?: Record<string, string>
    empty?: number[]
  }): Promise<unknown> {
    const {baseUrl, empty = [], method, path} = request
    const url = new URL(path, baseUrl)
    const label = this.label(baseUrl)
    const started = performance.now()
    const took = () => `${Math.round(performance.now() - started)} ms`
    let status: number
    let text: string
    try {
      ;({status, text} = await this.exchange(url, label, request))
    } catch (error) {
      if (error instanceof RestError) throw error // too large
      const failure = classifyNetworkError(error, label, this.options.timeoutMs)
      const reason =
        failure.kind === 'tls'
          ? failure.reason.replace(/ \(set ctl\.cacert.*\)$/, ` (check ${this.kind}.cacert)`)
          : failure.reason
      this.options.log?.(`${method} ${url.href} -> ${reason} (${took()})`)
      throw new RestError(failure.kind, label, reason)
    }
    // the URL only: bodies carry passwords and tokens
    this.options.log?.(`${method} ${url.href} -> ${status} (${took()})`)
    if (empty.includes(status)) return null
    if (
      status === 401 ||
      status === 403 ||
      /authenticat|permission denied|user name is empty|invalid auth token/i.test(status >= 400 ? text : '')
    ) {
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

export function readTlsFiles(settings: DcsSettings): Record<string, unknown> {
  const read = readTlsFile
  return {ca: read(settings.tls?.caFile), cert: read(settings.tls?.certFile), key: read(settings.tls?.keyFile)}
}

const b64 = (value: Buffer | string): string =>
  (typeof value === 'string' ? Buffer.from(value) : value).toString('base64')
const unb64 = (value: unknown): string =>
  typeof value === 'string' ? Buffer.from(value, 'base64').toString('utf8') : ''

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

/**
 * POST /v3/kv/range answer: {"kvs": [{"key": base64, "value": base64, "lease": "id", ...}], "count": "n"}.
 * `leases`, when given, receives the lease ID of every key that has one; keys that `skip` names are left out.
 */
export function parseEtcd3Range(
  body: unknown,
  prefix: string,
  leases?: Map<string, string>,
  skip?: (key: string) => boolean,
): Map<string, string> {
  const keys = new Map<string, string>()
  const kvs = (body as {kvs?: unknown} | null)?.kvs
  if (!Array.isArray(kvs)) return keys // no "kvs" at all when nothing matched
  for (const kv of kvs as {key?: unknown; value?: unknown; lease?: unknown}[]) {
    const key = unb64(kv?.key)
    if (!key.startsWith(prefix)) continue
    const relative = key.slice(prefix.length)
    if (skip?.(relative)) continue
    keys.set(relative, unb64(kv.value))
    if (leases && (typeof kv.lease === 'string' || typeof kv.lease === 'number') && String(kv.lease) !== '0')
      leases.set(relative, String(kv.lease))
  }
  return keys
}

/**
 * GET /v2/keys/<prefix>?recursive=true answer: a tree of {key, value?, dir?, nodes?, ttl?}.
 * `ttls`, when given, receives the seconds left of every key that expires.
 */
export function parseEtcd2Keys(
  body: unknown,
  prefix: string,
  ttls?: Map<string, number>,
  skip?: (key: string) => boolean,
): Map<string, string> {
  const keys = new Map<string, string>()
  const stack: unknown[] = [(body as {node?: unknown} | null)?.node] // not recursive: a deep tree cannot overflow the stack
  while (stack.length > 0) {
    const node = stack.pop() as
      {key?: unknown; value?: unknown; dir?: unknown; nodes?: unknown; ttl?: unknown} | null | undefined
    if (!node || typeof node !== 'object') continue
    if (Array.isArray(node.nodes)) for (let i = node.nodes.length - 1; i >= 0; i--) stack.push(node.nodes[i])
    if (typeof node.key === 'string' && typeof node.value === 'string' && node.key.startsWith(prefix)) {
      const relative = node.key.slice(prefix.length)
      if (skip?.(relative)) continue
      keys.set(relative, node.value)
      if (ttls && typeof node.ttl === 'number') ttls.set(relative, node.ttl)
    }
  }
  return keys
}

/** GET /v1/kv/<prefix>?recurse answer: [{"Key": "...", "Value": base64 | null, ...}]. */
export function parseConsulKv(body: unknown, prefix: string, skip?: (key: string) => boolean): Map<string, string> {
  const keys = new Map<string, string>()
  if (!Array.isArray(body)) return keys
  for (const entry of body as {Key?: unknown; Value?: unknown}[]) {
    if (typeof entry?.Key !== 'string' || !entry.Key.startsWith(prefix)) continue
    const relative = entry.Key.slice(prefix.length)
    if (!skip?.(relative)) keys.set(relative, unb64(entry.Value))
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
    return typeof data === 'object' && data !== null && !Array.isArray(data)
      ? (data as Record<string, unknown>)
      : undefined
  } catch {
    return undefined
  }
}

/** The keys clusterFromDcs parsed, for callers that look further (the fleet's health checks): parsed once. */
export interface DcsParsed {
  config: Record<string, unknown> // the dynamic configuration ({} when missing or unreadable)
  status?: Record<string, unknown>
  syncMembers: string[]
  memberData: Map<string, Record<string, unknown>> // each member key's value, as the member wrote it
}

/** A member key's name below the scope: `members/<name>`, nothing deeper. */
const memberName = (key: string): string | undefined =>
  key.startsWith('members/') && key.length > 'members/'.length && key.indexOf('/', 'members/'.length) < 0
    ? key.slice('members/'.length)
    : undefined

/**
 * What GET /cluster would answer, computed from the DCS keys exactly as Patroni's
 * cluster_as_json does (the same source patronictl list reads): roles from the leader and sync
 * keys, lag from the last leader LSN in `status` (or legacy `optime/leader`).
 */
export function clusterFromDcs(
  keys: Map<string, string>,
): RestCluster & {leader?: string; systemId?: string; parsed: DcsParsed} {
  const config = json(keys.get('config')) ?? {}
  const leader = keys.get('leader')?.trim() || undefined
  const sync = json(keys.get('sync'))
  const syncMembers =
    typeof sync?.sync_standby === 'string'
      ? sync.sync_standby
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
      : []
  const status = json(keys.get('status'))
  const context = {
    isStandby: isStandbyCluster(config),
    lastLsn: Number(status ? status.optime : keys.get('optime/leader')) || 0,
    leader,
    syncMembers,
  }
  const memberData = new Map<string, Record<string, unknown>>()
  for (const [key, value] of keys) {
    const name = memberName(key)
    if (name !== undefined) memberData.set(name, parseMemberValue(value))
  }
  const version = patroniVersionOf(memberData, leader)
  const members = [...memberData]
    .map(([name, data]) => memberAsRest(name, data, {...context, lsnColumns: atLeast41(version)}))
    .sort((a, b) => (String(a.name) < String(b.name) ? -1 : 1))
  const cluster: RestCluster & {leader?: string; systemId?: string; parsed: DcsParsed} = {
    leader,
    members,
    parsed: {config, memberData, status, syncMembers},
  }
  if (version) cluster.patroni_version = version
  if (config.pause === true || config.pause === 'true') cluster.pause = true
  const failover = json(keys.get('failover'))
  if (typeof failover?.scheduled_at === 'string') {
    cluster.scheduled_switchover = {at: failover.scheduled_at, from: failover.leader, to: failover.member}
  }
  const initialize = keys.get('initialize')?.trim()
  if (initialize) cluster.systemId = initialize
  return cluster
}

function isStandbyCluster(config: Record<string, unknown>): boolean {
  const standby = config.standby_cluster as Record<string, unknown> | undefined
  return (
    typeof standby === 'object' && standby !== null && Boolean(standby.host || standby.port || standby.restore_command)
  )
}

/** One member key as GET /cluster shows the member: role from the leader and sync keys, lag from the leader's LSN. */
function memberAsRest(
  name: string,
  data: Record<string, unknown>,
  cluster: {leader?: string; isStandby: boolean; syncMembers: string[]; lastLsn: number; lsnColumns: boolean},
): Record<string, unknown> {
  const leading = name === cluster.leader
  const role = leading
    ? cluster.isStandby
      ? 'standby_leader'
      : 'leader'
    : cluster.syncMembers.includes(name)
      ? 'sync_standby'
      : 'replica'
  const member: Record<string, unknown> = {
    api_url: data.api_url,
    name,
    role,
    state: replicationState(data, leading) || (typeof data.state === 'string' ? data.state : ''),
  }
  const address = connAddress(data.conn_url)
  if (address?.host) {
    member.host = address.host
    member.port = address.port
  }
  for (const optional of ['timeline', 'pending_restart', 'pending_restart_reason', 'scheduled_restart', 'tags']) {
    if (optional in data) member[optional] = data[optional]
  }
  if (!leading) {
    const lsn = data.xlog_location
    member.lag = typeof lsn !== 'number' ? 'unknown' : Math.max(0, cluster.lastLsn - lsn)
    if (cluster.lsnColumns) {
      for (const [at, position] of [
        ['receive_', data.receive_lsn],
        ['replay_', data.replay_lsn],
        ['', lsn],
      ] as const) {
        const known = typeof position === 'number' && position > 0
        member[`${at}lsn`] = known ? formatLsn(position) : 'unknown'
        member[`${at}lag`] = known ? Math.max(0, cluster.lastLsn - position) : 'unknown'
      }
    }
  }
  return member
}

/** The Patroni version in the leader's member key (else any member's): which columns patronictl of it shows. */
function patroniVersionOf(memberData: Map<string, Record<string, unknown>>, leader?: string): string | undefined {
  const versions = [...memberData].map(([name, data]) => [name, data.version] as const)
  const found =
    versions.find(([name, v]) => name === leader && typeof v === 'string') ??
    versions.find(([, v]) => typeof v === 'string')
  return found?.[1] as string | undefined
}

/** 4.1 added the receive and replay positions to /cluster (cluster_as_json). */
const atLeast41 = (version: string | undefined): boolean => {
  const [major = 0, minor = 0] = (version ?? '').split('.').map(Number)
  return major > 4 || (major === 4 && minor >= 1)
}

/** Postgres' X/Y notation of a byte position (patroni.postgresql.misc.format_lsn). */
const formatLsn = (lsn: number): string =>
  `${Math.floor(lsn / 2 ** 32)
    .toString(16)
    .toUpperCase()}/${(lsn % 2 ** 32).toString(16).toUpperCase()}`

/** A replica's replication_state (streaming, in archive recovery: Patroni 3.0.4+, 4.x) is its state, as in cluster_as_json. */
function replicationState(data: Record<string, unknown>, leading: boolean): string | undefined {
  return !leading && typeof data.replication_state === 'string' ? data.replication_state : undefined
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
