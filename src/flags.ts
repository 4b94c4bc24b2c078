import {Args, Errors, Flags} from '@oclif/core'

import {OUTPUT_FORMATS} from './lib/output/printer.js'

/** An instance as pg-common names it; validated by parseInstanceName, not here. */
export const instanceArg = Args.string({
  description: 'Instance as VERSION/CLUSTER (15/main) or VERSION-CLUSTER (15-main).',
  ignoreStdin: true, // oclif would otherwise take a missing argument from a piped stdin
})

/**
 * patronictl's `-d/--dcs-url/--dcs`; without a short form where -d means something else (dsn's
 * --dbname). $DCS_URL is read by the base command, only when a cluster is named (see dcsUrl there).
 */
export const dcsUrlFlag = (char?: 'd') =>
  Flags.string({
    aliases: ['dcs'],
    ...(char ? {char} : {}),
    helpGroup: 'GLOBAL',
    summary:
      'Reach the cluster named by its scope through this DCS (default namespace /service/), as patronictl -d: DCS://HOST:PORT[/NAMESPACE] (default with a scope named: $DCS_URL); with list --fleet, the DCS to read.',
  })

/** A positive number of seconds, at most `max`; fractions allowed (0.5). */
export const secondsFlag = (max: number) =>
  Flags.custom<number>({
    async parse(input) {
      const seconds = /^(\d+(\.\d*)?|\.\d+)$/.test(input.trim()) ? Number(input) : Number.NaN // not 0x10 or 1e3
      if (!Number.isFinite(seconds) || seconds <= 0 || seconds > max) {
        throw new Errors.CLIError(`expected seconds above 0 and at most ${max}, got ${JSON.stringify(input)}`)
      }
      return seconds
    },
  })

/** `yml` is patronictl's other name for yaml: accepted wherever yaml is. */
const withYml = <F extends string>(formats: readonly F[]): readonly (F | 'yml')[] =>
  formats.includes('yaml' as F) ? [...formats, 'yml'] : formats

/** `-f/--format` and `--json` (its short form; never both), for any set of formats. */
export const formatFlagsOf = <F extends string>(formats: readonly F[], fallback: F) => ({
  format: Flags.option({char: 'f', default: fallback, options: withYml(formats), summary: 'Output format.'})(),
  json: Flags.boolean({exclusive: ['format'], summary: 'Same as --format json.'}),
})

export const formatFlags = formatFlagsOf(OUTPUT_FORMATS, 'pretty')

export const outputFormat = <F extends string>(flags: {format: F | 'yml'; json: boolean}): F | 'json' =>
  flags.json ? 'json' : flags.format === 'yml' ? ('yaml' as F) : (flags.format as F)

/** Flags of every command that changes a cluster. */
export const operationFlags = {
  'dry-run': Flags.boolean({
    summary: 'Print the exact requests (method, URL, body; never credentials) and send nothing.',
  }),
  force: Flags.boolean({summary: 'Do not ask for anything: act without confirmation (required without a terminal).'}),
  interactive: Flags.boolean({
    allowNo: true,
    default: true,
    summary: 'On a terminal, ask for what is missing; --no-interactive never asks.',
  }),
}

export const scheduledFlag = Flags.string({
  summary:
    'When, as patronictl reads it: 2026-11-24T22:30 or "2026-11-24 22:30", 2026-11-24 (midnight), 22:30 (today), local time unless a zone is given (Z, +01:00); or now.',
})

/** `-r/--role` with patronictl's values (mapped by memberRole in src/lib/operations/members.ts). */
export const roleFlag = (
  fallback: 'any' | 'leader' = 'any',
  summary = 'Which members: leader, primary (or master), standby-leader, replica (or standby), any.',
) =>
  Flags.option({
    char: 'r',
    default: fallback,
    options: ['any', 'leader', 'primary', 'master', 'standby-leader', 'replica', 'standby'] as const,
    summary,
  })()

/** patronictl's `--group` (Citus): accepted everywhere patronictl takes it, refused by refuseGroup with one line. */
export const groupFlag = Flags.integer({summary: 'Citus group (patronictl): not supported, refused.'})
