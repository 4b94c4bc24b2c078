import {ExitCode, PgpError, usageError} from '../errors.js'
import type {InstanceTarget} from '../list/list.js'
import {renderClusters} from '../list/views.js'
import {timestampLine} from '../output/watch.js'
import {type ClusterState, leaderOf} from '../rest/cluster.js'
import {waitForCluster} from '../rest/cluster-wait.js'
import {endpointOf, expectSuccess} from '../rest/client.js'
import type {ConnectOptions} from '../rest/instance.js'
import {type OperationIo, confirmOrAbort, reportDryRun, requireConsent, withCluster} from './operation.js'
import {describeRequest} from './request-preview.js'

/** demote-cluster's --host, --port, --restore-command, --primary-slot-name. */
export interface StandbySource {
  host?: string
  port?: number
  restoreCommand?: string
  primarySlotName?: string
}

/** The standby_cluster section patronictl 4.1 sends: the options given; host, port or restore_command required. */
export function standbyConfig(source: StandbySource): Record<string, number | string> {
  if (!source.host && !source.port && !source.restoreCommand)
    throw usageError('At least --host, --port or --restore-command should be specified')
  const entries = Object.entries({
    host: source.host,
    port: source.port,
    primary_slot_name: source.primarySlotName,
    restore_command: source.restoreCommand,
  })
  return Object.fromEntries(entries.filter((e): e is [string, number | string] => Boolean(e[1])))
}

export interface RoleChangeWanted {
  dryRun: boolean
  force: boolean
  waitSeconds: number
}

/**
 * patronictl 4.1's demote-cluster (standby_cluster set) and promote-cluster (standby null):
 * PATCH /config on the proven leader, then every second until the leader holds the new role and
 * runs (a demoted cluster: its old leader runs too), at most `waitSeconds`. Patroni 3.0.2 and
 * 4.0.7 act on the same change of the dynamic configuration; only their patronictl lacks the commands.
 */
export async function changeClusterRole(
  target: InstanceTarget,
  standby: Record<string, number | string> | null,
  wanted: RoleChangeWanted,
  options: ConnectOptions,
  io: OperationIo,
): Promise<number> {
  const demote = standby !== null
  const [verb, done] = demote ? ['demote', 'demoted'] : ['promote', 'promoted']
  const role = demote ? 'standby_leader' : 'leader'
  requireConsent(`${verb}-cluster`, wanted, io.prompter)
  return withCluster(target, options, async (instance, cluster) => {
    const leader = leaderOf(cluster)
    if (!leader) throw new PgpError(`${cluster.scope} has no leader, ${verb}ing it is not possible`, ExitCode.failed)
    if (leader.role === role) {
      io.log(`${cluster.scope} is already ${demote ? 'a standby cluster' : 'no standby cluster'}; nothing to do`)
      return ExitCode.ok
    }
    io.log(`Current cluster topology\n${await table(cluster)}`)
    const baseUrl = await instance.proven(leader)
    const body = {standby_cluster: standby}
    if (wanted.dryRun) return reportDryRun(io, [describeRequest('PATCH', `${baseUrl}/config`, body)])
    await confirmOrAbort(io.prompter, wanted.force, `Are you sure you want to ${verb} ${cluster.scope} cluster?`)
    const sent = io.journal.sending(`PATCH /config ${JSON.stringify(body)} to ${endpointOf(baseUrl)} (${verb})`)
    expectSuccess(await instance.client.request('PATCH', '/config', {baseUrl, body}), endpointOf(baseUrl))
    io.journal.confirmed(sent, 'stored in the DCS')
    let last = ''
    const reached = (now: ClusterState) => {
      const holder = leaderOf(now)
      const old = now.members.find((m) => m.name === leader.name)
      const ok = holder?.role === role && holder.state === 'running' && (!demote || old?.state === 'running')
      const line = `cluster is unlocked: ${!holder}, leader role: ${holder?.role ?? 'none'}, leader state: ${holder?.state ?? 'none'}`
      if (!ok && line !== last) io.log(`${timestampLine()} ${(last = line)}`)
      return ok
    }
    const deadline = performance.now() + wanted.waitSeconds * 1000
    const result = await waitForCluster(instance, reached, {deadline, intervalMs: 1000})
    if (!result.reached)
      throw new PgpError(
        `${cluster.scope} is not ${done} after ${wanted.waitSeconds} s (Patroni goes on); check pgpatronictl list ${target.label}`,
        ExitCode.unreachable,
      )
    io.log(`${timestampLine()} cluster is successfully ${done}\n${await table(result.cluster!)}`)
    return ExitCode.ok
  })
}

const table = (cluster: ClusterState) => renderClusters([{cluster, systemId: cluster.systemId}], 'pretty', false)
