import {loopWaitOf} from '../rest/cluster-wait.js'
import {ExitCode, PgpError} from '../errors.js'
import type {InstanceTarget} from '../list/list.js'
import {clusterRequestTarget, configNotConfirmed, type OperationIo, reportDryRun, withCluster} from './operation.js'
import type {Member} from '../rest/cluster.js'
import {RestError, expectSuccess, endpointOf} from '../rest/client.js'
import type {ConnectOptions, PatroniInstance} from '../rest/instance.js'
import {describeRequest} from './request-preview.js'

export interface PauseWanted {
  wait: boolean
  dryRun: boolean
}

/** pause/resume: PATCH /config {"pause": true|null}, sent to the leader (else whoever answered). */
export async function runPause(
  target: InstanceTarget,
  action: 'pause' | 'resume',
  wanted: PauseWanted,
  options: ConnectOptions,
  io: OperationIo,
): Promise<number> {
  const pause = action === 'pause'
  // as patronictl: pause and resume ask nothing (cron jobs run them); --force is accepted and changes nothing
  return withCluster(target, options, async (instance, cluster) => {
    if (cluster.paused === pause) {
      io.log(`cluster ${cluster.scope} is already ${pause ? 'paused' : 'not paused'}; nothing to do`)
      return ExitCode.ok
    }
    const baseUrl = await clusterRequestTarget(instance, cluster)
    const body = {pause: pause ? true : null}
    if (wanted.dryRun) return reportDryRun(io, [describeRequest('PATCH', `${baseUrl}/config`, body)])
    const sent = io.journal.sending(`PATCH /config ${JSON.stringify(body)} to ${endpointOf(baseUrl)} (${action})`)
    const answer = await instance.client.request('PATCH', '/config', {baseUrl, body})
    if (answer.status === 409 && (await configPause(instance, baseUrl)) !== pause)
      throw configNotConfirmed(cluster.scope, action) // may still happen
    if (answer.status !== 409) expectSuccess(answer, endpointOf(baseUrl)) // 409 with the wanted state: someone else did it meanwhile
    io.journal.confirmed(sent, 'stored in the DCS')
    io.log(`cluster management of ${cluster.scope} is ${pause ? 'paused' : 'resumed'}`)
    if (!wanted.wait) return ExitCode.ok
    const lagging = await waitForPauseState(instance, cluster.members, pause, io)
    if (lagging.length > 0) {
      const named = lagging.map(({name, lastFailure}) => (lastFailure ? `${name} (${lastFailure})` : name))
      throw new PgpError(
        `${named.join(', ')} did not report the ${action} in time; check pgpatronictl list ${target.label}`,
        ExitCode.unreachable,
      )
    }
    io.log(`every member reports it`)
    return ExitCode.ok
  })
}

/** Whether the dynamic configuration says paused now (undefined when it cannot be read). */
async function configPause(instance: PatroniInstance, baseUrl: string): Promise<boolean | undefined> {
  try {
    return (await instance.client.getObject<{pause?: unknown}>('/config', baseUrl)).pause === true
  } catch (error) {
    if (error instanceof RestError) return undefined
    throw error
  }
}

interface LaggingMember {
  name: string
  /** Why its last answer did not count, when it failed to answer at all. */
  lastFailure?: string
}

/**
 * Each member's GET /patroni says `pause: true` once its HA loop has seen the change. Every
 * member of the cluster as it was when the command started must say so: one that went silent
 * (frozen, its key expired) is named with its last failure, not forgotten. Each is reported as it does.
 */
async function waitForPauseState(
  instance: PatroniInstance,
  members: Member[],
  pause: boolean,
  io: OperationIo,
): Promise<LaggingMember[]> {
  const deadline = performance.now() + (2 * (await loopWaitOf(instance)) + 5) * 1000
  let lagging = members
  for (;;) {
    const failures = new Map<string, string | undefined>()
    const states = await Promise.all(
      lagging.map(async (m) => {
        try {
          return (await instance.memberStatus(m)).pause === pause
        } catch (error) {
          if (!(error instanceof PgpError)) throw error
          failures.set(m.name, error.message) // not yet: it may answer in a moment
          return false
        }
      }),
    )
    for (const [i, m] of lagging.entries())
      if (states[i]) io.journal.step(`${m.name} reports it is ${pause ? 'paused' : 'resumed'}`)
    lagging = lagging.filter((_, i) => !states[i])
    if (lagging.length === 0 || performance.now() > deadline)
      return lagging.map(({name}) => ({name, lastFailure: failures.get(name)}))
    await new Promise((resolve) => setTimeout(resolve, 500))
  }
}
