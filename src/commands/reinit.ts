import {Flags} from '@oclif/core'

import {PatroniCommand} from '../base-command.js'
import {groupFlag, instanceArg, operationFlags} from '../flags.js'
import {refuseGroup} from '../lib/instances/citus.js'
import {runReinit} from '../lib/operations/reinit.js'

export default class Reinit extends PatroniCommand {
  static override args = {instance: instanceArg}
  static override description =
    'Sends POST /reinitialize to each replica named, one at a time: Patroni wipes its data directory and clones it again. The leader is refused. With --wait, returns once each runs and replicates again.'
  static override examples = [
    '<%= config.bin %> <%= command.id %> 15/main node3',
    '<%= config.bin %> <%= command.id %> 15/main node3 --wait --force',
  ]
  static override flags = {
    group: groupFlag,
    ...operationFlags,
    'from-leader': Flags.boolean({summary: 'Clone from the leader, not from a replica (Patroni 4.1 or later).'}),
    wait: Flags.boolean({summary: 'Wait until each member runs and replicates again.'}),
  }
  static override strict = false
  static override summary = 'Rebuild replicas from scratch (wipes their data directory).'
  static override usage = '<%= command.id %> [INSTANCE] MEMBER... [FLAGS]'

  async run(): Promise<void> {
    const {args, argv, flags} = await this.parse(Reinit)
    refuseGroup(flags.group)
    const io = this.operationIo(flags)
    const options = this.connectOptions(flags)
    const target = await this.target(args.instance, flags, options, io.prompter)
    const wanted = {
      dryRun: flags['dry-run'],
      force: flags.force,
      fromLeader: flags['from-leader'],
      members: this.memberArgs(argv, args.instance),
      wait: flags.wait,
    }
    process.exitCode = await runReinit(target, wanted, options, io)
  }
}
