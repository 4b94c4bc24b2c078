import {Flags} from '@oclif/core'

import {PatroniCommand} from '../base-command.js'
import {formatFlags, outputFormat} from '../flags.js'
import {auditHost, instanceOfConfigFile} from '../lib/check/check.js'
import {auditExitCode, renderAudit} from '../lib/check/findings.js'
import {parseInstanceName} from '../lib/instances/names.js'
import {usageError} from '../lib/errors.js'

export default class Check extends PatroniCommand {
  static override description = `Audits the instances on this host (all, or those named) for the mistakes that break Debian Patroni setups: config file access and secrets, an open REST API, disagreement with pg-common (start.conf, ports, scope, namespace, paths, systemd units), port and scope collisions between instances, and, through each REST API, the cluster's leader, lag, timelines, pending restarts and pause.
Exit 0 when nothing is an error, 1 otherwise.`
  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> 15/main --no-live',
    '<%= config.bin %> <%= command.id %> --json',
  ]
  static override flags = {
    ...formatFlags,
    live: Flags.boolean({
      allowNo: true,
      default: true,
      summary: 'Also ask each Patroni REST API (--no-live checks the files only).',
    }),
    'systemd-dir': Flags.string({
      hidden: true,
      summary: 'Where systemctl enable puts its links (default /etc/systemd/system).',
    }),
  }
  static override strict = false
  static override summary = 'Audit the Patroni instances on this host for common mistakes.'
  static override usage = '<%= command.id %> [INSTANCE...] [FLAGS]'

  async run(): Promise<void> {
    const {argv, flags} = await this.parse(Check)
    if (flags['dcs-url'])
      throw usageError(
        'check audits the instances on this host and reads no DCS: -d/--dcs-url is not for it (list --fleet -d URL shows the clusters in a DCS)',
      )
    const names = (argv as string[]).map(parseInstanceName)
    const explicit = flags['config-file'] ? instanceOfConfigFile(flags['config-file']) : undefined
    const paths = {
      ...this.hostPaths({'config-dir': explicit?.configDir ?? flags['config-dir']}),
      systemdDir: flags['systemd-dir'] ?? process.env.PGPATRONICTL_SYSTEMD_DIR ?? '/etc/systemd/system',
    }
    const report = await auditHost(paths, explicit ? [explicit.name] : names, {
      connect: this.connectOptions(flags),
      live: flags.live,
    })
    this.log(await renderAudit(report, outputFormat(flags), Boolean(process.stdout.isTTY) && !process.env.NO_COLOR))
    process.exitCode = auditExitCode(report)
  }
}
