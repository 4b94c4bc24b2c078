import {type ChildProcess, execFile, spawn} from 'node:child_process'
import {chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'

export interface CliResult {
  code: number
  stdout: string
  stderr: string
  ms: number
}

const ROOT = join(import.meta.dirname, '..', '..')
// PGPT_CLI: the command under test (default: this tree's bin), e.g. /usr/bin/pgpatronictl as
// installed by the .deb; PGPT_NODE: the node that runs it (default: the one running the tests).
const INSTALLED = process.env.PGPT_CLI
export const BIN = INSTALLED || join(ROOT, 'bin', 'pgpatronictl.cjs')
export const NODE = process.env.PGPT_NODE || process.execPath

let publicBin: string | undefined
let publicNode: string | undefined

/**
 * The files the package ships (package.json `files`), copied to a world-readable directory: a
 * clone may live where other users cannot read it (a 0700 home), and an installed copy never does.
 * A PGPT_NODE (which may live in the clone too) is copied there as well.
 */
export function shippedCopy(): {bin: string; node: string} {
  if (publicBin && publicNode) return {bin: publicBin, node: publicNode}
  const dir = mkdtempSync(join(tmpdir(), 'pgpt-shipped-'))
  chmodSync(dir, 0o755)
  process.on('exit', () => rmSync(dir, {force: true, recursive: true}))
  publicNode = process.env.PGPT_NODE ? join(dir, 'node') : NODE
  if (process.env.PGPT_NODE) {
    copyFileSync(NODE, publicNode)
    chmodSync(publicNode, 0o755)
  }
  if (INSTALLED) return {bin: (publicBin = INSTALLED), node: publicNode}
  const files = ['package.json', ...(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).files as string[])]
  for (const file of files) {
    mkdirSync(dirname(join(dir, file)), {mode: 0o755, recursive: true})
    copyFileSync(join(ROOT, file), join(dir, file))
    chmodSync(join(dir, file), file.startsWith('bin/') ? 0o755 : 0o644)
  }
  return {bin: (publicBin = join(dir, 'bin', 'pgpatronictl.cjs')), node: publicNode}
}

/**
 * Runs the built CLI as a user would: a separate process, no TTY, no stdin.
 * `asUser` runs the shipped files as that user through runuser (root only), e.g. to see
 * permission errors as nobody.
 */
export function runCli(
  args: string[],
  options: {env?: NodeJS.ProcessEnv; asUser?: string; timeoutMs?: number} = {},
): Promise<CliResult> {
  const shipped = options.asUser ? shippedCopy() : undefined
  const [command, argv] = shipped
    ? ['runuser', ['-u', options.asUser!, '--', shipped.node, shipped.bin, ...args]]
    : [NODE, [BIN, ...args]]
  // XDG_CACHE_HOME: the run's own (test/helpers/global-setup.ts), unless a test gives one
  const env = {...process.env, NO_COLOR: '1', NODE_ENV: '', ...options.env}
  const cwd = shipped ? '/' : undefined // another user may not enter a 0700 clone (its psql would say so)
  const timeoutMs = options.timeoutMs ?? 90_000 // a hang guard above the tool's own bounds (a switchover: 70 s)
  const started = performance.now()
  return new Promise((resolve) => {
    const child = execFile(command, argv as string[], {cwd, env, timeout: timeoutMs}, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 124) : 0
      // said, so a test that reads its output first does not fail on a puzzling half of it
      if (error?.killed) stderr += `[runCli: killed after ${timeoutMs} ms; give it a longer timeoutMs]\n`
      resolve({code, ms: performance.now() - started, stderr, stdout})
    })
    child.stdin?.end()
  })
}

/**
 * The built CLI as a child the test can signal: `output()` is what it printed so far, `done`
 * its end (no TTY, no stdin, as runCli).
 */
export function startCli(
  args: string[],
  options: {env?: NodeJS.ProcessEnv} = {},
): {child: ChildProcess; output: () => {stderr: string; stdout: string}; done: Promise<CliResult>} {
  const started = performance.now()
  const child = spawn(NODE, [BIN, ...args], {
    env: {...process.env, NO_COLOR: '1', NODE_ENV: '', ...options.env},
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout!.on('data', (chunk) => (stdout += chunk))
  child.stderr!.on('data', (chunk) => (stderr += chunk))
  const done = new Promise<CliResult>((resolve) =>
    child.on('close', (code) => resolve({code: code ?? 128, ms: performance.now() - started, stderr, stdout})),
  )
  return {child, done, output: () => ({stderr, stdout})}
}

/** Resolves once `test` holds for the CLI's output so far (polled), or rejects after `timeoutMs`. */
export async function outputShows(
  cli: {output: () => {stderr: string; stdout: string}},
  test: (out: {stderr: string; stdout: string}) => boolean,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!test(cli.output())) {
    if (Date.now() > deadline)
      throw new Error(`the CLI never showed what was awaited; so far:\n${JSON.stringify(cli.output())}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}
