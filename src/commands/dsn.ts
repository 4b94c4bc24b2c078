import {Flags} from '@oclif/core'

import {PatroniCommand} from '../base-command.js'
import {dcsUrlFlag, groupFlag, instanceArg, operationFlags, roleFlag} from '../flags.js'
import {refuseGroup} from '../lib/instances/citus.js'
import {chooseDsnMember, formatDsn, localSocketFor} from '../lib/output/dsn.js'
import {usageError} from '../lib/errors.js'
import {PatroniInstance} from '../lib/rest/instance.js'
import {isRunning} from '../lib/rest/cluster.js'

export default class Dsn extends PatroniCommand {
  static override args = {instance: instanceArg}
  static override description = `A libpq connection string (host=... port=...) for a member, from the cluster state: the leader by default, --role replica for the running replica with the least lag, or --member by name. This host's own member is reached through its Unix socket directory (host=/var/run/postgresql), where Debian's peer authentication lets postgres in; other members, or all with --tcp, through their TCP address. Never a password: libpq takes that from ~/.pgpass or PGPASSWORD.`
  static override examples = [
    'psql "$(<%= config.bin %> <%= command.id %> 15/main)"',
    '<%= config.bin %> <%= command.id %> 15/main --role replica --dbname app --user report',
  ]
  static override flags = {
    group: groupFlag,
    dbname: Flags.string({char: 'd', summary: 'Add dbname=DBNAME.'}),
    'dcs-url': dcsUrlFlag(), // -d is --dbname here, as in psql
    interactive: operationFlags.interactive,
    member: Flags.string({char: 'm', exclusive: ['role'], summary: 'This member, whatever its role.'}),
    role: roleFlag(
      'leader',
      'leader (default; primary and master mean the same), replica (least lag), or any running member.',
    ),
    tcp: Flags.boolean({
      summary: "The TCP address also for this host's member (connect_address, as patronictl dsn prints it).",
    }),
    user: Flags.string({char: 'U', summary: 'Add user=USER.'}),
  }
  static override summary = 'Print a libpq connection string for the leader or a replica.'

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Dsn)
    refuseGroup(flags.group)
    const options = this.connectOptions(flags)
    const target = await this.target(args.instance, flags, options, this.prompter(flags))
    if (flags.member === '') throw usageError('--member: expected a member name')
    const patroni = await PatroniInstance.open(target.label, target.configFile, options, target.via)
    try {
      const cluster = await patroni.cluster()
      const role =
        flags.role === 'standby' ? 'replica' : flags.role === 'replica' || flags.role === 'any' ? flags.role : 'leader'
      const member = chooseDsnMember(cluster, {member: flags.member, role})
      const socket = flags.tcp ? undefined : localSocketFor(member, patroni.config)
      this.log(formatDsn(member, {dbname: flags.dbname, socket, user: flags.user}))
      if (!isRunning(member)) this.report('Warning', `${member.name} is ${member.state}`)
    } finally {
      await patroni.close()
    }
  }
}
