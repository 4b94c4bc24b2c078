import {PatroniCommand} from '../base-command.js'
import {groupFlag, instanceArg} from '../flags.js'
import {refuseGroup} from '../lib/instances/citus.js'
import {ExitCode, PgpError} from '../lib/errors.js'
import {RestError} from '../lib/rest/client.js'
import {PatroniInstance} from '../lib/rest/instance.js'
import {Prompter} from '../lib/prompt/prompt.js'
import {memberVersions, versionLine, versionsExitCode} from '../lib/output/versions.js'

export default class Version extends PatroniCommand {
  static override args = {instance: instanceArg}
  static override description = `pgpatronictl's version; with an instance, also the Patroni and PostgreSQL version of each member, or of the members named (GET /patroni on every member at once, each within --timeout). Exits 4 only when no member answered.`
  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> 15/main',
    '<%= config.bin %> <%= command.id %> 15/main node1 node2',
  ]
  static override flags = {group: groupFlag}
  static override strict = false
  static override summary = 'Show the version of pgpatronictl, and of Patroni and PostgreSQL on each member.'
  static override usage = '<%= command.id %> [INSTANCE] [MEMBER...] [FLAGS]'

  async run(): Promise<void> {
    const {args, argv, flags} = await this.parse(Version)
    refuseGroup(flags.group)
    this.log(`${this.config.bin} version ${this.config.version}`)
    if (!args.instance && !flags['config-file']) return // like patronictl: no instance, no REST
    const options = this.connectOptions(flags)
    const target = await this.target(args.instance, flags, options, new Prompter(false))
    const names = this.memberArgs(argv, args.instance)
    const patroni = await PatroniInstance.open(target.label, target.configFile, options, target.via)
    try {
      const cluster = await patroni.cluster()
      const members = cluster.members.filter((m) => names.length === 0 || names.includes(m.name))
      const unknown = names.filter((n) => !cluster.members.some((m) => m.name === n))
      if (members.length > 0 && unknown.length > 0)
        this.report('Warning', `not a member of ${cluster.scope}: ${unknown.join(', ')}`)
      if (members.length === 0 && names.length > 0)
        throw new PgpError(`${names.join(', ')}: no such member of ${cluster.scope}`, ExitCode.failed)
      const versions = await memberVersions(patroni, members)
      if (versions.length === 0)
        throw new RestError('unreachable', target.label, `no member of ${cluster.scope} has a REST API address`)
      this.log(['', ...versions.map(versionLine)].join('\n'))
      process.exitCode = versionsExitCode(versions)
    } finally {
      await patroni.close()
    }
  }
}
