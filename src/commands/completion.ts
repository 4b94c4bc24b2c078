import {Args, type Command} from '@oclif/core'

import {PatroniCommand} from '../base-command.js'
import {type CompletionCommand, SHELLS, completionScript} from '../lib/shell/completion.js'

export default class Completion extends PatroniCommand {
  static override args = {shell: Args.string({description: 'bash or zsh.', options: [...SHELLS], required: true})}
  static override description = `Prints a script that completes command names, each command's flags and their values, and instance names (read from the config directory, as --config-dir says, when you press Tab; no REST call).
bash: source <(pgpatronictl completion bash), or save it as /etc/bash_completion.d/pgpatronictl.
zsh: source <(pgpatronictl completion zsh), or save it as _pgpatronictl in a directory of $fpath.`
  static override examples = [
    'source <(<%= config.bin %> <%= command.id %> bash)',
    '<%= config.bin %> <%= command.id %> bash > /etc/bash_completion.d/<%= config.bin %>',
  ]
  static override summary = 'Print a shell completion script for bash or zsh.'

  async run(): Promise<void> {
    const {args} = await this.parse(Completion)
    const commands = this.config.commands.filter((c) => !c.hidden).map(describe)
    this.log(completionScript(args.shell as (typeof SHELLS)[number], this.config.bin, commands).trimEnd())
  }
}

/** The command map as oclif caches it (base flags included), reduced to what a shell needs. */
function describe(command: Command.Loadable): CompletionCommand {
  const flags = Object.values(command.flags)
    .filter((f) => !f.hidden)
    .map((f) => ({
      aliases: f.aliases,
      allowNo: f.type === 'boolean' && f.allowNo,
      char: f.char,
      name: f.name,
      options: f.type === 'option' ? f.options : undefined,
      summary: f.summary ?? f.description,
      takesValue: f.type === 'option',
      values:
        f.name === 'config-dir' ? ('directory' as const) : f.name === 'config-file' ? ('file' as const) : undefined,
    }))
  const instances = /\[INSTANCE\.\.\.\]/.test(String(command.usage ?? ''))
    ? 'many'
    : command.args.instance
      ? 'one'
      : 'none'
  const choices = Object.values(command.args)[0]?.options
  return {choices, flags, id: command.id, instances, summary: command.summary}
}
