import {type HostPaths, type HostInstance, describeChoices, discoverHost} from './discovery.js'
import {usageError} from '../errors.js'
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
  given: {name?: string; configFile?: string},
  paths: HostPaths,
  options: ConnectOptions,
  prompter: Prompter,
  env: NodeJS.ProcessEnv = process.env,
): Promise<InstanceTarget> {
  if (given.configFile) {
    // with -c, words after the command are member names; an instance name means a mix-up
    if (given.name !== undefined && isInstanceName(given.name)) throw bothGiven(given.name)
    return {configFile: given.configFile, label: given.configFile}
  }
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
