import {readFileSync} from 'node:fs'

import {PgpError, ExitCode, describeFsError, usageError} from '../errors.js'

/** The SQL of -c or -f (- is stdin), as patronictl: exactly one of them. */
export function querySql(flags: {command?: string; file?: string}): string {
  if (flags.command !== undefined && flags.file !== undefined)
    throw usageError('--file and --command are mutually exclusive options')
  if (flags.command !== undefined) return flags.command
  if (flags.file === undefined) throw usageError('You need to specify either --command or --file')
  try {
    return readFileSync(flags.file === '-' ? 0 : flags.file, 'utf8')
  } catch (error) {
    throw new PgpError(describeFsError(error, flags.file), ExitCode.usage)
  }
}
