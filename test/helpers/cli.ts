import {execFile} from 'node:child_process'
import {join} from 'node:path'

export interface CliResult {
  code: number
  stdout: string
  stderr: string
  ms: number
}

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'pgpatronictl.cjs')

/**
 * Runs the built CLI as a user would: a separate process, no TTY, no stdin.
 * `asUser` runs it through runuser (root only), e.g. to see permission errors as nobody.
 */
export function runCli(args: string[], options: {env?: NodeJS.ProcessEnv; asUser?: string; timeoutMs?: number} = {}): Promise<CliResult> {
  const [command, argv] = options.asUser ? ['runuser', ['-u', options.asUser, '--', process.execPath, BIN, ...args]] : [process.execPath, [BIN, ...args]]
  // XDG_CACHE_HOME: the run's own (test/helpers/global-setup.ts), unless a test gives one
  const env = {...process.env, NO_COLOR: '1', NODE_ENV: '', ...options.env}
  const started = performance.now()
  return new Promise((resolve) => {
    const child = execFile(command, argv as string[], {env, timeout: options.timeoutMs ?? 30_000}, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 124) : 0
      resolve({code, ms: performance.now() - started, stderr, stdout})
    })
    child.stdin?.end()
  })
}
