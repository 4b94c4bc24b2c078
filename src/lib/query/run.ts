import {ExitCode, PgpError} from '../errors.js'
import {type PsqlTarget, parsePsqlOutput, psqlFailure, psqlRun} from './psql.js'
import type {QueryResult} from './result.js'

/** psql, from $PATH (Debian's pg_wrapper picks the newest client) unless $PGPATRONICTL_PSQL names one. */
const psqlBinary = (env: NodeJS.ProcessEnv): string => env.PGPATRONICTL_PSQL || 'psql'

/**
 * Runs `sql` on one member through psql and returns its last result. `where` names the member in
 * errors. Ctrl-C reaches psql too (same process group), which cancels the query.
 */
export async function runQuery(
  sql: string,
  target: PsqlTarget,
  where: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<QueryResult> {
  const {spawn} = await import('node:child_process')
  const run = psqlRun(sql, target, env)
  const binary = psqlBinary(env)
  const {code, stdout, stderr} = await new Promise<{code: number | null; stdout: string; stderr: string}>(
    (resolve, reject) => {
      const child = spawn(binary, run.args, {env: run.env, stdio: ['pipe', 'pipe', 'pipe']})
      const out: Buffer[] = []
      const err: Buffer[] = []
      child.stdout.on('data', (chunk: Buffer) => out.push(chunk))
      child.stderr.on('data', (chunk: Buffer) => err.push(chunk))
      child.on('error', (error: NodeJS.ErrnoException) =>
        reject(
          error.code === 'ENOENT'
            ? new PgpError(`${binary} not found: install postgresql-client`, ExitCode.config)
            : error,
        ),
      )
      child.on('close', (status) =>
        resolve({
          code: status,
          stderr: Buffer.concat(err).toString('utf8'),
          stdout: Buffer.concat(out).toString('utf8'),
        }),
      )
      child.stdin.on('error', () => {}) // psql that failed to connect closes its stdin: its exit status says why
      child.stdin.end(run.script)
    },
  )
  const failure = psqlFailure(code, stderr, run.nonce, where)
  if (failure) throw failure
  return parsePsqlOutput(stdout, run.nonce)
}
