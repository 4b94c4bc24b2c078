
import type {Agent, Dispatcher} from 'undici'

import {ExitCode, PgpError, describeFsError} from './errors.js'
import type {RestAccess, TlsSettings} from './patroni-config.js'
import {readRegularFile} from './regular-file.js'

export type RestFailure = 'auth' | 'http' | 'malformed' | 'timeout' | 'tls' | 'unreachable'

/** A failed REST call. `reason` is short enough for a table cell; `message` is the full line. */
export class RestError extends PgpError {
  constructor(
    readonly kind: RestFailure,
    readonly endpoint: string, // host:port, never credentials
    readonly reason: string,
    readonly status?: number,
  ) {
    const exit = kind === 'unreachable' || kind === 'timeout' || kind === 'tls' ? ExitCode.unreachable : ExitCode.failed
    super(`${endpoint}: ${reason}`, exit)
    this.name = 'RestError'
  }
}

export interface RestResponse {
  status: number
  text: string
}

export interface ClientOptions {
  timeoutMs: number
  log?: (line: string) => void // --debug: method, URL, status, time; never headers or bodies
}

/**
 * One client per instance: its credentials and TLS settings serve every member of the cluster.
 * Every request has a deadline (connect and answer), so a black-holed member costs at most
 * `timeoutMs`. undici is imported here, lazily, because it costs ~45 ms of startup.
 */
export class PatroniClient {
  private constructor(
    readonly access: RestAccess,
    private readonly agent: Agent,
    private readonly options: ClientOptions,
  ) {}

  static async create(access: RestAccess, options: ClientOptions): Promise<PatroniClient> {
    const {Agent} = await import('undici')
    const connect = {timeout: options.timeoutMs, ...(access.tls ? readTlsFiles(access.tls) : {})}
    const agent = new Agent({connect, connections: 4, keepAliveTimeout: 1000, pipelining: 0})
    return new PatroniClient(access, agent, options)
  }

  /** GET a JSON document; anything but 2xx with a JSON body is a RestError. */
  async getJson<T>(path: string, baseUrl = this.access.baseUrl, timeoutMs?: number): Promise<T> {
    const response = await this.request('GET', path, {baseUrl, timeoutMs})
    return parseJson<T>(response, endpointOf(baseUrl))
  }

  async request(
    method: Dispatcher.HttpMethod,
    path: string,
    options: {baseUrl?: string; body?: unknown; timeoutMs?: number} = {},
  ): Promise<RestResponse> {
    const baseUrl = options.baseUrl ?? this.access.baseUrl
    const url = new URL(path, baseUrl)
    const endpoint = endpointOf(baseUrl)
    const timeoutMs = Math.ceil(options.timeoutMs ?? this.options.timeoutMs)
    const headers: Record<string, string> = {accept: 'application/json', 'user-agent': 'pgpatronictl'}
    if (this.access.auth) {
      const {password, username} = this.access.auth
      headers.authorization = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`
    }
    let body: string | undefined
    if (options.body !== undefined) {
      body = JSON.stringify(options.body)
      headers['content-type'] = 'application/json'
    }
    const started = performance.now()
    try {
      const response = await this.agent.request({
        body,
        bodyTimeout: timeoutMs,
        headers,
        headersTimeout: timeoutMs,
        method,
        origin: url.origin,
        path: url.pathname + url.search,
        signal: AbortSignal.timeout(timeoutMs),
      })
      const text = await response.body.text()
      this.options.log?.(`${method} ${url.href} -> ${response.statusCode} (${Math.round(performance.now() - started)} ms)`)
      if (response.statusCode === 401 || response.statusCode === 403) {
        throw new RestError('auth', endpoint, `${response.statusCode} ${plainText(text) || 'access denied'}`, response.statusCode)
      }
      return {status: response.statusCode, text}
    } catch (error) {
      if (error instanceof RestError) throw error
      const failure = classifyNetworkError(error, endpoint, timeoutMs)
      this.options.log?.(`${method} ${url.href} -> ${failure.reason} (${Math.round(performance.now() - started)} ms)`)
      throw failure
    }
  }

  async close(): Promise<void> {
    await this.agent.destroy()
  }
}

/** Non-2xx answers become an `http` RestError carrying Patroni's own text. */
export function expectSuccess(response: RestResponse, endpoint: string): RestResponse {
  if (response.status >= 200 && response.status < 300) return response
  throw new RestError('http', endpoint, `${response.status} ${plainText(response.text)}`.trim(), response.status)
}

export function parseJson<T>(response: RestResponse, endpoint: string): T {
  expectSuccess(response, endpoint)
  try {
    return JSON.parse(response.text) as T
  } catch {
    throw new RestError('malformed', endpoint, `malformed answer (not JSON): ${plainText(response.text).slice(0, 60)}`)
  }
}

export const endpointOf = (baseUrl: string): string => new URL(baseUrl).host

/** Patroni answers errors as text, or as an http.server HTML page: keep one readable line. */
export function plainText(text: string): string {
  const line = text
    .replaceAll(/<title>.*?<\/title>/gis, ' ')
    .replaceAll(/<[^>]*>/g, ' ')
    .replaceAll(/\s+/g, ' ')
    .trim()
  return line.length > 200 ? `${line.slice(0, 197)}...` : line
}

const TLS_CODES = /^(ERR_TLS_|ERR_SSL_|CERT_|DEPTH_ZERO|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|EPROTO$|HOSTNAME_MISMATCH)/

export function classifyNetworkError(error: unknown, endpoint: string, timeoutMs: number): RestError {
  const err = error as NodeJS.ErrnoException & {cause?: NodeJS.ErrnoException}
  const code = err?.code ?? err?.cause?.code ?? ''
  const name = err?.name ?? ''
  const seconds = `${Math.round(timeoutMs / 100) / 10}s`
  if (name === 'TimeoutError' || name === 'AbortError' || /TIMEOUT/.test(code)) {
    return new RestError('timeout', endpoint, `no answer within ${seconds}`)
  }
  if (TLS_CODES.test(code)) {
    return new RestError('tls', endpoint, `TLS error: ${code} (set ctl.cacert, or use --insecure to skip verification)`)
  }
  const words: Record<string, string> = {
    EAI_AGAIN: 'cannot resolve host name',
    ECONNREFUSED: 'connection refused',
    ECONNRESET: 'connection reset',
    EHOSTUNREACH: 'host unreachable',
    ENETUNREACH: 'network unreachable',
    ENOTFOUND: 'cannot resolve host name',
    UND_ERR_SOCKET: 'connection closed without an answer',
  }
  return new RestError('unreachable', endpoint, words[code] ?? `connection failed (${code || err?.message || name})`)
}

/** A CA, certificate or key file for TLS; unreadable is a config error naming the file. */
export function readTlsFile(file: string | undefined): Buffer | undefined {
  if (!file) return undefined
  try {
    return readRegularFile(file)
  } catch (error) {
    throw new PgpError(describeFsError(error, file), ExitCode.config)
  }
}

function readTlsFiles(tls: TlsSettings): Record<string, unknown> {
  const read = readTlsFile
  return {
    ca: read(tls.caFile),
    cert: read(tls.certFile),
    key: read(tls.keyFile),
    passphrase: tls.keyPassphrase,
    rejectUnauthorized: !tls.insecure,
  }
}
