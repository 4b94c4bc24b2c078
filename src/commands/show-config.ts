import {Flags} from '@oclif/core'

import {PatroniCommand} from '../base-command.js'
import {instanceArg, operationFlags} from '../flags.js'
import {CONFIG_FORMATS, type ConfigFormat, dynamicConfig, renderDynamicConfig} from '../lib/output/dynamic-config.js'
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
    format: Flags.option({
      char: 'f',
      default: 'yaml' as ConfigFormat,
      options: CONFIG_FORMATS,
      summary: 'Output format.',
    })(),
    interactive: operationFlags.interactive,
    json: Flags.boolean({summary: 'Same as --format json.'}),
  }
  static override summary = "Show the cluster's dynamic configuration (as patronictl show-config)."

  async run(): Promise<void> {
    const {args, flags} = await this.parse(ShowConfig)
    const options = this.connectOptions(flags)
    const target = await this.target(args.instance, flags, options, this.prompter(flags))
    const patroni = await PatroniInstance.open(target.label, target.configFile, options)
    try {
      const answer = await patroni.read('/config', 'config', (body, answeredBy) =>
        dynamicConfig(body, endpointOf(answeredBy)),
      )
      this.log(await renderDynamicConfig(answer.value, flags.json ? 'json' : flags.format))
    } finally {
      await patroni.close()
    }
  }
}
