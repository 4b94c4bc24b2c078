import {MAX_FILE_BYTES} from './config/files.js'

/** Exit codes are part of the interface: scripts branch on them (README "Exit codes"). */
export const ExitCode = {
  ok: 0,
  failed: 1, // Patroni refused, or the operation failed
  usage: 2, // invalid usage or input
  config: 3, // instance or its configuration missing, unreadable or invalid
  unreachable: 4, // cluster unreachable or timed out
  aborted: 5, // aborted by the user
  unhealthy: 6, // list --fleet: read completely, and a cluster has a problem
} as const

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode]

/** An expected failure: printed as one line, mapped to an exit code, no stack trace. */
export class PgpError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCodeValue,
    options?: {cause?: unknown},
  ) {
    super(message, options)
    this.name = 'PgpError'
  }
}

export const usageError = (message: string) => new PgpError(message, ExitCode.usage)
export const configError = (message: string) => new PgpError(message, ExitCode.config)

/** Node's errno codes for file access, in words an admin acts on. */
export function describeFsError(error: unknown, file: string): string {
  const code = (error as NodeJS.ErrnoException)?.code
  switch (code) {
    case 'ENOENT':
      return `${file} does not exist`
    case 'EACCES':
    case 'EPERM':
      return `cannot read ${file}: permission denied`
    case 'EISDIR':
      return `${file} is a directory, not a file`
    case 'ENOTREG':
      return `${file} is not a regular file (a FIFO, socket or device is never read)`
    case 'EFBIG':
      return `${file} is too large (over ${MAX_FILE_BYTES / 1024 / 1024} MiB) to be a configuration file`
    default:
      return `cannot read ${file}: ${(error as Error)?.message ?? String(error)}`
  }
}
