import {Args, Errors, Flags} from '@oclif/core'

import {OUTPUT_FORMATS, type OutputFormat} from './lib/render.js'

/** An instance as pg-common names it; validated by parseInstanceName, not here. */
export const instanceArg = Args.string({
  description: 'Instance as VERSION/CLUSTER (15/main) or VERSION-CLUSTER (15-main).',
  ignoreStdin: true, // oclif would otherwise take a missing argument from a piped stdin
})

/** A positive number of seconds, at most `max`; fractions allowed (0.5). */
export const secondsFlag = (max: number) =>
  Flags.custom<number>({
    async parse(input) {
      const seconds = Number(input)
      if (!Number.isFinite(seconds) || seconds <= 0 || seconds > max) {
        throw new Errors.CLIError(`expected seconds above 0 and at most ${max}, got ${JSON.stringify(input)}`)
      }
      return seconds
    },
  })

export const formatFlags = {
  format: Flags.option({
    char: 'f',
    default: 'pretty' as OutputFormat,
    options: OUTPUT_FORMATS,
    summary: 'Output format.',
  })(),
  json: Flags.boolean({summary: 'Same as --format json.'}),
}

export const outputFormat = (flags: {format: OutputFormat; json: boolean}): OutputFormat => (flags.json ? 'json' : flags.format)
