import {Flags} from '@oclif/core'

import {PatroniCommand} from '../base-command.js'
import {formatFlagsOf, instanceArg, operationFlags, outputFormat, groupFlag} from '../flags.js'
import {OUTPUT_FORMATS} from '../lib/output/printer.js'
import {refuseGroup} from '../lib/instances/citus.js'
import {removeCluster} from '../lib/operations/remove.js'

export default class Remove extends PatroniCommand {
  static override args = {instance: instanceArg}
  static override description = `Deletes every key of the instance's scope from the DCS (<namespace><scope>/, nothing else), as patronictl remove: after showing the members the DCS holds, it asks for the cluster name (the scope, or the instance name), the sentence "Yes I am aware" and, while a leader holds the cluster, the leader's name. Without a terminal it refuses, unless --force, which removes only a cluster without a leader. Patroni members still running register again at once: stop them first.`
  static override examples = [
    'sudo systemctl stop patroni@15-main  # on every host',
    '<%= config.bin %> <%= command.id %> 15/main',
    '<%= config.bin %> <%= command.id %> 15/main --dry-run',
  ]
  static override flags = {
    ...formatFlagsOf(OUTPUT_FORMATS, 'pretty'),
    'dry-run': operationFlags['dry-run'],
    force: Flags.boolean({summary: 'Do not ask: remove a cluster that has no leader (refused while one holds it).'}),
    group: groupFlag,
    interactive: operationFlags.interactive,
  }
  static override summary = "Remove a cluster's keys from the DCS (patronictl remove)."

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Remove)
    refuseGroup(flags.group)
    const options = this.connectOptions(flags)
    const io = this.operationIo(flags)
    const target = await this.target(args.instance, flags, options, io.prompter)
    const removal = {dryRun: flags['dry-run'], force: flags.force, format: outputFormat(flags)}
    process.exitCode = await removeCluster(
      target,
      {...removal, insecure: flags.insecure, log: options.log, timeoutMs: options.timeoutMs},
      io,
    )
  }
}
