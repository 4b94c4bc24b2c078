import type {ClusterState} from './patroni-cluster.js'
import type {PatroniInstance} from './patroni-instance.js'

/**
 * Polls GET /cluster until `done` holds or the deadline passes. A failed read is not the
 * end: during a switchover or restart a member may not answer for a moment.
 */
export async function waitForCluster(
  instance: PatroniInstance,
  done: (cluster: ClusterState) => boolean,
  options: {deadline: number; intervalMs?: number},
): Promise<{cluster?: ClusterState; reached: boolean}> {
  let last: ClusterState | undefined
  for (;;) {
    try {
      last = await instance.cluster()
      if (done(last)) return {cluster: last, reached: true}
    } catch {
      // keep polling until the deadline
    }
    if (performance.now() >= options.deadline) return {cluster: last, reached: false}
    await new Promise((resolve) => setTimeout(resolve, Math.min(options.intervalMs ?? 500, Math.max(0, options.deadline - performance.now()))))
  }
}

/** The dynamic config's loop_wait (GET /config), which sets Patroni's own switchover wait. */
export async function loopWaitOf(instance: PatroniInstance): Promise<number> {
  try {
    const config = await instance.client.getObject<{loop_wait?: unknown}>('/config')
    return typeof config.loop_wait === 'number' && config.loop_wait > 0 ? config.loop_wait : 10
  } catch {
    return 10 // Patroni's default
  }
}
