import {Flags} from '@oclif/core'

import {PatroniCommand} from '../base-command.js'
import {groupFlag, operationFlags, secondsFlag} from '../flags.js'
import {ExitCode, PgpError} from '../lib/errors.js'
import {refuseGroup} from '../lib/instances/citus.js'
import {parseInstanceName} from '../lib/instances/names.js'
import {type InstanceTarget, targetFor, viewOf} from '../lib/list/list.js'
import {renderTopology} from '../lib/output/topology.js'
import {repeatEvery} from '../lib/output/watch.js'

export default class Topology extends PatroniCommand {
  static override description = `The member table of list, as a tree: the leader first, each replica indented under the member it replicates from (its replicatefrom tag, else the leader), as patronictl topology draws it. Several instances are read at once, one table each.`
  static override examples = [
    '<%= config.bin %> <%= command.id %> 15/main',
    '<%= config.bin %> <%= command.id %> 15/main 16/reporting -w 5',
  ]
  static override flags = {
    group: groupFlag,
    interactive: operationFlags.interactive,
    watch: secondsFlag(86_400)({char: 'w', summary: 'Refresh every SECONDS until Ctrl-C.'}),
    W: Flags.boolean({char: 'W', summary: 'Refresh every 2 seconds until Ctrl-C.'}),
  }
  static override strict = false
  static override summary = 'Show the members of one or more instances as a replication tree.'
  static override usage = '<%= command.id %> [INSTANCE...] [FLAGS]'

  async run(): Promise<void> {
    const {argv, flags} = await this.parse(Topology)
    refuseGroup(flags.group)
    const options = this.connectOptions(flags)
    const names = (argv as string[]).map(parseInstanceName)
    const targets: InstanceTarget[] =
      names.length > 0 && !flags['config-file']
        ? names.map((name) => targetFor(name, this.hostPaths(flags)))
        : [await this.target(undefined, flags, options, this.prompter(flags))]
    const interval = flags.W ? 2 : flags.watch
    await repeatEvery(interval, async () => {
      const results = await Promise.allSettled(targets.map((target) => viewOf(target, options)))
      if (interval && process.stdout.isTTY) process.stdout.write('\u001B[H\u001B[2J')
      const tables = results.flatMap((r) => (r.status === 'fulfilled' ? [renderTopology(r.value)] : []))
      if (tables.length > 0) this.log(tables.join('\n'))
      let exitCode: number = ExitCode.ok
      for (const [i, result] of results.entries()) {
        if (result.status === 'fulfilled') continue
        if (!(result.reason instanceof PgpError) || targets.length === 1) throw result.reason
        const label = targets[i]!.label
        const text = result.reason.message
        this.report('Error', text.startsWith(label) ? text : `${label}: ${text}`)
        exitCode = Math.max(exitCode, result.reason.exitCode)
      }
      process.exitCode = exitCode
    })
  }
}
