import {Flags} from '@oclif/core'

import {PatroniCommand} from '../base-command.js'
import {formatFlags, outputFormat, secondsFlag} from '../flags.js'
import {bothGiven} from '../lib/instance-choice.js'
import {parseInstanceName} from '../lib/instance-name.js'
import {type InstanceTarget, listClusters, listHost, targetFor} from '../lib/listing.js'
import {repeatEvery, timestampLine} from '../lib/watch.js'

export default class List extends PatroniCommand {
  static override description = `Without an instance: one row per PostgreSQL instance on this host (pg-common clusters and Patroni configs), with each Patroni cluster's state from its REST API, probed concurrently.
With instances: their members, like patronictl list.`
  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> 15/main',
    '<%= config.bin %> <%= command.id %> 15/main 16/reporting --format json',
    '<%= config.bin %> <%= command.id %> 15-main --extended --watch 5',
  ]
  static override flags = {
    ...formatFlags,
    extended: Flags.boolean({char: 'e', summary: 'Add Pending restart, Scheduled restart and Tags columns.'}),
    timestamp: Flags.boolean({char: 't', summary: 'Print the time before each listing.'}),
    watch: secondsFlag(86_400)({char: 'w', summary: 'Refresh every SECONDS until Ctrl-C.'}),
    W: Flags.boolean({char: 'W', summary: 'Refresh every 2 seconds until Ctrl-C.'}),
  }
  static override strict = false
  static override summary = 'List the instances on this host, or the members of an instance.'
  static override usage = '<%= command.id %> [INSTANCE...] [FLAGS]'

  async run(): Promise<void> {
    const {argv, flags} = await this.parse(List)
    if (flags['config-file'] && argv.length > 0) throw bothGiven(String(argv[0]))
    const names = (argv as string[]).map(parseInstanceName)
    const paths = this.hostPaths(flags)
    const options = this.connectOptions(flags)
    const format = outputFormat(flags)
    const targets: InstanceTarget[] = flags['config-file']
      ? [{configFile: flags['config-file'], label: flags['config-file']}]
      : names.map((name) => targetFor(name, paths))
    const interval = flags.W ? 2 : flags.watch
    await repeatEvery(interval, async () => {
      const listing =
        targets.length === 0
          ? await listHost(paths, options, format, process.stdout.isTTY && !process.env.NO_COLOR)
          : await listClusters(targets, options, format, flags.extended)
      if (interval && process.stdout.isTTY) process.stdout.write('\u001B[H\u001B[2J')
      if (flags.timestamp) this.log(timestampLine())
      if (listing.text !== undefined) this.log(listing.text)
      for (const line of listing.warnings) this.report('Warning', line)
      for (const line of listing.errors) this.report('Error', line)
      process.exitCode = listing.exitCode
    })
  }
}
