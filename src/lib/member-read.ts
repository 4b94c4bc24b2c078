import {RestError, endpointOf} from './patroni-client.js'
import type {PatroniInstance} from './patroni-instance.js'

export interface MemberAnswer<T> {
  body: T
  answeredBy: string // base URL
  fallback?: string // why this host's member did not answer, when another one did
}

/**
 * GET `path` from this host's member; if it fails or is slow (a third of the timeout, at most
 * 1 s), from the members remembered from the last /cluster answer as well, first answer wins.
 * Only an unreachable or timed-out member is passed over: a 401 or a malformed answer is the
 * answer (another member would say the same).
 */
export async function readFromAnyMember<T>(patroni: PatroniInstance, path: string, timeoutMs: number): Promise<MemberAnswer<T>> {
  const deadline = performance.now() + timeoutMs
  const remaining = () => Math.max(1, deadline - performance.now())
  const [first, ...others] = [...new Set(patroni.endpoints)]
  const ask = (baseUrl: string) => patroni.client.getJson<T>(path, baseUrl, remaining()).then((body) => ({answeredBy: baseUrl, body}))
  const local = ask(first!)
  if (others.length === 0) return local
  let localFailure: unknown
  const hedge = new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, Math.min(1000, timeoutMs / 3))
    local.then(
      () => clearTimeout(timer),
      (error: unknown) => {
        localFailure = error
        clearTimeout(timer)
        resolve()
      },
    )
  })
  const passable = (error: unknown) => error instanceof RestError && error.isDown
  const rest = hedge.then(() => {
    if (localFailure !== undefined && !passable(localFailure)) throw localFailure
    return Promise.any(others.map(ask))
  })
  try {
    const answer: MemberAnswer<T> = await Promise.any([local, rest])
    if (answer.answeredBy !== first) {
      const why = localFailure instanceof RestError ? localFailure.reason : `no answer within ${Math.round(Math.min(1000, timeoutMs / 3))} ms`
      answer.fallback = `this host's REST API (${endpointOf(first!)}) did not answer (${why}); data from ${endpointOf(answer.answeredBy)}`
    }
    return answer
  } catch {
    // This host's member first: the one the admin asked about.
    throw await local.then(
      () => new RestError('unreachable', endpointOf(first!), 'no answer'),
      (error: unknown) => error,
    )
  }
}
