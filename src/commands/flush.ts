import {PatroniCommand} from '../base-command.js'
import {operationFlags, roleFlag, groupFlag} from '../flags.js'
import {refuseGroup} from '../lib/instances/citus.js'
import {usageError} from '../lib/errors.js'
import {runFlush} from '../lib/operations/flush.js'
import {memberRole} from '../lib/operations/members.js'

export default class Flush extends PatroniCommand {
  static override description =
    'restart: DELETE /restart on each member with a scheduled restart (default: all of --role). switchover: DELETE /switchover on the leader.'
  static override examples = [
    '<%= config.bin %> <%= command.id %> 15/main restart',
    '<%= config.bin %> <%= command.id %> 15/main node2 restart --force',
    '<%= config.bin %> <%= command.id %> 15/main switchover',
  ]
  static override flags = {...operationFlags, group: groupFlag, role: roleFlag()}
  static override strict = false
  static override summary = 'Cancel scheduled restarts or a scheduled switchover.'
  static override usage = '<%= command.id %> [INSTANCE] [MEMBER...] restart|switchover [FLAGS]'

  async run(): Promise<void> {
    const {argv, flags} = await this.parse(Flush)
    refuseGroup(flags.group)
    const words = argv as string[]
    const what = words.at(-1)
    if (what !== 'restart' && what !== 'switchover') throw usageError('say what to flush, last: restart or switchover')
    const instance = words.length > 1 ? words[0] : undefined
    const io = this.operationIo(flags)
    const options = this.connectOptions(flags)
    const target = await this.target(instance, flags, options, io.prompter)
    const members = this.memberArgs(words.slice(0, -1), instance)
    if (what === 'switchover' && members.length > 0) throw usageError('flush switchover takes no member names')
    process.exitCode = await runFlush(
      target,
      {dryRun: flags['dry-run'], force: flags.force, members, role: memberRole(flags.role), what},
      options,
      io,
    )
  }
}
