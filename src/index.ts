import Failover from './commands/failover.js'
import List from './commands/list.js'
import Restart from './commands/restart.js'
import Switchover from './commands/switchover.js'

/** The explicit command map: oclif reads it from the bundle instead of scanning directories. */
export const COMMANDS = {
  failover: Failover,
  list: List,
  restart: Restart,
  switchover: Switchover,
}

export async function run(argv = process.argv.slice(2)): Promise<void> {
  const {execute, settings} = await import('@oclif/core')
  settings.enableAutoTranspile = false // a bundle: never look for TypeScript sources
  await execute({args: argv, dir: __filename})
}
