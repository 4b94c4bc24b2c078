import {closeSync, constants, fstatSync, openSync, readFileSync, readdirSync} from 'node:fs'

/** Configuration, TLS and pg-common files are small; anything bigger is not one. */
export const MAX_FILE_BYTES = 1024 * 1024 // Debian's Patroni config is 5 kB; YAML parsing is ~5 s per MiB here

/**
 * readFileSync for the files we are told to read (Patroni YAML, -c, TLS files, pg-common
 * configs), which never blocks: a FIFO would wait for a writer and a device such as /dev/zero
 * never ends, so anything but a regular file of sane size is refused (error codes ENOTREG,
 * EISDIR, EFBIG, which describeFsError puts in words).
 */
export function readRegularFile(file: string): Buffer
export function readRegularFile(file: string, encoding: 'utf8'): string
export function readRegularFile(file: string, encoding?: 'utf8'): Buffer | string {
  const fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK) // a FIFO opens without a writer
  try {
    const stat = fstatSync(fd)
    if (stat.isDirectory()) throw fileError('EISDIR', `${file} is a directory`)
    if (!stat.isFile()) throw fileError('ENOTREG', `${file} is not a regular file`)
    if (stat.size > MAX_FILE_BYTES)
      throw fileError('EFBIG', `${file} is larger than ${MAX_FILE_BYTES / 1024 / 1024} MiB`)
    return encoding ? readFileSync(fd, encoding) : readFileSync(fd)
  } finally {
    closeSync(fd)
  }
}

const fileError = (code: string, message: string) => Object.assign(new Error(message), {code})

/** The names in a directory, or none when it is missing or unreadable (optional directories: conf.d, include_dir). */
export function readdirQuiet(dir: string): string[] {
  try {
    return readdirSync(dir)
  } catch {
    return []
  }
}
