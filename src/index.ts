import {readFileSync} from 'node:fs'
import {join} from 'node:path'

import {PatroniCommand} from './base-command.js'
import {type CliShape, prepareArgv} from './lib/cli/argv.js'
import {PgpError} from './lib/errors.js'

import Check from './commands/check.js'
import Complete from './commands/complete.js'
import Completion from './commands/completion.js'
import DemoteCluster from './commands/demote-cluster.js'
import Dsn from './commands/dsn.js'
import EditConfig from './commands/edit-config.js'
import Failover from './commands/failover.js'
import Flush from './commands/flush.js'
import Help from './commands/help.js'
import History from './commands/history.js'
import List from './commands/list.js'
import Pause from './commands/pause.js'
import PromoteCluster from './commands/promote-cluster.js'
import Query from './commands/query.js'
import Reinit from './commands/reinit.js'
import Reload from './commands/reload.js'
import Remove from './commands/remove.js'
import Restart from './commands/restart.js'
import Resume from './commands/resume.js'
import ShowConfig from './commands/show-config.js'
import Switchover from './commands/switchover.js'
import Topology from './commands/topology.js'
import Version from './commands/version.js'

/** The explicit command map: oclif reads it from the bundle instead of scanning directories. */
export const COMMANDS = {
  __complete: Complete,
  check: Check,
  completion: Completion,
  'demote-cluster': DemoteCluster,
  dsn: Dsn,
  'edit-config': EditConfig,
  failover: Failover,
  flush: Flush,
  help: Help,
  history: History,
  list: List,
  pause: Pause,
  'promote-cluster': PromoteCluster,
  query: Query,
  reinit: Reinit,
  reload: Reload,
  remove: Remove,
  restart: Restart,
  resume: Resume,
  'show-config': ShowConfig,
  switchover: Switchover,
  topology: Topology,
  version: Version,
}

type FlagDefinition = {char?: string; aliases?: string[]; type: string}

/** The flags and arguments argv preparation needs, from the commands' static definitions. */
function cliShape(): CliShape {
  const valueFlags = (flags: Record<string, FlagDefinition>) =>
    Object.entries(flags)
      .filter(([, f]) => f.type === 'option')
      .flatMap(([name, f]) => [`--${name}`, ...(f.char ? [`-${f.char}`] : [])])
  const commands: CliShape['commands'] = {}
  for (const [id, command] of Object.entries(COMMANDS)) {
    const flags = {...command.baseFlags, ...command.flags} as Record<string, FlagDefinition>
    const instanceArg = id === 'list' || Object.hasOwn(command.args ?? {}, 'instance')
    commands[id] = {hidden: command.hidden, instanceArg, valueFlags: valueFlags(flags)}
  }
  const globals = Object.entries(PatroniCommand.baseFlags as Record<string, FlagDefinition>).map(([name, f]) => ({
    aliases: f.aliases,
    char: f.char,
    name,
    takesValue: f.type === 'option',
  }))
  return {bin: 'pgpatronictl', commands, globals}
}

export async function run(given = process.argv.slice(2)): Promise<void> {
  let argv: string[]
  try {
    argv = prepareArgv(given, cliShape())
  } catch (error) {
    if (!(error instanceof PgpError)) throw error
    process.stderr.write(`Error: ${error.message}\n`)
    process.exitCode = error.exitCode
    return
  }
  const {execute, settings} = await import('@oclif/core')
  settings.enableAutoTranspile = false // a bundle: never look for TypeScript sources
  // The package root is known (dist/..): oclif need not search up the tree for package.json,
  // and there are no user or dev plugins to look up.
  const root = join(__dirname, '..')
  const pjson = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
  await execute({args: argv, loadOptions: {devPlugins: false, pjson, root, userPlugins: false}})
}
