import {PatroniCommand} from '../base-command.js'
import {instanceArg} from '../flags.js'
import {RestError} from '../lib/rest/client.js'
import {PatroniInstance} from '../lib/rest/instance.js'
import {Prompter} from '../lib/prompt/prompt.js'
import {memberVersions, versionLine, versionsExitCode} from '../lib/output/versions.js'

export default class Version extends PatroniCommand {
  static override args = {instance: instanceArg}
  static override description = `pgpatronictl's version; with an instance, also the Patroni and PostgreSQL version of each member (GET /patroni on every member at once, each within --timeout). Exits 4 only when no member answered.`
  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> 15/main']
  static override summary = 'Show the version of pgpatronictl, and of Patroni and PostgreSQL on each member.'

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Version)
    this.log(`${this.config.bin} version ${this.config.version}`)
    if (!args.instance && !flags['config-file']) return // like patronictl: no instance, no REST
    const options = this.connectOptions(flags)
    const target = await this.target(args.instance, flags, options, new Prompter(false))
    const patroni = await PatroniInstance.open(target.label, target.configFile, options, target.via)
    try {
      const cluster = await patroni.cluster()
      const versions = await memberVersions(patroni, cluster.members)
      if (versions.length === 0)
        throw new RestError('unreachable', target.label, `no member of ${cluster.scope} has a REST API address`)
      this.log(['', ...versions.map(versionLine)].join('\n'))
      process.exitCode = versionsExitCode(versions)
    } finally {
      await patroni.close()
    }
  }
}
