import type {Agent, Dispatcher} from 'undici'

import {ExitCode, PgpError, configError, describeFsError} from '../errors.js'
import type {RestAccess, TlsSettings} from '../config/patroni-config.js'
import {readRegularFile} from '../config/files.js'
import {answerOrAbort, closeAgent, deadline} from './deadline.js'

// broken: the connection failed after the request may have been delivered (reset, closed mid-answer)
export type RestFailure = 'auth' | 'broken' | 'http' | 'malformed' | 'timeout' | 'tls' | 'unreachable'

/** Larger answers are refused (a /cluster of 100 members is ~50 kB): memory stays bounded. */
export const MAX_ANSWER_BYTES = 16 * 1024 * 1024

/** A failed REST call. `reason` is short enough for a table cell; `message` is the full line. */
export class RestError extends PgpError {
  constructor(
    readonly kind: RestFailure,
    readonly endpoint: string, // host:port, never credentials
    readonly reason: string,
    readonly status?: number,
    readonly maybeCarriedOut = false, // a change request that timed out or broke off: Patroni may act on it
  ) {
    const exit =
      kind === 'unreachable' || kind === 'timeout' || kind === 'tls' || kind === 'broken'
        ? ExitCode.unreachable
        : ExitCode.failed
    super(
      `${endpoint}: ${reason}${maybeCarriedOut ? ' (the request may still be carried out: check before repeating it)' : ''}`,
      exit,
    )
    this.name = 'RestError'
  }

  /**
   * Down, gone mid-answer, or failing on its side (5xx): another member may be asked instead.
   * Anything else (401, 403, other 4xx, a garbled answer, a TLS failure) is an answer to report.
   */
  get isDown(): boolean {
    return (
      this.kind === 'unreachable' ||
      this.kind === 'timeout' ||
      this.kind === 'broken' ||
      (this.kind === 'http' && (this.status ?? 0) >= 500)
    )
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
 * undici's own timers tick every ~0.5 s and may fire that much early; they are only a backstop
 * behind the request's AbortSignal, which is the deadline the user asked for.
 */
const UNDICI_SLACK_MS = 1000

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
    const tls = access.tls ? await usableTls(access.tls) : {}
    const connect = {timeout: options.timeoutMs + UNDICI_SLACK_MS, ...tls}
    const agent = new Agent({connect, connections: 4, keepAliveTimeout: 1000, pipelining: 0})
    return new PatroniClient(access, agent, options)
  }

  /** GET a JSON document; anything but 2xx with a JSON body is a RestError. */
  async getJson<T>(path: string, baseUrl = this.access.baseUrl, timeoutMs?: number): Promise<T> {
    const response = await this.request('GET', path, {baseUrl, timeoutMs})
    return parseJson<T>(response, endpointOf(baseUrl))
  }

  /** GET a JSON object (/patroni, /config): null, a list or a number is a malformed answer. */
  async getObject<T extends object>(
    path: string,
    baseUrl = this.access.baseUrl,
    timeoutMs?: number,
  ): Promise<Partial<T>> {
    const body = await this.getJson<unknown>(path, baseUrl, timeoutMs)
    if (body === null || typeof body !== 'object' || Array.isArray(body)) {
      throw new RestError('malformed', endpointOf(baseUrl), `malformed answer to GET ${path} (not a JSON object)`)
    }
    return body as Partial<T>
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
    const headers = this.headersFor(method, url, endpoint)
    let body: string | undefined
    if (options.body !== undefined) {
      body = JSON.stringify(options.body)
      headers['content-type'] = 'application/json'
    }
    const started = performance.now()
    const took = () => `${Math.round(performance.now() - started)} ms`
    const limit = deadline(timeoutMs)
    const exchange = async () => {
      const response = await this.agent.request({
        body,
        bodyTimeout: timeoutMs + UNDICI_SLACK_MS,
        headers,
        headersTimeout: timeoutMs + UNDICI_SLACK_MS,
        method,
        origin: url.origin,
        path: url.pathname + url.search,
        signal: limit.signal,
      })
      return {status: response.statusCode, text: await readAnswer(response.body, endpoint)}
    }
    try {
      const answer = await answerOrAbort(exchange(), limit.signal)
      const {status} = answer
      let {text} = answer
      this.options.log?.(`${method} ${url.href} -> ${status} (${took()})`)
      // Error pages are printed: never with our credentials in them (some servers echo headers).
      if (status >= 300 && this.access.auth) text = redact(text, this.access.auth, headers.authorization!)
      if (status === 401 || status === 403) {
        throw new RestError('auth', endpoint, `${status} ${plainText(text) || 'access denied'}`, status)
      }
      return {status, text}
    } catch (error) {
      if (error instanceof RestError) throw error
      const failure = this.failureOf(error, url, endpoint, timeoutMs, method !== 'GET')
      this.options.log?.(`${method} ${url.href} -> ${failure.reason} (${took()})`)
      throw failure
    } finally {
      limit.clear()
    }
  }

  /**
   * Credentials only where they may go: a member's api_url comes from the cluster, and credentials
   * meant for https never go out in clear (Patroni asks for them only on changes, which are
   * refused; reads go without).
   */
  private headersFor(method: Dispatcher.HttpMethod, url: URL, endpoint: string): Record<string, string> {
    const headers: Record<string, string> = {accept: 'application/json', 'user-agent': 'pgpatronictl'}
    const downgrade = this.access.baseUrl.startsWith('https:') && url.protocol === 'http:'
    if (downgrade && method !== 'GET') {
      const why = "api_url is plain http while this instance's REST API uses https: not sending credentials in clear"
      throw new RestError('tls', endpoint, why)
    }
    if (this.access.auth && !downgrade) {
      const {password, username} = this.access.auth
      headers.authorization = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`
    }
    return headers
  }

  /** A network failure in words; Patroni's TLS 1.3 refusal of a missing client certificate reaches undici as a closed socket. */
  private failureOf(error: unknown, url: URL, endpoint: string, timeoutMs: number, change: boolean): RestError {
    const failure = classifyNetworkError(error, endpoint, timeoutMs, change)
    if (failure.kind !== 'broken' || url.protocol !== 'https:' || this.access.tls?.certFile) return failure
    const hint = `${failure.reason}; if its restapi.verify_client requires a client certificate, set ctl.certfile and ctl.keyfile`
    return new RestError(failure.kind, failure.endpoint, hint, undefined, failure.maybeCarriedOut)
  }

  async close(): Promise<void> {
    await closeAgent(this.agent)
  }
}

/** Non-2xx answers become an `http` RestError carrying Patroni's own text. */
export function expectSuccess(response: RestResponse, endpoint: string): RestResponse {
  if (response.status >= 200 && response.status < 300) return response
  throw new RestError('http', endpoint, `${response.status} ${plainText(response.text)}`.trim(), response.status)
}

function parseJson<T>(response: RestResponse, endpoint: string): T {
  expectSuccess(response, endpoint)
  let value: unknown
  try {
    value = JSON.parse(response.text)
  } catch {
    throw new RestError('malformed', endpoint, `malformed answer (not JSON): ${plainText(response.text).slice(0, 60)}`)
  }
  // Patroni's documents are a few levels deep; printing a very deep one (YAML) would overflow the stack.
  if (depthExceeds(value, MAX_ANSWER_DEPTH))
    throw new RestError('malformed', endpoint, `malformed answer (nested deeper than ${MAX_ANSWER_DEPTH} levels)`)
  return value as T
}

const MAX_ANSWER_DEPTH = 64

function depthExceeds(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, 0]]
  while (stack.length > 0) {
    const [item, depth] = stack.pop()!
    if (item === null || typeof item !== 'object') continue
    if (depth >= limit) return true
    for (const child of Object.values(item)) stack.push([child, depth + 1])
  }
  return false
}

export const endpointOf = (baseUrl: string): string => new URL(baseUrl).host

/**
 * Patroni answers errors as text, or as an http.server HTML page: keep one readable line. Cut
 * first (the patterns are not linear on hostile input) and drop control characters, so that a
 * server's text cannot move the cursor or retitle the terminal it is printed on.
 */
export function plainText(text: string): string {
  let line = text
    .slice(0, 4096)
    .replaceAll(/<title>[^<]*<\/title>/gi, ' ')
    .replaceAll(/<[^<>]*>/g, ' ')
    .replaceAll(/[\u0000-\u001f\u007f-\u009f]/g, ' ')
    .replaceAll(/\s+/g, ' ')
    .trim()
  // http.server's send_error page (Patroni's 409 to PATCH /config, ...): its message, then why
  const page = /^Error response Error code: \d{3} Message: (.*?)\.? Error code explanation: \d{3} - (.*?)\.?$/.exec(
    line,
  )
  if (page) line = page[2] && page[2] !== page[1] ? `${page[1]} (${page[2]})` : page[1]!
  return line.length > 200 ? `${line.slice(0, 197)}...` : line
}

/** The body as text, refused beyond `maxBytes` (MAX_ANSWER_BYTES unless the caller expects more). */
export async function readAnswer(
  body: Dispatcher.ResponseData['body'],
  endpoint: string,
  maxBytes = MAX_ANSWER_BYTES,
): Promise<string> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of body as AsyncIterable<Buffer>) {
    size += chunk.length
    if (size > maxBytes) {
      body.destroy()
      throw new RestError('malformed', endpoint, `answer larger than ${maxBytes / 1024 / 1024} MiB, refused`)
    }
    chunks.push(chunk)
  }
  return Buffer.concat(chunks).toString('utf8')
}

/** Our credentials, as sent or in words, taken out of a server's text. */
function redact(text: string, auth: {password: string; username: string}, authorization: string): string {
  const token = authorization.replace(/^Basic /, '')
  let out = text.replaceAll(token, '***')
  if (auth.password) out = out.replaceAll(auth.password, '***')
  return out
}

const TLS_CODES = /^(ERR_TLS_|ERR_SSL_|CERT_|DEPTH_ZERO|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|EPROTO$|HOSTNAME_MISMATCH)/

/** Node and undici failures in words; `change`: the request asked for a change. */
export function classifyNetworkError(error: unknown, endpoint: string, timeoutMs: number, change = false): RestError {
  const err = error as NodeJS.ErrnoException & {cause?: NodeJS.ErrnoException}
  const code = err?.code ?? err?.cause?.code ?? ''
  const name = err?.name ?? ''
  const seconds = `${Math.round(timeoutMs / 100) / 10}s`
  if (name === 'TimeoutError' || name === 'AbortError' || /TIMEOUT/.test(code)) {
    return new RestError('timeout', endpoint, `no answer within ${seconds}`, undefined, change)
  }
  const broken: Record<string, string> = {
    ECONNRESET: 'connection reset',
    EPIPE: 'connection closed while sending',
    UND_ERR_RES_CONTENT_LENGTH_MISMATCH: 'connection closed in the middle of the answer',
    UND_ERR_SOCKET: 'connection closed before the answer was complete',
  }
  if (broken[code]) return new RestError('broken', endpoint, broken[code], undefined, change)
  if (name === 'HTTPParserError') {
    return /EOF/i.test(err.message)
      ? new RestError('broken', endpoint, 'connection closed in the middle of the answer', undefined, change)
      : new RestError('malformed', endpoint, `not an HTTP answer${code ? ` (${code})` : ''}`)
  }
  if (/ALERT_CERTIFICATE_REQUIRED/.test(code)) {
    return new RestError(
      'tls',
      endpoint,
      `TLS error: ${code}: the REST API requires a client certificate (set ctl.certfile and ctl.keyfile)`,
    )
  }
  if (/ALERT_(UNKNOWN_CA|BAD_CERTIFICATE|CERTIFICATE_UNKNOWN|DECRYPT_ERROR)/.test(code)) {
    return new RestError(
      'tls',
      endpoint,
      `TLS error: ${code}: the REST API refused the client certificate (is it signed by the CA in its restapi.cafile?)`,
    )
  }
  if (TLS_CODES.test(code)) {
    return new RestError('tls', endpoint, `TLS error: ${code} (set ctl.cacert, or use --insecure to skip verification)`)
  }
  const words: Record<string, string> = {
    EAI_AGAIN: 'cannot resolve host name',
    ECONNREFUSED: 'connection refused',
    EHOSTUNREACH: 'host unreachable',
    ENETUNREACH: 'network unreachable',
    ENOTFOUND: 'cannot resolve host name',
  }
  return new RestError('unreachable', endpoint, words[code] ?? `connection failed (${code || err?.message || name})`)
}

/** A CA, certificate or key file for TLS; unreadable is a config error naming the file. */
export function readTlsFile(file: string | undefined): Buffer | undefined {
  if (!file) return undefined
  try {
    return readRegularFile(file)
  } catch (error) {
    throw configError(describeFsError(error, file))
  }
}

/**
 * The TLS files, checked here so that a wrong key passphrase or a garbage file is a config
 * error naming it (exit 3), not a connection failure (exit 4) on every member.
 */
async function usableTls(tls: TlsSettings): Promise<Record<string, unknown>> {
  const options = {
    ca: readTlsFile(tls.caFile),
    cert: readTlsFile(tls.certFile),
    key: readTlsFile(tls.keyFile),
    passphrase: tls.keyPassphrase,
    rejectUnauthorized: !tls.insecure,
  }
  // OpenSSL skips what is not a certificate in a CA file: verification would then fail for no clear reason
  if (options.ca && !options.ca.includes('-----BEGIN CERTIFICATE-----'))
    throw configError(`${tls.caFile} holds no PEM certificate (a CA file)`)
  try {
    const {createSecureContext} = await import('node:tls')
    createSecureContext(options)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? ''
    const files = [tls.certFile, tls.keyFile].filter(Boolean).join(' and ')
    if (/BAD_DECRYPT|BAD_PASSWORD|INTERRUPTED_OR_CANCELLED/.test(code))
      throw configError(`cannot decrypt the TLS key ${tls.keyFile} (wrong or missing keyfile_password)`)
    if (/KEY_VALUES_MISMATCH/.test(code))
      throw configError(`the TLS certificate and key do not belong together: ${files}`)
    throw configError(`unusable TLS certificate or key: ${files || tls.caFile} (${code || (error as Error).message})`)
  }
  return options
}
