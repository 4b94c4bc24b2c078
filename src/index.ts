import {readFileSync} from 'node:fs'
import {join} from 'node:path'

import Check from './commands/check.js'
import Complete from './commands/complete.js'
import Completion from './commands/completion.js'
import DemoteCluster from './commands/demote-cluster.js'
import Dsn from './commands/dsn.js'
import EditConfig from './commands/edit-config.js'
import Failover from './commands/failover.js'
import Flush from './commands/flush.js'
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

export async function run(argv = process.argv.slice(2)): Promise<void> {
  const {execute, settings} = await import('@oclif/core')
  settings.enableAutoTranspile = false // a bundle: never look for TypeScript sources
  // The package root is known (dist/..): oclif need not search up the tree for package.json,
  // and there are no user or dev plugins to look up.
  const root = join(__dirname, '..')
  const pjson = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
  await execute({args: argv, loadOptions: {devPlugins: false, pjson, root, userPlugins: false}})
}
