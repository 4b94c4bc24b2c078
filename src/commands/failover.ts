import {Flags} from '@oclif/core'

import {PatroniCommand} from '../base-command.js'
import {instanceArg, operationFlags, groupFlag} from '../flags.js'
import {refuseGroup} from '../lib/instances/citus.js'
import {runLeaderChange} from '../lib/operations/switchover.js'

export default class Failover extends PatroniCommand {
  static override args = {instance: instanceArg}
  static override description = `For a cluster without a working leader. With a running leader it asks twice, because a failover does not wait for replication: prefer switchover. Sends POST /failover and waits until the candidate leads.`
  static override examples = [
    '<%= config.bin %> <%= command.id %> 15/main --candidate node2',
    '<%= config.bin %> <%= command.id %> 15/main --candidate node2 --force',
  ]
  static override flags = {
    group: groupFlag,
    ...operationFlags,
    candidate: Flags.string({
      summary:
        'The replica to promote (asked on a terminal; chosen when it is the only healthy one and there is no leader).',
    }),
    leader: Flags.string({
      aliases: ['primary', 'master'],
      summary: 'The current leader, checked before anything is sent.',
    }),
  }
  static override summary = 'Promote a replica now, even without a healthy leader (may lose data).'

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Failover)
    refuseGroup(flags.group)
    const io = this.operationIo(flags)
    const options = this.connectOptions(flags)
    const target = await this.target(args.instance, flags, options, io.prompter)
    const wanted = {candidate: flags.candidate, dryRun: flags['dry-run'], force: flags.force, leader: flags.leader}
    process.exitCode = await runLeaderChange('failover', target, wanted, options, io)
  }
}
