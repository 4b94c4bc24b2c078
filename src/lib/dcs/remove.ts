import type {DcsSettings} from '../config/dcs-settings.js'
import {RestError, endpointOf} from '../rest/client.js'
import {DcsHttp, prefixRangeEnd, readTlsFiles} from './reader.js'
import {closeAgent, deadline} from '../rest/deadline.js'

/** The one request that wipes a scope, as Patroni's delete_cluster sends it; for --dry-run and the journal. */
export interface ScopeDelete {
  method: 'DELETE' | 'POST'
  path: string
  body?: Record<string, string>
}

/**
 * etcd3: a range delete of exactly `<namespace><scope>/` (the trailing slash keeps 15-main2);
 * etcd v2 and consul: a recursive delete of that directory. Nothing else is touched.
 */
export function scopeDelete(kind: DcsSettings['kind'], prefix: string): ScopeDelete {
  if (!prefix.endsWith('/') || prefix.split('/').filter(Boolean).length < 2)
    throw new Error(`refusing to delete ${prefix}: not a scope's prefix`) // a bug, never a whole namespace
  const encode = (path: string) => path.split('/').map(encodeURIComponent).join('/')
  switch (kind) {
    case 'etcd3':
      return {
        body: {key: Buffer.from(prefix).toString('base64'), range_end: prefixRangeEnd(prefix).toString('base64')},
        method: 'POST',
        path: '/v3/kv/deleterange',
      }
    case 'etcd':
      return {method: 'DELETE', path: `/v2/keys${encode(prefix.slice(0, -1))}?recursive=true&dir=true`}
    case 'consul':
      return {method: 'DELETE', path: `/v1/kv/${encode(prefix.slice(1))}?recurse`}
  }
}

/**
 * Sends the delete to one endpoint: the first that can be reached, one after another (a write
 * goes to one member only); an answer, even an error, ends it. Returns the endpoint and, for
 * etcd3, how many keys went.
 */
export async function deleteScope(
  settings: DcsSettings,
  prefix: string,
  options: {timeoutMs: number; insecure?: boolean; log?: (line: string) => void},
): Promise<{endpoint: string; deleted?: number}> {
  const request = scopeDelete(settings.kind, prefix)
  const timeoutMs = Math.ceil(options.timeoutMs)
  const {Agent} = await import('undici')
  const agent = new Agent({
    connect: {
      timeout: timeoutMs,
      ...(settings.tls ? readTlsFiles(settings) : {}),
      rejectUnauthorized: !options.insecure,
    },
  })
  const limit = deadline(timeoutMs)
  const http = new DcsHttp(agent, settings.kind, {log: options.log, signal: limit.signal, timeoutMs})
  const failures: string[] = []
  try {
    for (const baseUrl of settings.endpoints) {
      try {
        const headers = await authHeaders(http, settings, baseUrl)
        const answer = await http.call({...request, baseUrl, empty: [404], headers})
        const deleted = Number((answer as {deleted?: unknown} | null)?.deleted ?? Number.NaN)
        return {endpoint: endpointOf(baseUrl), ...(Number.isFinite(deleted) ? {deleted} : {})}
      } catch (error) {
        if (!(error instanceof RestError) || !error.isDown) throw error
        failures.push(error.message)
      }
    }
    throw new RestError('unreachable', `DCS ${settings.kind}`, failures.join('; ') || 'no endpoint')
  } finally {
    limit.clear()
    await closeAgent(agent)
  }
}

async function authHeaders(http: DcsHttp, settings: DcsSettings, baseUrl: string): Promise<Record<string, string>> {
  if (settings.username === undefined) return settings.token ? {'x-consul-token': settings.token} : {}
  if (settings.kind === 'etcd')
    return {authorization: `Basic ${Buffer.from(`${settings.username}:${settings.password}`).toString('base64')}`}
  const credentials = {name: settings.username, password: settings.password}
  const auth = await http.call({baseUrl, body: credentials, method: 'POST', path: '/v3/auth/authenticate'})
  const token = (auth as {token?: unknown}).token
  if (typeof token !== 'string') throw new RestError('auth', http.label(baseUrl), 'etcd authentication gave no token')
  return {authorization: token}
}
