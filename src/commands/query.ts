import {Flags} from '@oclif/core'

import {PatroniCommand} from '../base-command.js'
import {dcsUrlFlag, groupFlag, instanceArg, operationFlags, secondsFlag} from '../flags.js'
import {PgpError, usageError} from '../lib/errors.js'
import {repeatEvery} from '../lib/output/watch.js'
import {QUERY_ROLES, chooseQueryMember, psqlTargetFor} from '../lib/query/member.js'
import {QUERY_FORMATS, renderQuery} from '../lib/query/render.js'
import {querySql} from '../lib/query/input.js'
import {refuseGroup} from '../lib/instances/citus.js'
import {runQuery} from '../lib/query/run.js'
import {PatroniInstance} from '../lib/rest/instance.js'

const {'config-file': configFile, ...base} = PatroniCommand.baseFlags

export default class Query extends PatroniCommand {
  static override args = {instance: instanceArg}
  // -c is the SQL and -d the database here, as in patronictl query: the config file is --config-file
  // and the DCS --dcs-url (or -c/-d before the command)
  static override baseFlags = {...base, 'config-file': {...configFile, char: undefined}, 'dcs-url': dcsUrlFlag()}
  static override description = `Runs SQL through psql on a member chosen by role (default: the leader) or name, as patronictl query, and prints the last result. This host's member is reached through its Unix socket directory (Debian: peer authentication, run as postgres), the others at their connect_address (password from ~/.pgpass, $PGPASSWORD or --password; never on a command line). A SQL error exits 1, no connection 4.`
  static override examples = [
    "sudo -u postgres <%= config.bin %> <%= command.id %> 15/main -c 'select 1 as a' --format json",
    '<%= config.bin %> <%= command.id %> 15/main -r replica -U report -d app --password -f report.sql',
  ]
  static override flags = {
    command: Flags.string({char: 'c', exclusive: ['file'], summary: 'The SQL to run.'}),
    dbname: Flags.string({char: 'd', summary: 'Database to connect to (default: the user name).'}),
    delimiter: Flags.string({default: '\t', summary: 'The column delimiter of --format tsv.'}),
    file: Flags.string({char: 'f', summary: 'Run the SQL in this file (- for stdin).'}),
    format: Flags.option({default: 'tsv', options: QUERY_FORMATS, summary: 'Output format (yml = yaml).'})(),
    group: groupFlag,
    interactive: operationFlags.interactive,
    member: Flags.string({char: 'm', exclusive: ['role'], summary: 'Query this member.'}),
    password: Flags.boolean({summary: 'Ask for the password (kept from the command line and the screen).'}),
    role: Flags.option({char: 'r', options: QUERY_ROLES, summary: 'Query a member of this role (default leader).'})(),
    tcp: Flags.boolean({summary: "Reach this host's member at its TCP address, not its socket directory."}),
    username: Flags.string({char: 'U', summary: 'Database user name (default: the login name).'}),
    watch: secondsFlag(86_400)({char: 'w', summary: 'Run again every SECONDS until Ctrl-C.'}),
    W: Flags.boolean({char: 'W', summary: 'Run again every 2 seconds until Ctrl-C.'}),
  }
  static override summary = 'Run SQL on a member of an instance (patronictl query).'

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Query)
    refuseGroup(flags.group)
    const sql = querySql(flags)
    const options = this.connectOptions(flags)
    const prompter = this.prompter(flags)
    const target = await this.target(args.instance, flags, options, prompter)
    if (flags.password && !prompter.interactive)
      throw usageError('--password needs a terminal: use ~/.pgpass or $PGPASSWORD')
    const password = flags.password ? await prompter.secret('Password') : undefined
    const patroni = await PatroniInstance.open(target.label, target.configFile, options)
    const interval = flags.W ? 2 : flags.watch
    try {
      await repeatEvery(interval, async () => {
        const chosen = chooseQueryMember(await patroni.cluster(), {member: flags.member, role: flags.role})
        const psql = psqlTargetFor(chosen, patroni.config, {
          ...{connectTimeoutS: options.timeoutMs / 1000, dbname: flags.dbname, password, tcp: flags.tcp},
          user: flags.username,
        })
        try {
          const result = await runQuery(sql, psql, `${patroni.scope} ${chosen.member.name}`)
          const text = await renderQuery(result, flags.format, flags.delimiter)
          if (text) this.log(text)
          if (interval) process.exitCode = 0
        } catch (error) {
          if (!interval || !(error instanceof PgpError)) throw error
          this.report('Error', error.message) // a watch goes on, as patronictl's
          process.exitCode = error.exitCode
        }
      })
    } finally {
      await patroni.close()
    }
  }
}
