import {Flags} from '@oclif/core'

import {PatroniCommand} from '../base-command.js'
import {formatFlags, outputFormat, secondsFlag, groupFlag} from '../flags.js'
import {refuseGroup} from '../lib/instances/citus.js'
import {usageError} from '../lib/errors.js'
import {listClusters, listHost, listTargets} from '../lib/list/list.js'
import {repeatEvery, timestampLine} from '../lib/output/watch.js'

export default class List extends PatroniCommand {
  static override description = `Without an instance: one row per PostgreSQL instance on this host (pg-common clusters and Patroni configs), with each Patroni cluster's state from its REST API, probed concurrently.
With instances: their members, like patronictl list.
With --fleet: every Patroni cluster in the DCS, whichever host runs it, one row each with its problems marked (exit 6 when one has a problem).`
  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> 15/main',
    '<%= config.bin %> <%= command.id %> 15/main 16/reporting --format json',
    '<%= config.bin %> <%= command.id %> 15-main --extended --watch 5',
    '<%= config.bin %> <%= command.id %> --fleet',
    '<%= config.bin %> <%= command.id %> --fleet --problems -d etcd3://10.0.0.1:2379 -f json',
    '<%= config.bin %> -d etcd3://10.0.0.1:2379/postgresql-common/ <%= command.id %> 15-main',
  ]
  static override flags = {
    group: groupFlag,
    ...formatFlags,
    extended: Flags.boolean({
      char: 'e',
      summary:
        'Add Pending restart, Pending restart reason (Patroni 3.3+), Scheduled restart and Tags columns (with --fleet: a row per member).',
    }),
    fleet: Flags.boolean({
      summary:
        "Every Patroni cluster in the DCS (the namespaces of this host's instance configs), read in one request, never written.",
    }),
    namespace: Flags.string({
      dependsOn: ['fleet'],
      multiple: true,
      multipleNonGreedy: true,
      summary: "With --fleet: the namespace to read (repeatable; default: the configs', else /postgresql-common/).",
    }),
    problems: Flags.boolean({dependsOn: ['fleet'], summary: 'With --fleet: only the clusters that have a problem.'}),
    ttl: Flags.boolean({
      dependsOn: ['fleet'],
      summary: "With --fleet: also ask each member key's time to live (etcd3: a request per member).",
    }),
    timestamp: Flags.boolean({char: 't', summary: 'Print the time before each listing.'}),
    watch: secondsFlag(86_400)({char: 'w', summary: 'Refresh every SECONDS until Ctrl-C.'}),
    W: Flags.boolean({char: 'W', summary: 'Refresh every 2 seconds until Ctrl-C.'}),
  }
  static override strict = false
  static override summary =
    'List the instances on this host, the members of an instance, or (--fleet) every cluster in the DCS.'
  static override usage = '<%= command.id %> [INSTANCE...] [FLAGS]'

  async run(): Promise<void> {
    const {argv, flags} = await this.parse(List)
    refuseGroup(flags.group)
    if (flags.fleet && argv.length > 0) throw usageError('--fleet lists every cluster in the DCS: give no instance')
    const paths = this.hostPaths(flags)
    const options = this.connectOptions(flags)
    const format = outputFormat(flags)
    const color = Boolean(process.stdout.isTTY && !process.env.NO_COLOR)
    // the fleet view is loaded only when asked for: plain listings do not pay for it
    const fleet = flags.fleet ? await import('../lib/fleet/view.js') : undefined
    const memory = new Map() // --watch: the members each refresh saw
    const given = {configFile: flags['config-file'], dcsUrl: this.dcsUrl(flags, argv.length > 0)}
    const targets = fleet ? [] : await listTargets(argv as string[], given, paths, {insecure: flags.insecure})
    const interval = flags.W ? 2 : flags.watch
    await repeatEvery(interval, async () => {
      const listing = fleet
        ? await fleet.listFleet(
            {
              configFile: flags['config-file'],
              dcsUrl: this.dcsUrl(flags, true),
              insecure: flags.insecure,
              namespaces: flags.namespace ?? [],
              paths,
            },
            {color, format, members: flags.extended, problemsOnly: flags.problems},
            {...options, memory, ttl: flags.ttl},
          )
        : targets.length === 0
          ? await listHost(paths, options, format, color)
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
