import {PgpError} from '../errors.js'
import {RestError} from './client.js'
import type {ClusterState} from './cluster.js'
import type {PatroniInstance} from './instance.js'

/**
 * Polls GET /cluster until `done` holds or the deadline passes. A cluster that does not answer
 * is not the end: during a switchover or restart a member may be down for a moment. Any other
 * failure (a refusal, a member of another cluster, a bug) ends the wait with its own message.
 */
export async function waitForCluster(
  instance: PatroniInstance,
  done: (cluster: ClusterState) => boolean,
  options: {deadline: number; intervalMs?: number},
): Promise<{cluster?: ClusterState; reached: boolean}> {
  let last: ClusterState | undefined
  for (;;) {
    try {
      last = await instance.cluster({poll: true, timeoutMs: Math.max(100, options.deadline - performance.now())})
      if (done(last)) return {cluster: last, reached: true}
    } catch (error) {
      if (!(error instanceof RestError && error.isDown)) throw error
    }
    if (performance.now() >= options.deadline) return {cluster: last, reached: false}
    await new Promise((resolve) =>
      setTimeout(resolve, Math.min(options.intervalMs ?? 500, Math.max(0, options.deadline - performance.now()))),
    )
  }
}

/** The dynamic config's loop_wait (GET /config), which sets Patroni's own switchover wait. */
export async function loopWaitOf(instance: PatroniInstance): Promise<number> {
  try {
    const {value} = await instance.read('/config', 'config', (body) => body as {loop_wait?: unknown})
    return typeof value?.loop_wait === 'number' && value.loop_wait > 0 ? value.loop_wait : 10
  } catch (error) {
    if (!(error instanceof PgpError)) throw error
    return 10 // Patroni's default
  }
}
