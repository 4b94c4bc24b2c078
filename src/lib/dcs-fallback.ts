import {type DcsSnapshot, clusterFromDcs, dcsPrefix, readDcs} from './dcs.js'
import type {DcsSettings} from './dcs-settings.js'
import {type PatroniClient, RestError, endpointOf} from './patroni-client.js'
import {type ClusterState, fetchCluster, normaliseCluster} from './patroni-cluster.js'

export interface DcsFallbackOptions {
  hedgeMs: number
  timeoutMs: number
  dcs?: DcsSettings
  dcsError?: string // why the DCS cannot be read (unsupported kind, ...)
  namespace?: string
  insecure?: boolean
  log?: (line: string) => void
}

/**
 * fetchCluster, and when neither this host's member nor the remembered ones answer, the DCS:
 * its member keys name the members' REST APIs, which are asked in turn; if none of them answers
 * either, the cluster is built from the DCS keys alone (`source: 'dcs'`). The DCS is read only
 * once this host's member has failed or not answered within `hedgeMs`, and everything ends by
 * `timeoutMs`.
 */
export async function fetchClusterOrDcs(client: PatroniClient, endpoints: string[], scope: string, options: DcsFallbackOptions): Promise<ClusterState> {
  const {dcs, hedgeMs, timeoutMs} = options
  const deadline = performance.now() + timeoutMs
  const remaining = () => Math.max(1, deadline - performance.now())
  const rest = fetchCluster(client, endpoints, scope, {hedgeMs, timeoutMs})
  if (!dcs) {
    return rest.catch((error: unknown) => {
      throw options.dcsError && isDown(error) ? withNote(error, `no DCS fallback: ${options.dcsError}`) : error
    })
  }
  let restError: unknown
  rest.catch((error: unknown) => (restError = error))
  const done = new AbortController()
  const needed = new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(true), hedgeMs)
    rest.then(
      () => (clearTimeout(timer), resolve(false)),
      (error: unknown) => (clearTimeout(timer), resolve(isDown(error))),
    )
  })
  const read: Promise<DcsSnapshot | undefined> = needed.then((yes) =>
    yes ? readDcs(dcs, dcsPrefix(options.namespace, scope), {insecure: options.insecure, log: options.log, signal: done.signal, timeoutMs: remaining()}) : undefined,
  )
  read.catch(() => {}) // inspected below, only when needed
  // members the DCS knows and that were not asked yet: the first REST answer among them wins
  const asked = new Set(endpoints.map(originOf))
  const viaMembers = read.then(async (snapshot) => {
    const urls = snapshot ? memberUrls(snapshot).filter((u) => !asked.has(u)) : []
    if (urls.length === 0) throw new Error('no other member in the DCS')
    const state = await fetchCluster(client, urls, scope, {hedgeMs: 0, timeoutMs: remaining()})
    state.localFailure = undefined // set below from this host's failure, not the first DCS member's
    return state
  })
  try {
    const state = await Promise.any([rest, viaMembers])
    if (state.answeredBy !== endpoints[0] && state.localFailure === undefined) {
      state.localFailure = restError instanceof RestError ? ownReason(restError) : `no answer within ${Math.round(hedgeMs)} ms`
    }
    return state
  } catch {
    if (!isDown(restError)) throw restError // a member that answers 401 or garbage is not down: say that
    const outcome = await read.then(
      (snapshot) => ({snapshot}),
      (error: unknown) => ({error: error instanceof Error ? error.message : String(error)}),
    )
    if (!('snapshot' in outcome) || !outcome.snapshot) throw withNote(restError, 'error' in outcome ? outcome.error : undefined)
    const {snapshot} = outcome
    if (snapshot.keys.size === 0) throw restError // nothing under the scope: never bootstrapped, or another DCS
    const raw = clusterFromDcs(snapshot.keys)
    const label = `${snapshot.kind} ${endpointOf(snapshot.baseUrl)}`
    if ((raw.members as unknown[]).length === 0) throw withNote(restError, `DCS ${label}: no member is registered`)
    const state = normaliseCluster(raw, scope, snapshot.baseUrl)
    state.source = 'dcs'
    state.dcs = label
    state.systemId = raw.systemId
    state.localFailure = restError instanceof RestError ? ownReason(restError) : String(restError)
    return state
  } finally {
    done.abort()
  }
}

function memberUrls(snapshot: DcsSnapshot): string[] {
  const {members} = clusterFromDcs(snapshot.keys)
  return (members as {api_url?: unknown}[])
    .map((m) => (typeof m.api_url === 'string' ? originOf(m.api_url) : undefined))
    .filter((u): u is string => u !== undefined)
}

function originOf(url: string): string | undefined {
  try {
    return new URL(url).origin
  } catch {
    return undefined
  }
}

/** This host's part of fetchCluster's failure: the remembered members' failures are old news once the DCS answered. */
const ownReason = (error: RestError): string => error.reason.replace(/ \(other members: .*\)$/, '')

/** No answer at all: the case for the DCS. A refusal (401) or a bad certificate is shown as is. */
const isDown = (error: unknown): boolean => error instanceof RestError && error.isDown

/** The REST failure, with why the DCS did not help appended. */
function withNote(error: unknown, note: string | undefined): unknown {
  if (!(error instanceof RestError) || !note) return error
  return new RestError(error.kind, error.endpoint, `${error.reason}; ${note}`, error.status)
}
