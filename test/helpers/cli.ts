import {execFile} from 'node:child_process'
import {fileURLToPath} from 'node:url'

export interface CliResult {
  code: number
  stdout: string
  stderr: string
  ms: number
}

// PGPT_CLI: the command under test (default: this tree's bin), e.g. /usr/bin/pgpatronictl as
// installed by the .deb; PGPT_NODE: the node that runs it (default: the one running the tests).
export const BIN = process.env.PGPT_CLI || fileURLToPath(new URL('../../bin/pgpatronictl.cjs', import.meta.url))
export const NODE = process.env.PGPT_NODE || process.execPath

/**
 * Runs the built CLI as a user would: a separate process, no TTY, no stdin.
 * `asUser` runs it through runuser (root only), e.g. to see permission errors as nobody.
 */
export function runCli(args: string[], options: {env?: NodeJS.ProcessEnv; asUser?: string; timeoutMs?: number} = {}): Promise<CliResult> {
  const [command, argv] = options.asUser ? ['runuser', ['-u', options.asUser, '--', NODE, BIN, ...args]] : [NODE, [BIN, ...args]]
  const env = {...process.env, NO_COLOR: '1', NODE_ENV: '', XDG_CACHE_HOME: '/tmp/pgpt-test-cache', ...options.env}
  const started = performance.now()
  return new Promise((resolve) => {
    const child = execFile(command, argv as string[], {env, timeout: options.timeoutMs ?? 30_000}, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 124) : 0
      resolve({code, ms: performance.now() - started, stderr, stdout})
    })
    child.stdin?.end()
  })
}
