import {PatroniCommand} from '../base-command.js'
import {instanceArg, operationFlags, roleFlag, groupFlag} from '../flags.js'
import {refuseGroup} from '../lib/instances/citus.js'
import {memberRole} from '../lib/operations/members.js'
import {runReload} from '../lib/operations/reload.js'

export default class Reload extends PatroniCommand {
  static override args = {instance: instanceArg}
  static override description =
    'Sends POST /reload to each member given (default: all of --role); each Patroni re-reads its YAML and applies it within loop_wait seconds.'
  static override examples = [
    '<%= config.bin %> <%= command.id %> 15/main',
    '<%= config.bin %> <%= command.id %> 15/main node2 --force',
  ]
  static override flags = {
    group: groupFlag,
    ...operationFlags,
    role: roleFlag(),
  }
  static override strict = false
  static override summary = 'Make Patroni re-read its configuration on members of an instance.'
  static override usage = '<%= command.id %> [INSTANCE] [MEMBER...] [FLAGS]'

  async run(): Promise<void> {
    const {args, argv, flags} = await this.parse(Reload)
    refuseGroup(flags.group)
    const io = this.operationIo(flags)
    const options = this.connectOptions(flags)
    const target = await this.target(args.instance, flags, options, io.prompter)
    const members = this.memberArgs(argv, args.instance)
    const wanted = {dryRun: flags['dry-run'], force: flags.force, members, role: memberRole(flags.role)}
    process.exitCode = await runReload(target, wanted, options, io)
  }
}
