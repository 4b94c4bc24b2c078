import {Flags} from '@oclif/core'

import {PatroniCommand} from '../base-command.js'
import {groupFlag, instanceArg, operationFlags, roleFlag, scheduledFlag} from '../flags.js'
import {refuseGroup} from '../lib/instances/citus.js'
import {usageError} from '../lib/errors.js'
import {memberRole} from '../lib/operations/members.js'
import {runRestart} from '../lib/operations/restart.js'

export default class Restart extends PatroniCommand {
  static override args = {instance: instanceArg}
  static override description = `Restarts PostgreSQL on the members given (default: all of --role), one at a time: replicas first, the leader last, each running again (a replica replicating) before the next starts, and never while another member is down. Stops at the first failure. --timeout is sent to Patroni and bounds the wait for each member. --pending and --pg-version are sent to every member, and each member's Patroni decides (skipped when not needed). --scheduled over a restart already scheduled replaces it (DELETE /restart first), as patronictl does.`
  static override examples = [
    '<%= config.bin %> <%= command.id %> 15/main',
    '<%= config.bin %> <%= command.id %> 15/main node2 --force',
    '<%= config.bin %> <%= command.id %> 15/main --role replica --pending --force',
    '<%= config.bin %> <%= command.id %> 15/main -r replica --any --force',
    '<%= config.bin %> <%= command.id %> 15/main --scheduled "2026-11-24 03:00" --pg-version 15.10 --force',
  ]
  static override flags = {
    group: groupFlag,
    ...operationFlags,
    any: Flags.boolean({summary: 'Restart a single member only, chosen at random among those selected.'}),
    'pg-version': Flags.string({summary: 'Restart only members running an older PostgreSQL than this (15.10).'}),
    pending: Flags.boolean({
      summary: 'Only members whose Patroni reports a pending restart (it decides, when the request arrives).',
    }),
    role: roleFlag(),
    scheduled: scheduledFlag,
  }
  static override strict = false
  static override summary = 'Restart PostgreSQL on members of an instance, one at a time.'
  static override usage = '<%= command.id %> [INSTANCE] [MEMBER...] [FLAGS]'

  async run(): Promise<void> {
    const {args, argv, flags} = await this.parse(Restart)
    refuseGroup(flags.group)
    const io = this.operationIo(flags)
    const options = this.connectOptions(flags)
    const target = await this.target(args.instance, flags, options, io.prompter)
    if (flags['pg-version'] && !/^\d+(\.\d+){0,2}$/.test(flags['pg-version']))
      throw usageError(`--pg-version ${flags['pg-version']}: expected a version such as 15.10`)
    const members = this.memberArgs(argv, args.instance)
    const wanted = {
      any: flags.any,
      dryRun: flags['dry-run'],
      force: flags.force,
      members,
      pending: flags.pending,
      pgVersion: flags['pg-version'],
      role: memberRole(flags.role),
      scheduled: flags.scheduled,
      timeoutSeconds: flags.timeout,
    }
    process.exitCode = await runRestart(target, wanted, options, io)
  }
}
