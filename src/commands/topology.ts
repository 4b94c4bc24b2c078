import {PatroniCommand} from '../base-command.js'
import {instanceArg, operationFlags} from '../flags.js'
import {viewOf} from '../lib/list/list.js'
import {renderTopology} from '../lib/output/topology.js'

export default class Topology extends PatroniCommand {
  static override args = {instance: instanceArg}
  static override description = `The member table of list, as a tree: the leader first, each replica indented under the member it replicates from (its replicatefrom tag, else the leader), as patronictl topology draws it.`
  static override examples = ['<%= config.bin %> <%= command.id %> 15/main']
  static override flags = {interactive: operationFlags.interactive}
  static override summary = 'Show the members of an instance as a replication tree.'

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Topology)
    const options = this.connectOptions(flags)
    const target = await this.target(args.instance, flags, options, this.prompter(flags))
    this.log(renderTopology(await viewOf(target, options)))
  }
}
