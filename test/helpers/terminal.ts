import {execFileSync} from 'node:child_process'
import {randomBytes} from 'node:crypto'

import {BIN as CLI, NODE} from './cli.js'

const quote = (s: string) => `'${s.replaceAll("'", "'\\''")}'`

/**
 * pgpatronictl in a real pseudo-terminal (a detached tmux session), driven by keys as a user
 * would: the only honest way to test prompts. The exit code is printed as `EXIT=n` on screen.
 */
export class Terminal {
  private static readonly open = new Set<Terminal>()

  private constructor(readonly session: string) {
    Terminal.open.add(this)
  }

  /** For afterAll: a test that failed half-way leaves no session (and no CLI) behind. */
  static closeAll(): void {
    for (const term of Terminal.open) term.close()
  }

  static start(args: string[], env: Record<string, string> = {}): Terminal {
    const session = `pgpt-${randomBytes(4).toString('hex')}`
    // tmux runs the command in its server's environment, not ours: pass the run's private cache and mark
    const own = {PGPT_TEST_RUN: process.env.PGPT_TEST_RUN ?? '', XDG_CACHE_HOME: process.env.XDG_CACHE_HOME ?? ''}
    const assignments = Object.entries({...own, ...env})
      .map(([k, v]) => `${k}=${quote(v)}`)
      .join(' ')
    const command = `env ${assignments} ${quote(NODE)} ${quote(CLI)} ${args.map(quote).join(' ')}; echo EXIT=$?; sleep 600`
    execFileSync('tmux', ['new-session', '-d', '-s', session, '-x', '160', '-y', '50', command])
    return new Terminal(session)
  }

  /** tmux key names: Enter, Escape, Down, Up, Space, C-c, or literal text with `literal`. */
  keys(...keys: string[]): this {
    execFileSync('tmux', ['send-keys', '-t', this.session, ...keys])
    return this
  }

  type(text: string): this {
    execFileSync('tmux', ['send-keys', '-t', this.session, '-l', text])
    return this
  }

  screen(): string {
    return execFileSync('tmux', ['capture-pane', '-p', '-t', this.session, '-S', '-200'], {encoding: 'utf8'})
  }

  async waitFor(pattern: RegExp, timeoutMs = 30_000): Promise<string> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const text = this.screen()
      if (pattern.test(text)) return text
      if (Date.now() > deadline) throw new Error(`terminal never showed ${pattern}; screen:\n${text}`)
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  }

  async exitCode(timeoutMs = 60_000): Promise<number> {
    const match = /EXIT=(\d+)/.exec(await this.waitFor(/EXIT=\d+/, timeoutMs))
    return Number(match![1])
  }

  close(): void {
    Terminal.open.delete(this)
    try {
      execFileSync('tmux', ['kill-session', '-t', this.session], {stdio: 'ignore'})
    } catch {
      // already gone
    }
  }
}
