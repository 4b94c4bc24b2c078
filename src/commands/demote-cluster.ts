import {Flags} from '@oclif/core'

import {PatroniCommand} from '../base-command.js'
import {groupFlag, instanceArg, operationFlags, secondsFlag} from '../flags.js'
import {refuseGroup} from '../lib/instances/citus.js'
import {changeClusterRole, standbyConfig} from '../lib/operations/cluster-role.js'

/** Flags of demote-cluster and promote-cluster. */
export const roleChangeFlags = {
  ...operationFlags,
  group: groupFlag,
  'wait-timeout': secondsFlag(86_400)({
    default: 300,
    summary: 'Seconds to wait for the new role (default 300); Patroni goes on after that.',
  }),
}

export default class DemoteCluster extends PatroniCommand {
  static override args = {instance: instanceArg}
  static override description = `As patronictl 4.1: PATCH /config {"standby_cluster": {...}} on the leader, which then follows the remote primary (--host/--port, or --restore-command) as standby leader; waits until it runs so, printing each change. Patroni 3.0.2 and 4.0.7 act on it the same way.`
  static override examples = [
    '<%= config.bin %> <%= command.id %> 15/main --host 10.0.0.9 --port 5432 --primary-slot-name standby_dc2',
  ]
  static override flags = {
    ...roleChangeFlags,
    host: Flags.string({summary: 'Address of the remote primary.'}),
    port: Flags.integer({min: 1, max: 65_535, summary: 'Port of the remote primary.'}),
    'primary-slot-name': Flags.string({summary: 'Replication slot to use on the remote primary.'}),
    'restore-command': Flags.string({summary: 'Command that restores WAL from the remote primary’s archive.'}),
  }
  static override summary = 'Demote the cluster of an instance to a standby cluster (patronictl 4.1 demote-cluster).'

  async run(): Promise<void> {
    const {args, flags} = await this.parse(DemoteCluster)
    refuseGroup(flags.group)
    const standby = standbyConfig({
      host: flags.host,
      port: flags.port,
      primarySlotName: flags['primary-slot-name'],
      restoreCommand: flags['restore-command'],
    })
    const io = this.operationIo(flags)
    const options = this.connectOptions(flags)
    const target = await this.target(args.instance, flags, options, io.prompter)
    const wanted = {dryRun: flags['dry-run'], force: flags.force, waitSeconds: flags['wait-timeout']}
    process.exitCode = await changeClusterRole(target, standby, wanted, options, io)
  }
}
