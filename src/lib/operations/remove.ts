import {loadPatroniConfig} from '../config/patroni-config.js'
import type {DcsSettings} from '../config/dcs-settings.js'
import {clusterFromDcs, dcsPrefix, readDcs} from '../dcs/reader.js'
import {deleteScope, scopeDelete} from '../dcs/remove.js'
import {ExitCode, PgpError, configError, usageError} from '../errors.js'
import type {InstanceTarget} from '../list/list.js'
import {renderClusters} from '../list/views.js'
import type {OutputFormat} from '../output/printer.js'
import {aborted} from '../prompt/prompt.js'
import {endpointOf} from '../rest/client.js'
import {normaliseCluster} from '../rest/cluster.js'
import {type OperationIo, reportDryRun} from './operation.js'
import {describeRequest} from './request-preview.js'

export const AWARE = 'Yes I am aware'

export interface RemoveOptions {
  format: OutputFormat
  dryRun: boolean
  force: boolean
  insecure: boolean
  timeoutMs: number
  log?: (line: string) => void
}

interface ScopeKeys {
  settings: DcsSettings
  prefix: string
  scope: string
  leader?: string
  systemId?: string
  where: string // "etcd3 127.0.0.1:2379"
}

/**
 * patronictl remove: shows the members the DCS holds for the scope, asks for the cluster name,
 * the sentence "Yes I am aware" and, while a leader holds the cluster, the leader's name; then
 * deletes the scope's keys (only them) and says how many went. --force (no terminal) removes
 * only a cluster without a leader. Returns the exit code.
 */
export async function removeCluster(target: InstanceTarget, options: RemoveOptions, io: OperationIo): Promise<number> {
  const config = await loadPatroniConfig(target.configFile, {insecure: options.insecure})
  if (!config.dcs) throw configError(`${target.configFile}: ${config.dcsError ?? 'no DCS configured'}`)
  const scope = config.scope ?? target.label
  const prefix = dcsPrefix(config.namespace, scope)
  const keys = await readScope(config.dcs, prefix, scope, options)
  const cluster = normaliseCluster(keys.raw, scope, keys.baseUrl)
  io.log(await renderClusters([{cluster, systemId: keys.systemId}], options.format, false))
  const request = scopeDelete(config.dcs.kind, prefix)
  if (options.dryRun) {
    const url = new URL(request.path, config.dcs.endpoints[0]).href
    return reportDryRun(io, [describeRequest(request.method, url, request.body)])
  }
  if (options.force) {
    if (keys.leader)
      throw refused(`${scope} has a leader (${keys.leader}): stop Patroni first, or confirm on a terminal`)
  } else await confirmRemoval(target.label, keys, io)
  const now = await readScope(config.dcs, prefix, scope, options)
  if (now.leader !== keys.leader || now.systemId !== keys.systemId)
    throw refused(`${scope} changed in the DCS while you confirmed (leader ${now.leader ?? 'none'}): nothing removed`)
  const handle = io.journal.sending(`delete of ${prefix} in ${keys.where}`)
  const done = await deleteScope(config.dcs, prefix, options)
  io.journal.confirmed(handle, 'deleted')
  const count = done.deleted === undefined ? '' : ` (${done.deleted} keys)`
  io.log(`Removed ${scope} from the DCS: ${prefix} in ${config.dcs.kind} ${done.endpoint}${count}`)
  return ExitCode.ok
}

async function confirmRemoval(label: string, keys: ScopeKeys, io: OperationIo): Promise<void> {
  const {prompter} = io
  if (!prompter.interactive)
    throw usageError(
      `remove asks for the cluster name and "${AWARE}": run it on a terminal, or pass --force for a cluster without a leader`,
    )
  const name = await prompter.input('Please confirm the cluster name to remove', '', () => true)
  if (name !== keys.scope && name !== label) throw mismatch('Cluster names specified do not match')
  const message = `You are about to remove all information in DCS for ${keys.scope}, please type: "${AWARE}"`
  if ((await prompter.input(message, '', () => true)) !== AWARE) throw mismatch(`You did not exactly type "${AWARE}"`)
  if (!keys.leader) return
  const leader = await prompter.input(
    'This cluster currently is healthy. Please specify the leader name to continue',
    '',
    () => true,
  )
  if (leader !== keys.leader) throw mismatch('You did not specify the current leader of the cluster')
}

async function readScope(settings: DcsSettings, prefix: string, scope: string, options: RemoveOptions) {
  const snapshot = await readDcs(settings, prefix, {
    insecure: options.insecure,
    log: options.log,
    timeoutMs: options.timeoutMs,
  })
  const where = `${snapshot.kind} ${endpointOf(snapshot.baseUrl)}`
  if (snapshot.keys.size === 0) throw refused(`${scope}: no keys under ${prefix} in ${where}: nothing to remove`)
  const raw = clusterFromDcs(snapshot.keys)
  const keys: ScopeKeys = {leader: raw.leader, prefix, scope, settings, systemId: raw.systemId, where}
  return Object.assign(keys, {raw, baseUrl: snapshot.baseUrl})
}

const refused = (message: string) => new PgpError(message, ExitCode.failed)
const mismatch = (message: string) => new PgpError(`${message}: nothing removed`, aborted().exitCode)
