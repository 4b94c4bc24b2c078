import {Flags} from '@oclif/core'

import {PatroniCommand} from '../base-command.js'
import {groupFlag, instanceArg, operationFlags} from '../flags.js'
import {refuseGroup} from '../lib/instances/citus.js'
import {runPause} from '../lib/operations/pause.js'

export default class Pause extends PatroniCommand {
  static override args = {instance: instanceArg}
  static override description =
    'Sends PATCH /config {"pause": true} to the leader, without asking (as patronictl: safe in cron jobs). With --wait, returns once every member reports it.'
  static override examples = [
    '<%= config.bin %> <%= command.id %> 15/main --wait',
    '<%= config.bin %> <%= command.id %> 15/main --dry-run',
  ]
  static override flags = {
    group: groupFlag,
    ...operationFlags,
    force: Flags.boolean({summary: 'Accepted as patronictl scripts pass it; pause and resume never ask.'}),
    wait: Flags.boolean({summary: 'Wait until every member reports the change.'}),
  }
  static override summary = 'Put the cluster of an instance in maintenance mode: no automatic failover or restarts.'
  protected readonly action: 'pause' | 'resume' = 'pause'

  async run(): Promise<void> {
    const {args, flags} = await this.parse(this.constructor as typeof Pause)
    refuseGroup(flags.group)
    const io = this.operationIo(flags)
    const options = this.connectOptions(flags)
    const target = await this.target(args.instance, flags, options, io.prompter)
    process.exitCode = await runPause(target, this.action, {dryRun: flags['dry-run'], wait: flags.wait}, options, io)
  }
}
