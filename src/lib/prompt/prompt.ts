import {ExitCode, PgpError} from '../errors.js'

export interface Choice<T> {
  name: string
  value: T
  description?: string
  disabled?: boolean | string
  checked?: boolean
}

export const aborted = () => new PgpError('aborted, nothing changed', ExitCode.aborted)

/**
 * The only door to inquirer (loaded lazily: ~30 ms). Prompts only on a terminal; Ctrl-C and
 * Escape abort with exit 5. Callers check `interactive` and say what to pass instead.
 */
export class Prompter {
  constructor(readonly interactive: boolean) {}

  /** Asks only when allowed (`--no-interactive` forbids it) and stdin and stdout are a terminal. */
  static forTerminal(allowed = true): Prompter {
    return new Prompter(allowed && process.stdin.isTTY === true && process.stdout.isTTY === true)
  }

  async select<T>(message: string, choices: Choice<T>[]): Promise<T> {
    const {select} = await import('./widgets.js')
    return this.ask((signal) => select<T>({choices, loop: false, message}, {signal}))
  }

  async checkbox<T>(message: string, choices: Choice<T>[]): Promise<T[]> {
    const {checkbox} = await import('./widgets.js')
    return this.ask((signal) => checkbox<T>({choices, loop: false, message, required: true}, {signal}))
  }

  async confirm(message: string): Promise<boolean> {
    const {confirm} = await import('./widgets.js')
    return this.ask((signal) => confirm({default: false, message}, {signal}))
  }

  async input(message: string, defaultValue: string, validate: (value: string) => string | true): Promise<string> {
    const {input} = await import('./widgets.js')
    return this.ask((signal) => input({default: defaultValue, message, validate}, {signal}))
  }

  /** A secret (a password): nothing of it is shown while typed. */
  async secret(message: string): Promise<string> {
    const {input} = await import('./widgets.js')
    return this.ask((signal) => input({message, transformer: () => ''}, {signal}))
  }

  private async ask<T>(prompt: (signal: AbortSignal) => Promise<T>): Promise<T> {
    if (!this.interactive) throw new PgpError('cannot prompt: not a terminal', ExitCode.usage)
    const escape = new AbortController()
    const onKey = (_: unknown, key?: {name?: string}) => key?.name === 'escape' && escape.abort()
    process.stdin.on('keypress', onKey)
    try {
      return await prompt(escape.signal)
    } catch (error) {
      const name = (error as Error)?.name
      if (name === 'ExitPromptError' || name === 'AbortPromptError' || name === 'CancelPromptError') throw aborted()
      throw error
    } finally {
      process.stdin.off('keypress', onKey)
    }
  }
}
