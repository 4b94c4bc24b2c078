import {Args} from '@oclif/core'

import {PatroniCommand} from '../base-command.js'
import {completionInstances} from '../lib/shell/completion.js'

/** Called by the completion scripts on Tab: only reads directories, so it stays fast. */
export default class Complete extends PatroniCommand {
  static override args = {what: Args.string({options: ['instances'], required: true})}
  static override hidden = true
  static override summary = 'Words for shell completion (used by the completion scripts).'

  async run(): Promise<void> {
    const {flags} = await this.parse(Complete)
    const names = completionInstances(this.hostPaths(flags))
    if (names.length > 0) this.log(names.join('\n'))
  }
}
