import {Flags} from '@oclif/core'

import {PatroniCommand} from '../base-command.js'
import {instanceArg, operationFlags, scheduledFlag, groupFlag} from '../flags.js'
import {refuseGroup} from '../lib/instances/citus.js'
import {runLeaderChange} from '../lib/operations/switchover.js'

export default class Switchover extends PatroniCommand {
  static override args = {instance: instanceArg}
  static override description = `Shows the topology, asks (on a terminal) for the candidate, the time and a confirmation, sends POST /switchover to the leader, then waits until the new leader runs. A candidate that is not a running replica is refused before anything is sent.`
  static override examples = [
    '<%= config.bin %> <%= command.id %> 15/main',
    '<%= config.bin %> <%= command.id %> 15/main --candidate node2 --force',
    '<%= config.bin %> <%= command.id %> 15-main --candidate node2 --scheduled 2026-11-24T22:30 --force',
    '<%= config.bin %> <%= command.id %> 15/main --candidate node2 --dry-run',
  ]
  static override flags = {
    group: groupFlag,
    ...operationFlags,
    candidate: Flags.string({
      summary: 'The replica to promote (default: ask; with --force, Patroni chooses a healthy one).',
    }),
    leader: Flags.string({
      aliases: ['primary', 'master'],
      summary: 'The current leader, checked before anything is sent.',
    }),
    scheduled: scheduledFlag,
  }
  static override summary = 'Hand the leader role to a replica, cleanly, and wait for the outcome.'

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Switchover)
    refuseGroup(flags.group)
    const io = this.operationIo(flags)
    const options = this.connectOptions(flags)
    const target = await this.target(args.instance, flags, options, io.prompter)
    const wanted = {
      candidate: flags.candidate,
      dryRun: flags['dry-run'],
      force: flags.force,
      leader: flags.leader,
      scheduled: flags.scheduled,
    }
    process.exitCode = await runLeaderChange('switchover', target, wanted, options, io)
  }
}
