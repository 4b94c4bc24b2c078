import {usageError} from '../errors.js'

/** patronictl's --group selects a Citus group: pgpatronictl manages no Citus cluster, and says so. */
export function refuseGroup(group: number | undefined): void {
  if (group !== undefined) throw usageError('--group: Citus groups are not supported')
}
