import {Args, Command, loadHelpClass} from '@oclif/core'

/** patronictl's `help [COMMAND]`: the same text as `--help` (argv preparation has checked the name). */
export default class Help extends Command {
  static override args = {command: Args.string({description: 'The command to explain.'})}
  static override summary = 'Show the help of pgpatronictl, or of one command (as COMMAND --help).'
  static override usage = '<%= command.id %> [COMMAND]'

  async run(): Promise<void> {
    const {args} = await this.parse(Help)
    const HelpClass = await loadHelpClass(this.config)
    await new HelpClass(this.config).showHelp(args.command ? [args.command] : [])
  }
}
