import {type HostPaths, type HostInstance, describeChoices, discoverHost} from './discovery.js'
import {usageError} from '../errors.js'
import {loadPatroniConfig} from '../config/patroni-config.js'
import {scopeOfWord} from '../config/remote.js'
import {type InstanceSummary, summariseHost} from '../list/host.js'
import {formatInstance, parseInstanceName} from './names.js'
import {type InstanceTarget, targetFor} from '../list/list.js'
import type {ConnectOptions} from '../rest/instance.js'
import type {Choice, Prompter} from '../prompt/prompt.js'

/**
 * The instance an operation acts on: `-c FILE`, the name given, `PGCLUSTER`, else a choice.
 * On a terminal the host's bootstrapped Patroni instances are offered with their leader and
 * health; without one, the only such instance is taken, and several are a usage error (exit 2).
 */
export async function chooseInstance(
  given: TargetRequest,
  paths: HostPaths,
  options: ConnectOptions,
  prompter: Prompter,
  env: NodeJS.ProcessEnv = process.env,
): Promise<InstanceTarget> {
  const explicit = await explicitTarget(given, options, env)
  if (explicit) return explicit
  if (given.name) return targetFor(parseInstanceName(given.name), paths)
  if (env.PGCLUSTER) {
    let name
    try {
      name = parseInstanceName(env.PGCLUSTER)
    } catch (error) {
      throw usageError(`$PGCLUSTER: ${(error as Error).message}`)
    }
    return targetFor(name, paths)
  }
  const host = discoverHost(paths)
  const operable = host.filter((i) => i.kind === 'patroni')
  if (!prompter.interactive) {
    if (operable.length === 1) return targetOf(operable[0]!)
    throw usageError(
      `no instance given and ${operable.length === 0 ? 'no bootstrapped Patroni instance' : 'several'} on this host; ${describeChoices(host, paths.configDir)}`,
    )
  }
  if (operable.length === 0)
    throw usageError(`no bootstrapped Patroni instance on this host; ${describeChoices(host, paths.configDir)}`)
  const summaries = await summariseHost(operable, options)
  const choices = summaries.map((s, i): Choice<HostInstance> => ({
    disabled: s.leader ? false : `(${s.error ?? 'no leader'})`,
    name: describeInstanceChoice(s),
    value: operable[i]!,
  }))
  return targetOf(await prompter.select('Which instance?', choices))
}

/** The words and flags that may name the cluster (patronictl's `-c`, `-d`, `[CLUSTER]`). */
export interface TargetRequest {
  name?: string // the first word after the command
  configFile?: string // -c
  dcsUrl?: string // -d
}

/**
 * patronictl's ways to name a cluster. `-d URL [SCOPE]`: that scope (else -c's) through that DCS.
 * `-c FILE [SCOPE]` (or $PATRONICTL_CONFIG_FILE when no instance is named): the file's cluster
 * when the word is its scope or absent, else that scope through the file's DCS. The word is
 * always the cluster, as for patronictl: were `-c f.yml restart db1` read as member db1 of f.yml's
 * cluster, it would restart another cluster than patronictl does with the same line.
 */
export async function explicitTarget(
  given: TargetRequest,
  options: {insecure?: boolean},
  env: NodeJS.ProcessEnv = process.env,
): Promise<InstanceTarget | undefined> {
  const {name} = given
  if (given.dcsUrl) {
    const configFile = given.configFile ?? ''
    const scope = name
      ? scopeOfWord(name)
      : configFile
        ? (await loadPatroniConfig(configFile, {env, insecure: options.insecure})).scope
        : undefined
    if (!scope)
      throw usageError(
        '-d/--dcs-url reaches a cluster by its scope: name it (e.g. 15-main); list --fleet shows them all',
      )
    return {configFile, label: scope, via: {dcsUrl: given.dcsUrl, scope}}
  }
  const fromEnv = env.PATRONICTL_CONFIG_FILE && (name === undefined || !isInstanceName(name))
  const configFile = given.configFile ?? (fromEnv ? env.PATRONICTL_CONFIG_FILE : undefined)
  if (!configFile) return undefined
  const target = {configFile, label: configFile}
  // 15/other is pg-common's name of a config on this host: with -c, two configs are named
  if (name !== undefined && /^\d+(?:\.\d+)?\//.test(name)) throw bothGiven(name)
  const config = await loadPatroniConfig(configFile, {env, insecure: options.insecure})
  // a patronictl.yaml may hold only the DCS: then the cluster is named after the command
  if (name === undefined && !config.scope)
    throw usageError(`${configFile} has no scope: name the cluster after the command (e.g. 15-main)`)
  if (name === undefined) return target
  if (name === config.scope) return target
  const scope = scopeOfWord(name)
  return {configFile, label: scope, via: {scope}}
}

/** An instance name and -c FILE name two configs: acting on either could hit the wrong cluster. */
export const bothGiven = (name: string) => usageError(`give an instance (${name}) or -c FILE, not both`)

function isInstanceName(text: string): boolean {
  try {
    parseInstanceName(text)
    return true
  } catch {
    return false
  }
}

const targetOf = (instance: HostInstance): InstanceTarget => ({
  configFile: instance.configFile!,
  label: formatInstance(instance),
})

/** `15/main  leader node1, 3/3 running, max lag 0 MB` */
function describeInstanceChoice(s: InstanceSummary): string {
  const health = s.leader
    ? `leader ${s.leader}, ${s.members_running}/${s.members_total} running${s.max_lag_mb === undefined ? '' : `, max lag ${s.max_lag_mb}${typeof s.max_lag_mb === 'number' ? ' MB' : ''}`}${s.paused ? ', paused' : ''}`
    : 'no leader'
  return `${s.instance.padEnd(16)} ${health}`
}
