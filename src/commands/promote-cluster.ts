import {PatroniCommand} from '../base-command.js'
import {instanceArg} from '../flags.js'
import {refuseGroup} from '../lib/instances/citus.js'
import {changeClusterRole} from '../lib/operations/cluster-role.js'
import {roleChangeFlags} from './demote-cluster.js'

export default class PromoteCluster extends PatroniCommand {
  static override args = {instance: instanceArg}
  static override description = `As patronictl 4.1: PATCH /config {"standby_cluster": null} on the standby leader, which then promotes; waits until the leader runs as primary, printing each change. Patroni 3.0.2 and 4.0.7 act on it the same way.`
  static override examples = ['<%= config.bin %> <%= command.id %> 15/main --force']
  static override flags = roleChangeFlags
  static override summary = 'Promote a standby cluster to run standalone (patronictl 4.1 promote-cluster).'

  async run(): Promise<void> {
    const {args, flags} = await this.parse(PromoteCluster)
    refuseGroup(flags.group)
    const io = this.operationIo(flags)
    const options = this.connectOptions(flags)
    const target = await this.target(args.instance, flags, options, io.prompter)
    const wanted = {dryRun: flags['dry-run'], force: flags.force, waitSeconds: flags['wait-timeout']}
    process.exitCode = await changeClusterRole(target, null, wanted, options, io)
  }
}
