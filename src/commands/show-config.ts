import {PatroniCommand} from '../base-command.js'
import {formatFlagsOf, instanceArg, operationFlags, outputFormat, groupFlag} from '../flags.js'
import {refuseGroup} from '../lib/instances/citus.js'
import {CONFIG_FORMATS, dynamicConfig, renderDynamicConfig} from '../lib/output/dynamic-config.js'
import {endpointOf} from '../lib/rest/client.js'
import {PatroniInstance} from '../lib/rest/instance.js'

export default class ShowConfig extends PatroniCommand {
  static override args = {instance: instanceArg}
  static override description = `The dynamic configuration that Patroni keeps in the DCS for the whole cluster (GET /config): ttl, loop_wait, postgresql.parameters, ... Not the local YAML file.`
  static override examples = [
    '<%= config.bin %> <%= command.id %> 15/main',
    '<%= config.bin %> <%= command.id %> 15/main --json',
  ]
  static override flags = {
    group: groupFlag,
    ...formatFlagsOf(CONFIG_FORMATS, 'yaml'),
    interactive: operationFlags.interactive,
  }
  static override summary = "Show the cluster's dynamic configuration (as patronictl show-config)."

  async run(): Promise<void> {
    const {args, flags} = await this.parse(ShowConfig)
    refuseGroup(flags.group)
    const options = this.connectOptions(flags)
    const target = await this.target(args.instance, flags, options, this.prompter(flags))
    const patroni = await PatroniInstance.open(target.label, target.configFile, options, target.via)
    try {
      const answer = await patroni.read('/config', 'config', (body, answeredBy) =>
        dynamicConfig(body, endpointOf(answeredBy)),
      )
      this.log(await renderDynamicConfig(answer.value, outputFormat(flags)))
    } finally {
      await patroni.close()
    }
  }
}
