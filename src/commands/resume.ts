import Pause from './pause.js'

/** pause's mirror image: the same flags and wait, with {"pause": null}. */
export default class Resume extends Pause {
  static override args = Pause.args // oclif's parse copies only a command's own statics
  static override flags = Pause.flags
  static override description =
    'Sends PATCH /config {"pause": null} to the leader, without asking (as patronictl). With --wait, returns once every member reports it.'
  static override examples = [
    '<%= config.bin %> <%= command.id %> 15/main --wait',
    '<%= config.bin %> <%= command.id %> 15/main --dry-run',
  ]
  static override summary = 'End maintenance mode: Patroni manages the cluster again.'
  protected override readonly action = 'resume'
}
