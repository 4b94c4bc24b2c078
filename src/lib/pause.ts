import {loopWaitOf} from './cluster-wait.js'
import {ExitCode, PgpError} from './errors.js'
import type {InstanceTarget} from './listing.js'
import {clusterRequestTarget, confirmOrAbort, type OperationIo, reportDryRun, requireConsent, withCluster} from './operation.js'
import {expectSuccess, endpointOf} from './patroni-client.js'
import type {ConnectOptions, PatroniInstance} from './patroni-instance.js'
import {describeRequest} from './request-preview.js'

export interface PauseWanted {
  wait: boolean
  force: boolean
  dryRun: boolean
}

/** pause/resume: PATCH /config {"pause": true|null}, sent to the leader (else whoever answered). */
export async function runPause(target: InstanceTarget, pause: boolean, wanted: PauseWanted, options: ConnectOptions, io: OperationIo): Promise<number> {
  const action = pause ? 'pause' : 'resume'
  requireConsent(action, wanted, io.prompter)
  return withCluster(target, options, async (instance, cluster) => {
    if (cluster.paused === pause) {
      io.log(`cluster ${cluster.scope} is already ${pause ? 'paused' : 'not paused'}; nothing to do`)
      return ExitCode.ok
    }
    const baseUrl = await clusterRequestTarget(instance, cluster)
    const body = {pause: pause ? true : null}
    if (wanted.dryRun) return reportDryRun(io, [describeRequest('PATCH', `${baseUrl}/config`, body)])
    const question = pause
      ? `Pause cluster management of ${cluster.scope}? Patroni will neither fail over nor restart anything until it is resumed.`
      : `Resume cluster management of ${cluster.scope}?`
    await confirmOrAbort(io.prompter, wanted.force, question)
    expectSuccess(await instance.client.request('PATCH', '/config', {baseUrl, body}), endpointOf(baseUrl))
    io.log(`cluster management of ${cluster.scope} is ${pause ? 'paused' : 'resumed'}`)
    if (!wanted.wait) return ExitCode.ok
    const lagging = await waitForPauseState(instance, pause)
    if (lagging.length > 0) {
      throw new PgpError(`${lagging.join(', ')} did not report the ${action} in time; check pgpatronictl list ${target.label}`, ExitCode.unreachable)
    }
    io.log(`every member reports it`)
    return ExitCode.ok
  })
}

/** Each member's GET /patroni says `pause: true` once its HA loop has seen the change. */
async function waitForPauseState(instance: PatroniInstance, pause: boolean): Promise<string[]> {
  const deadline = performance.now() + (2 * (await loopWaitOf(instance)) + 5) * 1000
  for (;;) {
    const cluster = await instance.cluster({poll: true})
    const states = await Promise.all(
      cluster.members.map(async (m) => {
        try {
          const status = await instance.memberStatus(m)
          return status.pause === pause ? undefined : m.name
        } catch {
          return m.name
        }
      }),
    )
    const lagging = states.filter((name): name is string => name !== undefined)
    if (lagging.length === 0 || performance.now() > deadline) return lagging
    await new Promise((resolve) => setTimeout(resolve, 500))
  }
}
