import type {DcsSettings} from '../config/dcs-settings.js'
import {type DcsSnapshot, clusterFromDcs, dcsPrefix, readDcs} from '../dcs/reader.js'
import {ExitCode, PgpError} from '../errors.js'
import type {MemberCache, RememberedMembers} from './member-cache.js'
import {
  type ClusterIdentity,
  type MemberStatus,
  describeIdentity,
  identityProblem,
  parseMemberStatus,
} from './member-status.js'
import {type PatroniClient, RestError, endpointOf} from './client.js'

/** How an address was learnt. Only this host's comes from the configuration; the others are hints. */
type Origin = 'dcs' | 'local' | 'remembered'

const ORIGIN_WORDS: Record<Origin, string> = {
  dcs: 'a member named in the DCS',
  local: "this host's REST API",
  remembered: 'a member remembered from an earlier run',
}

/** `fallback`: data came from another member or the DCS; `ignored`: a source proved to be another cluster. */
export type WarningKind = 'fallback' | 'ignored'
export type Warn = (line: string, kind: WarningKind) => void

export interface ReaderSetup {
  label: string // 15/main, or the config file: the start of every warning
  client: PatroniClient
  scope: string
  namespace?: string
  configFile: string
  cache: MemberCache
  dcs?: DcsSettings
  dcsError?: string // why the DCS cannot be read
  insecure?: boolean
  timeoutMs: number
  log?: (line: string) => void
  warn: Warn
  remote?: boolean // no member on this host (-d, or another scope of -c): the DCS names the members to ask
}

/** What one GET reads, how to parse it, and where the DCS keeps the same document. */
export interface ReadSpec<T> {
  path: string
  parse: (body: unknown, answeredBy: string) => T
  fromDcs?: (keys: Map<string, string>) => {body: unknown} | {missing: string}
  memberUrls?: (value: T) => string[] // the members' REST base URLs in the answer, to remember
}

export interface VerifiedAnswer<T> {
  value: T
  answeredBy: string // base URL of the member; of the DCS endpoint with source 'dcs'
  source: 'dcs' | 'rest'
  dcs?: string // with source 'dcs': "etcd3 127.0.0.1:2379"
  localFailure?: string // why this host's member was not the one that answered
  systemId?: string // the cluster's, as proven by the answer
  patroniVersion?: string // of the member that answered (GET /patroni)
}

interface Answered<T> {
  value: T
  baseUrl: string
  origin: Origin
  status: MemberStatus
}

/** An address whose member proved to belong to another cluster: never used, always reported. */
class Mismatch extends Error {
  constructor(
    readonly baseUrl: string,
    readonly origin: Origin,
    readonly problem: string,
  ) {
    super(problem)
  }
}

/** A member that was to receive a request and is not proven to be of this cluster. */
export class IdentityError extends PgpError {
  constructor(
    readonly endpoint: string,
    readonly problem: string,
  ) {
    super(`${endpoint}: ${problem}`, ExitCode.failed)
    this.name = 'IdentityError'
  }
}

type DcsOutcome = {error: string} | {snapshot: DcsSnapshot} | undefined

/** Per read: what is known so far about the sources besides this host's member. */
interface ReadContext {
  deadline: number
  remembered?: RememberedMembers
  dcsSystemId?: string
  failures: {baseUrl: string; error: RestError}[]
  mismatches: number
  fatal?: unknown
}

const never = <T>(): Promise<T> => new Promise<T>(() => {})
const passable = (error: unknown): boolean => error instanceof RestError && error.isDown

/**
 * The one read path of every command. GET from this host's member (its address is in the
 * config); if it is down (no connection, timeout, reset, 5xx) or slow (a third of the timeout,
 * at most 1 s), also from the members remembered from an earlier run and those the DCS names;
 * else from the DCS keys themselves. Any other answer of this host's member (401, 403, other
 * 4xx, garbage) is its answer. Every member's answer is used only once its GET /patroni,
 * asked alongside, names this cluster's scope and system identifier (remembered, or from the
 * DCS `initialize` key). Everything ends by the timeout.
 */
export class VerifiedReader {
  private systemId?: string // proven in this run
  private readonly proven = new Map<string, MemberStatus>() // base URL -> the status that proved it
  private readonly local: string

  constructor(private readonly setup: ReaderSetup) {
    this.local = setup.client.access.baseUrl
  }

  get identity(): ClusterIdentity {
    return {scope: this.setup.scope, systemId: this.systemId}
  }

  /**
   * `quiet`: a poll during an operation; the member being demoted or restarted is expected not to
   * answer. `timeoutMs`: less than the configured timeout, when a wait's own deadline is nearer.
   */
  async read<T>(spec: ReadSpec<T>, options: {quiet?: boolean; timeoutMs?: number} = {}): Promise<VerifiedAnswer<T>> {
    const timeoutMs = Math.min(options.timeoutMs ?? this.setup.timeoutMs, this.setup.timeoutMs)
    const hedgeMs = Math.min(1000, timeoutMs / 3)
    const context: ReadContext = {
      deadline: performance.now() + timeoutMs,
      failures: [],
      mismatches: 0,
      remembered: this.remembered(),
    }
    if (this.setup.remote) return this.readRemote(spec, context, options.quiet)
    let localFailure: string | undefined
    const local = this.attempt(spec, this.local, 'local', context).catch((error: unknown) => {
      if (error instanceof Mismatch) throw this.localMismatch(error)
      if (error instanceof RestError) localFailure = error.reason
      throw error
    })
    const askOthers = new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(true), hedgeMs)
      local.then(
        () => (clearTimeout(timer), resolve(false)),
        (error: unknown) => (clearTimeout(timer), resolve(passable(error))),
      )
    })
    const others = askOthers.then((yes) => (yes ? this.askOthers(spec, context) : never<Answered<T>>()))
    others.catch(() => {}) // looked at below, once this host's member has failed
    const answered = await Promise.race([
      local.catch(async (error: unknown) => {
        if (!passable(error)) throw error // an answer (401, garbage, another cluster) is final
        try {
          return await others
        } catch (failure) {
          return this.fromDcs(spec, error as RestError, failure, context, options.quiet)
        }
      }),
      others.catch(() => never<Answered<T>>()), // another member may prove itself while this host's is slow
    ])
    if ('source' in answered) return answered // read from the DCS keys
    this.systemId ??= answered.status.systemId ?? this.expectedSystemId(answered.origin, context)
    this.proven.set(answered.baseUrl, answered.status)
    const answer: VerifiedAnswer<T> = {
      answeredBy: answered.baseUrl,
      patroniVersion: answered.status.version,
      source: 'rest',
      systemId: this.systemId,
      value: answered.value,
    }
    if (answered.origin !== 'local') {
      answer.localFailure = localFailure ?? `no answer within ${Math.round(hedgeMs)} ms`
      if (!options.quiet) this.warnFallback(answer.localFailure, endpointOf(answered.baseUrl))
    }
    if (spec.memberUrls && this.systemId) this.remember(spec.memberUrls(answered.value))
    return answer
  }

  /** No member of this host: the members the DCS names (proven by its scope and system id), else its keys. */
  private async readRemote<T>(spec: ReadSpec<T>, context: ReadContext, quiet?: boolean): Promise<VerifiedAnswer<T>> {
    let answered: Answered<T>
    try {
      answered = await this.askOthers(spec, context)
    } catch (failure) {
      const why = new RestError('unreachable', this.setup.label, 'no member of the cluster answered')
      return this.fromDcs(spec, why, failure, context, quiet)
    }
    this.systemId ??= answered.status.systemId ?? this.expectedSystemId(answered.origin, context)
    this.proven.set(answered.baseUrl, answered.status)
    if (spec.memberUrls && this.systemId) this.remember(spec.memberUrls(answered.value))
    return {answeredBy: answered.baseUrl, source: 'rest', systemId: this.systemId, value: answered.value}
  }

  /**
   * GET /patroni of one member, now, checked against the cluster proven in this run; a member of
   * another cluster is an IdentityError, nothing else is asked of it.
   */
  async memberStatus(
    baseUrl: string,
    options: {allowNoSystemId?: boolean; member?: string} = {},
  ): Promise<MemberStatus> {
    const status = parseMemberStatus(await this.setup.client.getObject<Record<string, unknown>>('/patroni', baseUrl))
    const problem = identityProblem(this.identity, status, options)
    if (problem) throw new IdentityError(endpointOf(baseUrl), problem)
    return status
  }

  /** Before a request that changes something: the member is proven to be of this cluster (once per run). */
  async prove(baseUrl: string, options: {allowNoSystemId?: boolean; member?: string} = {}): Promise<void> {
    const known = this.proven.get(baseUrl)
    const problem = known && identityProblem(this.identity, known, options)
    if (known && !problem) return
    this.proven.set(baseUrl, await this.memberStatus(baseUrl, options))
  }

  /** One member: GET `path` and GET /patroni side by side; the answer counts only if the status proves the member. */
  private async attempt<T>(
    spec: ReadSpec<T>,
    baseUrl: string,
    origin: Origin,
    context: ReadContext,
  ): Promise<Answered<T>> {
    const {client} = this.setup
    const remaining = () => Math.max(1, context.deadline - performance.now())
    const statusRequest = client.getObject<Record<string, unknown>>('/patroni', baseUrl, remaining())
    const [answer, status] = await Promise.allSettled([
      spec.path === '/patroni' ? statusRequest : client.getJson<unknown>(spec.path, baseUrl, remaining()),
      statusRequest,
    ])
    try {
      if (status.status === 'rejected') throw answer.status === 'rejected' ? answer.reason : status.reason
      const memberStatus = parseMemberStatus(status.value)
      const problem = identityProblem(
        {scope: this.setup.scope, systemId: this.expectedSystemId(origin, context)},
        memberStatus,
      )
      if (problem) throw new Mismatch(baseUrl, origin, problem)
      if (answer.status === 'rejected') throw answer.reason
      return {baseUrl, origin, status: memberStatus, value: spec.parse(answer.value, baseUrl)}
    } catch (error) {
      if (origin === 'local') throw error
      if (error instanceof Mismatch) {
        context.mismatches++
        this.setup.warn(
          `${this.setup.label}: ignored ${endpointOf(baseUrl)} (${ORIGIN_WORDS[origin]}): ${error.problem}`,
          'ignored',
        )
        if (origin === 'remembered') this.setup.cache.forget(this.cacheKey, baseUrl)
      } else if (error instanceof RestError) {
        context.failures.push({baseUrl, error})
      } else {
        context.fatal ??= error // a bug, not a member's fault: it ends the command if nothing else answers
      }
      throw error
    }
  }

  /** The system identifier a member must report: proven in this run, else the DCS's, else the remembered one. */
  private expectedSystemId(origin: Origin, context: ReadContext): string | undefined {
    if (this.systemId || origin === 'local') return this.systemId
    return context.dcsSystemId ?? context.remembered?.systemId
  }

  /** The remembered members and the DCS (read once), all at once; the first member that proves itself wins. */
  private async askOthers<T>(spec: ReadSpec<T>, context: ReadContext): Promise<Answered<T>> {
    const tried = new Set(this.setup.remote ? [] : [this.local])
    const askAll = (urls: string[], origin: Origin) =>
      urls.filter((url) => !tried.has(url)).map((url) => (tried.add(url), this.attempt(spec, url, origin, context)))
    const fromMemory = askAll(context.remembered?.apiUrls ?? [], 'remembered')
    const dcs = this.readDcs(context)
    const viaDcs = dcs.then((outcome) => {
      if (!outcome || !('snapshot' in outcome)) throw new Error('no DCS')
      context.dcsSystemId = outcome.snapshot.keys.get('initialize')?.trim() || undefined
      const urls = memberUrls(outcome.snapshot)
      return Promise.any(askAll(urls, 'dcs'))
    })
    try {
      return await Promise.any([...fromMemory, viaDcs])
    } catch {
      throw {dcs: await dcs}
    }
  }

  private async readDcs(context: ReadContext): Promise<DcsOutcome> {
    const {dcs} = this.setup
    if (!dcs) return undefined
    try {
      const timeoutMs = Math.max(1, context.deadline - performance.now())
      const snapshot = await readDcs(dcs, dcsPrefix(this.setup.namespace, this.setup.scope), {
        insecure: this.setup.insecure,
        log: this.setup.log,
        timeoutMs,
      })
      return {snapshot}
    } catch (error) {
      return {error: error instanceof Error ? error.message : String(error)}
    }
  }

  /** No member proved itself: the DCS keys, where they hold the document, else this host's failure and why nothing else helped. */
  private fromDcs<T>(
    spec: ReadSpec<T>,
    localError: RestError,
    failure: unknown,
    context: ReadContext,
    quiet = false,
  ): VerifiedAnswer<T> {
    if (context.fatal !== undefined) throw context.fatal
    const dcs = (failure as {dcs?: DcsOutcome}).dcs
    const others = context.failures.map((f) => f.error.message)
    const notes: string[] = []
    if (others.length > 0) notes.push(`other members: ${others.join('; ')}`)
    if (context.mismatches > 0) notes.push(`no other member proved to be ${describeIdentity(this.identity)}`)
    const fail = (why?: string) => {
      const detail = [...notes, ...(why ? [why] : [])]
      return new RestError(
        localError.kind,
        localError.endpoint,
        [localError.reason, ...detail].join('; '),
        localError.status,
      )
    }
    if (!dcs) throw fail(this.setup.dcsError ? `no DCS fallback: ${this.setup.dcsError}` : undefined)
    if ('error' in dcs) throw fail(dcs.error)
    const {snapshot} = dcs
    const label = `${snapshot.kind} ${endpointOf(snapshot.baseUrl)}`
    if (snapshot.keys.size === 0 && this.setup.remote)
      throw new PgpError(
        `${this.setup.scope}: no such cluster in the DCS ${label} (no keys under ${dcsPrefix(this.setup.namespace, this.setup.scope)}${this.setup.namespace ? '' : "; Debian's namespace is /postgresql-common/"})`,
        ExitCode.config,
      )
    if (snapshot.keys.size === 0)
      throw fail(`DCS ${label}: no keys under ${dcsPrefix(this.setup.namespace, this.setup.scope)}`)
    const initialize = snapshot.keys.get('initialize')?.trim() || undefined
    if (this.systemId && initialize && initialize !== this.systemId) {
      this.setup.warn(
        `${this.setup.label}: ignored the DCS ${label}: its system identifier is ${initialize}, not ${this.systemId}`,
        'ignored',
      )
      throw fail(`the DCS ${label} holds another cluster`)
    }
    const document = spec.fromDcs?.(snapshot.keys)
    if (!document || 'missing' in document)
      throw fail(`DCS ${label}: ${document?.missing ?? `nothing for GET ${spec.path}`}`)
    const value = spec.parse(document.body, snapshot.baseUrl)
    this.systemId ??= initialize
    const localFailure = localError.reason
    if (!quiet) this.warnFallback(localFailure, `the DCS (${label})`)
    if (spec.memberUrls && this.systemId) this.remember(spec.memberUrls(value))
    return {answeredBy: snapshot.baseUrl, dcs: label, localFailure, source: 'dcs', systemId: this.systemId, value}
  }

  private localMismatch(error: Mismatch): PgpError {
    const endpoint = endpointOf(error.baseUrl)
    return new PgpError(
      `${endpoint} (${ORIGIN_WORDS.local}, from ${this.setup.configFile}): ${error.problem}; does another instance's config use the same restapi.connect_address?`,
      ExitCode.config,
    )
  }

  private warnFallback(localFailure: string, source: string): void {
    if (this.setup.remote) {
      this.setup.warn(`${this.setup.label}: no member's REST API answered; data from ${source}`, 'fallback')
      return
    }
    this.setup.warn(
      `${this.setup.label}: this host's REST API (${endpointOf(this.local)}) did not answer (${localFailure}); data from ${source}`,
      'fallback',
    )
  }

  private get cacheKey() {
    const namespace = `/${this.setup.namespace ?? 'service'}/`.replaceAll(/\/+/g, '/')
    return {configFile: this.setup.configFile, namespace, scope: this.setup.scope}
  }

  private remembered(): RememberedMembers | undefined {
    return this.setup.cache.read(this.cacheKey)
  }

  private remember(apiUrls: string[]): void {
    if (this.systemId) this.setup.cache.write(this.cacheKey, {apiUrls, systemId: this.systemId})
  }
}

/** The REST base URLs of the members registered in the DCS. */
function memberUrls(snapshot: DcsSnapshot): string[] {
  const {members} = clusterFromDcs(snapshot.keys)
  return (members as {api_url?: unknown}[])
    .map((m) => (typeof m.api_url === 'string' ? originOf(m.api_url) : undefined))
    .filter((u): u is string => u !== undefined)
}

function originOf(url: string): string | undefined {
  try {
    const parsed = new URL(url)
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.origin : undefined
  } catch {
    return undefined
  }
}
