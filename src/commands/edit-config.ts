import {Flags} from '@oclif/core'

import {PatroniCommand} from '../base-command.js'
import {groupFlag, instanceArg, operationFlags} from '../flags.js'
import {refuseGroup} from '../lib/instances/citus.js'
import {runEditConfig} from '../lib/operations/edit-config.js'

export default class EditConfig extends PatroniCommand {
  static override args = {instance: instanceArg}
  static override description =
    'Edits the dynamic configuration in $EDITOR, or with --set/--pg/--apply/--replace; shows a diff and asks before sending PATCH /config (PUT with --replace). If someone else changed the configuration meanwhile, nothing is applied.'
  static override examples = [
    '<%= config.bin %> <%= command.id %> 15/main',
    '<%= config.bin %> <%= command.id %> 15/main --set ttl=25 --set loop_wait=5 --force',
    '<%= config.bin %> <%= command.id %> 15/main --pg max_connections=200 --pg work_mem=null',
    '<%= config.bin %> <%= command.id %> 15/main --apply changes.yml --dry-run',
  ]
  static override flags = {
    group: groupFlag,
    ...operationFlags,
    apply: Flags.string({summary: 'Merge the YAML in FILE (- for stdin) into the configuration.'}),
    pg: Flags.string({
      char: 'p',
      multiple: true,
      summary: 'Set postgresql.parameters.NAME=VALUE (VALUE null removes it).',
    }),
    quiet: Flags.boolean({char: 'q', summary: 'Do not show the changes.'}),
    replace: Flags.string({
      exclusive: ['apply'],
      summary: 'Replace the whole configuration with the YAML in FILE (- for stdin), with PUT.',
    }),
    set: Flags.string({
      char: 's',
      multiple: true,
      summary: 'Set KEY.PATH=VALUE; VALUE is YAML (null removes the key).',
    }),
  }
  static override summary = 'Change the cluster-wide Patroni configuration (the one in the DCS).'

  async run(): Promise<void> {
    const {args, flags} = await this.parse(EditConfig)
    refuseGroup(flags.group)
    const io = this.operationIo(flags)
    const options = this.connectOptions(flags)
    const target = await this.target(args.instance, flags, options, io.prompter)
    const wanted = {
      apply: flags.apply,
      dryRun: flags['dry-run'],
      force: flags.force,
      pg: flags.pg ?? [],
      quiet: flags.quiet,
      replace: flags.replace,
      set: flags.set ?? [],
    }
    process.exitCode = await runEditConfig(target, wanted, options, io)
  }
}
