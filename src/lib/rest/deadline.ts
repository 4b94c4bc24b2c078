import type {Agent} from 'undici'

/*
 * Deadlines that hold whatever undici does. When a server closes a TLS connection that lacks a
 * client certificate (Patroni's restapi.verify_client), undici 6 can leave the request unsettled,
 * even once aborted, with nothing else pending; its timers and AbortSignal.timeout's do not keep
 * the process alive, so Node exited 0 mid-command having printed nothing (measured: 7 runs in 20
 * on Node 18, 4 in 20 on Node 20). These timers do keep it alive, and end the wait themselves.
 */

/** A deadline on a timer that keeps the process alive: `signal` aborts with a TimeoutError (wait through answerOrAbort). */
export function deadline(timeoutMs: number): {clear: () => void; signal: AbortSignal} {
  const controller = new AbortController()
  const timer = setTimeout(
    () => controller.abort(new DOMException(`no answer within ${timeoutMs} ms`, 'TimeoutError')),
    timeoutMs,
  )
  return {clear: () => clearTimeout(timer), signal: controller.signal}
}

/** The request's outcome, or the signal's reason once it aborts: undici may never settle the request. */
export function answerOrAbort<T>(request: Promise<T>, signal: AbortSignal): Promise<T> {
  request.catch(() => {}) // once aborted, what undici says later is of no interest
  const aborted = new Promise<never>((_, reject) => {
    if (signal.aborted) reject(signal.reason)
    else signal.addEventListener('abort', () => reject(signal.reason), {once: true})
  })
  aborted.catch(() => {})
  return Promise.race([request, aborted])
}

/** How long closing waits for undici to let go of its connections. */
const CLOSE_BOUND_MS = 1000

/** agent.destroy(), waited for at most a second: it may never finish with such a connection. */
export async function closeAgent(agent: Agent): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  const bound = new Promise((resolve) => (timer = setTimeout(resolve, CLOSE_BOUND_MS)))
  await Promise.race([agent.destroy().catch(() => {}), bound])
  clearTimeout(timer)
}
