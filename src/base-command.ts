import {Command, Errors, Flags} from '@oclif/core'

import {dcsUrlFlag, secondsFlag} from './flags.js'
import {type HostPaths} from './lib/instances/discovery.js'
import {ExitCode, PgpError} from './lib/errors.js'
import {chooseInstance} from './lib/instances/choice.js'
import type {InstanceTarget} from './lib/list/list.js'
import {RestError} from './lib/rest/client.js'
import type {ConnectOptions} from './lib/rest/instance.js'
import {resolveConfigDir} from './lib/config/patroni-config.js'
import {defaultPgCommonPaths} from './lib/instances/pg-common.js'
import {Prompter} from './lib/prompt/prompt.js'
import {printable} from './lib/output/printer.js'
import type {OperationIo} from './lib/operations/operation.js'
import {OperationJournal} from './lib/operations/journal.js'

const DEFAULT_TIMEOUT_SECONDS = 5

/** Shared flags, the mapping from flags to library options, and from errors to exit codes. */
export abstract class PatroniCommand extends Command {
  private targetLabel?: string // the instance acted on, once known: REST errors name it
  private readonly warned = new Set<string>() // a wait polls the same fallback many times: say it once
  static override baseFlags = {
    'config-dir': Flags.string({
      helpGroup: 'GLOBAL',
      summary: 'Directory of Patroni instance configs V-C.yml (default: $PGPATRONICTL_CONFIG_DIR or /etc/patroni).',
    }),
    'config-file': Flags.string({
      char: 'c',
      helpGroup: 'GLOBAL',
      summary:
        'An explicit Patroni YAML, as patronictl -c (instead of an instance name; default without one: $PATRONICTL_CONFIG_FILE).',
    }),
    'dcs-url': dcsUrlFlag('d'),
    debug: Flags.boolean({
      helpGroup: 'GLOBAL',
      summary: 'Log each REST request (never credentials) and show stack traces.',
    }),
    insecure: Flags.boolean({char: 'k', helpGroup: 'GLOBAL', summary: 'Do not verify the REST API TLS certificate.'}),
    timeout: secondsFlag(3600)({
      helpGroup: 'GLOBAL',
      summary: 'Seconds to wait for a REST API to connect and answer (default 5); restart also sends it to Patroni.',
    }),
  }

  protected hostPaths(flags: {'config-dir'?: string}): HostPaths {
    const given = flags['config-dir']
      ? '--config-dir'
      : process.env.PGPATRONICTL_CONFIG_DIR
        ? '$PGPATRONICTL_CONFIG_DIR'
        : undefined
    return {configDir: resolveConfigDir(flags['config-dir']), configDirGiven: given, pg: defaultPgCommonPaths()}
  }

  protected connectOptions(flags: {debug: boolean; insecure: boolean; timeout?: number}): ConnectOptions {
    return {
      insecure: flags.insecure,
      log: flags.debug ? (line) => process.stderr.write(`debug: ${line}\n`) : undefined,
      timeoutMs: (flags.timeout ?? DEFAULT_TIMEOUT_SECONDS) * 1000,
      warn: (line) => this.warnOnce(line),
    }
  }

  /** `Warning: ...` on stderr, once per run: a fallback used, a source ignored as another cluster's. */
  protected warnOnce(line: string): void {
    if (this.warned.has(line)) return
    this.warned.add(line)
    this.report('Warning', line)
  }

  /** The instance to act on: the argument, -c, $PGCLUSTER, or the user's choice on a terminal. */
  protected async target(
    name: string | undefined,
    flags: {'config-dir'?: string; 'config-file'?: string; 'dcs-url'?: string},
    options: ConnectOptions,
    prompter: Prompter,
  ): Promise<InstanceTarget> {
    const target = await chooseInstance(
      {configFile: flags['config-file'], dcsUrl: this.dcsUrl(flags, name !== undefined), name},
      this.hostPaths(flags),
      options,
      prompter,
    )
    this.targetLabel = target.label
    return target
  }

  /**
   * -d, else $DCS_URL (patronictl's) when a cluster is named: exported for patronictl, it must not
   * turn `list` (the host) or a command that picks the instance into an error.
   */
  protected dcsUrl(flags: {'dcs-url'?: string}, named: boolean): string | undefined {
    return flags['dcs-url'] ?? (named ? process.env.DCS_URL || undefined : undefined)
  }

  /** `[INSTANCE] [MEMBER...]`: the words after the cluster's (with -c or -d too: the first word is the cluster, as for patronictl). */
  protected memberArgs(argv: unknown[], instance?: string): string[] {
    return (argv as string[]).slice(instance === undefined ? 0 : 1)
  }

  /** Prompts only on a terminal, and never with --no-interactive. */
  protected prompter(flags: {interactive: boolean}): Prompter {
    return Prompter.forTerminal(flags.interactive)
  }

  /**
   * Output, questions and the journal of an operation. Ctrl-C or SIGTERM from here on ends the
   * command with exit 5 and says what was sent and what may still happen (a question answers
   * Ctrl-C itself: nothing sent, exit 5).
   */
  protected operationIo(flags: {interactive: boolean}): OperationIo {
    const log = (text: string) => this.log(text)
    const journal = new OperationJournal(log)
    const interrupted = (signal: NodeJS.Signals) => {
      process.stderr.write(`\n${journal.interrupted(signal)}\n`)
      process.exit(ExitCode.aborted)
    }
    process.once('SIGINT', interrupted)
    process.once('SIGTERM', interrupted)
    return {journal, log, prompter: this.prompter(flags)}
  }

  /** `Error: ...` or `Warning: ...` on stderr, its text shown printable (it may come from a REST API or a config). */
  protected report(kind: 'Error' | 'Warning', text: string): void {
    process.stderr.write(`${kind}: ${printable(text)}\n`)
  }

  /** Expected failures print one line and set the exit code; only --debug shows a stack. */
  override async catch(error: Error & {oclif?: {exit?: number}; code?: string}): Promise<void> {
    if (error.code === 'EEXIT') throw error
    const debug = this.argv.includes('--debug')
    let exitCode: number
    let message: string
    if (error instanceof PgpError) {
      exitCode = error.exitCode
      message = error.message
      const label = this.targetLabel
      if (error instanceof RestError && label && !message.startsWith(label)) message = `${label}: ${message}`
    } else if (error instanceof Errors.CLIError) {
      exitCode = ExitCode.usage // oclif's parse errors: unknown flag, bad option value, missing argument
      const help = [this.config.bin, this.id, '--help'].filter(Boolean).join(' ')
      message = `${oneLine(error.message)} (see ${help})`
    } else {
      exitCode = ExitCode.failed
      message = `unexpected error: ${error.message}${debug ? '' : ' (run with --debug for details)'}`
    }
    this.report('Error', message)
    if (debug && error.stack) process.stderr.write(`${error.stack}\n`)
    process.exitCode = exitCode
  }
}

/**
 * oclif's multi-line parse errors as one line: `Missing 1 required arg:\nshell  (bash|zsh) ...`
 * becomes `Missing 1 required arg: shell (bash|zsh) ...`, without its "See more help" and
 * "The following error occurred:" lines (nor their colon doubled).
 */
export function oneLine(text: string): string {
  const lines = text
    .replaceAll(/\u001B\[[0-9;]*m/g, '')
    .split('\n')
    .map((l) => l.trim().replaceAll(/\s+/g, ' '))
    .filter((l) => l && !l.startsWith('See more help') && !/^The following errors? occurred:?$/.test(l))
  return lines.reduce((out, line) => (out === '' ? line : `${out}${out.endsWith(':') ? ' ' : ': '}${line}`), '')
}
