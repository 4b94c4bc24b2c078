import {existsSync} from 'node:fs'
import {join} from 'node:path'

import {type HostPaths, discoverHost, findInstance} from '../instances/discovery.js'
import {ExitCode, PgpError} from '../errors.js'
import {summariseHost, overviewExitCode} from './host.js'
import {type InstanceName, formatInstance, instanceStem, parseInstanceName} from '../instances/names.js'
import {explicitTarget} from '../instances/choice.js'
import {type ClusterView, renderClusters, renderHost} from './views.js'
import {type ConnectOptions, PatroniInstance} from '../rest/instance.js'
import type {OutputFormat} from '../output/printer.js'
import type {Via} from '../config/remote.js'

export interface Listing {
  text?: string // none when no instance could be read
  errors: string[] // one line each, for stderr
  warnings: string[] // e.g. data came from another member because this host's did not answer
  exitCode: number
}

/** A Patroni instance to open: by pg-common name, or an explicit config file (-c). */
export interface InstanceTarget {
  label: string
  configFile: string // '' with -d and no -c
  via?: Via // reached by scope through the DCS (-d, or another scope of -c's DCS)
}

/** `15/main` → its config file; an unknown name is exit 3 with the instances that exist. */
export function targetFor(name: InstanceName, paths: HostPaths): InstanceTarget {
  const configFile = join(paths.configDir, `${instanceStem(name)}.yml`)
  if (!existsSync(configFile)) findInstance(name, discoverHost(paths), paths.configDir)
  return {configFile, label: formatInstance(name)}
}

/**
 * `list [WORD...]`: instances by name; with -c, -d or $PATRONICTL_CONFIG_FILE, scopes as patronictl
 * takes them (none: the config's own). No word and nothing explicit: none (the host overview).
 */
export async function listTargets(
  words: string[],
  given: {configFile?: string; dcsUrl?: string},
  paths: HostPaths,
  options: {insecure?: boolean},
  env: NodeJS.ProcessEnv = process.env,
): Promise<InstanceTarget[]> {
  if (words.length === 0) {
    const target = await explicitTarget(given, options, env)
    return target ? [target] : []
  }
  const targets: InstanceTarget[] = []
  for (const name of words)
    targets.push((await explicitTarget({...given, name}, options, env)) ?? targetFor(parseInstanceName(name), paths))
  return targets
}

export async function listHost(
  paths: HostPaths,
  options: ConnectOptions,
  format: OutputFormat,
  color: boolean,
): Promise<Listing> {
  const summaries = await summariseHost(discoverHost(paths), options)
  // the table's notes say it in pretty; machine formats keep stdout clean and warn on stderr
  const warnings =
    format === 'pretty' ? [] : summaries.flatMap((s) => (s.warnings ?? []).map((w) => `${s.instance}: ${w}`))
  return {errors: [], exitCode: overviewExitCode(summaries), text: await renderHost(summaries, format, color), warnings}
}

/** Each target is asked concurrently; a failing one is reported without hiding the others. */
export async function listClusters(
  targets: InstanceTarget[],
  options: ConnectOptions,
  format: OutputFormat,
  extended: boolean,
): Promise<Listing> {
  const warnings: string[] = [] // printed under the listing: --watch redraws the screen
  const collecting = {...options, warn: (line: string) => void (warnings.includes(line) || warnings.push(line))}
  const results = await Promise.allSettled(targets.map((target) => viewOf(target, collecting)))
  const views: ClusterView[] = []
  const failures: PgpError[] = []
  for (const [i, result] of results.entries()) {
    if (result.status === 'fulfilled') views.push(result.value)
    else failures.push(labelled(result.reason, targets[i]!.label))
  }
  return {
    errors: failures.map((f) => f.message),
    exitCode: Math.max(ExitCode.ok, ...failures.map((f) => f.exitCode)),
    text: views.length === 0 ? undefined : await renderClusters(views, format, extended),
    warnings,
  }
}

export async function viewOf(target: InstanceTarget, options: ConnectOptions): Promise<ClusterView> {
  const patroni = await PatroniInstance.open(target.label, target.configFile, options, target.via)
  try {
    const cluster = await patroni.cluster({showSelf: true})
    return {cluster, systemId: cluster.systemId}
  } finally {
    await patroni.close()
  }
}

function labelled(error: unknown, label: string): PgpError {
  if (!(error instanceof PgpError)) throw error
  if (error.message.startsWith(label)) return error
  return new PgpError(`${label}: ${error.message}`, error.exitCode, {cause: error})
}
