import {PatroniCommand} from '../base-command.js'
import {formatFlags, instanceArg, operationFlags, outputFormat, groupFlag} from '../flags.js'
import {refuseGroup} from '../lib/instances/citus.js'
import {historyRecords, renderHistory} from '../lib/output/history.js'
import {endpointOf} from '../lib/rest/client.js'
import {PatroniInstance} from '../lib/rest/instance.js'

export default class History extends PatroniCommand {
  static override args = {instance: instanceArg}
  static override description = `One row per timeline switch, oldest first, from GET /history: TL, LSN (a byte position), Reason, Timestamp and New Leader, as patronictl history shows them.`
  static override examples = [
    '<%= config.bin %> <%= command.id %> 15/main',
    '<%= config.bin %> <%= command.id %> 15-main --format json',
  ]
  static override flags = {
    group: groupFlag,
    ...formatFlags,
    interactive: operationFlags.interactive,
  }
  static override summary = 'Show the history of failovers and switchovers (timelines).'

  async run(): Promise<void> {
    const {args, flags} = await this.parse(History)
    refuseGroup(flags.group)
    const options = this.connectOptions(flags)
    const target = await this.target(args.instance, flags, options, this.prompter(flags))
    const patroni = await PatroniInstance.open(target.label, target.configFile, options, target.via)
    try {
      const answer = await patroni.read('/history', 'history', (body, answeredBy) =>
        historyRecords(body, endpointOf(answeredBy)),
      )
      this.log(await renderHistory(answer.value, outputFormat(flags)))
    } finally {
      await patroni.close()
    }
  }
}
