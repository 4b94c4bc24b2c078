import {execFileSync} from 'node:child_process'
import {mkdtempSync, rmSync, truncateSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {describeFsError} from '../../../src/lib/errors.js'
import {MAX_FILE_BYTES, readRegularFile} from '../../../src/lib/config/files.js'

let dir: string
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'pgpt-regular-'))
})
afterAll(() => rmSync(dir, {force: true, recursive: true}))

/** The error readRegularFile throws, in the words the CLI prints. */
function refusal(file: string): string {
  try {
    readRegularFile(file, 'utf8')
  } catch (error) {
    return describeFsError(error, file)
  }
  throw new Error(`${file} was read`)
}

describe('readRegularFile', () => {
  it('reads a regular file as text or bytes', () => {
    const file = join(dir, 'a.yml')
    writeFileSync(file, 'scope: x\n')
    expect(readRegularFile(file, 'utf8')).toBe('scope: x\n')
    expect(readRegularFile(file)).toEqual(Buffer.from('scope: x\n'))
  })

  it('refuses, without blocking, what is not a regular file of sane size', () => {
    const fifo = join(dir, 'fifo')
    execFileSync('mkfifo', [fifo]) // no writer: reading it would wait forever
    expect(refusal(fifo)).toBe(`${fifo} is not a regular file (a FIFO, socket or device is never read)`)
    expect(refusal('/dev/zero')).toBe('/dev/zero is not a regular file (a FIFO, socket or device is never read)')
    expect(refusal(dir)).toBe(`${dir} is a directory, not a file`)
    const big = join(dir, 'big.yml')
    writeFileSync(big, '')
    truncateSync(big, MAX_FILE_BYTES + 1)
    expect(refusal(big)).toBe(`${big} is too large (over 1 MiB) to be a configuration file`)
    expect(refusal(join(dir, 'missing.yml'))).toBe(`${join(dir, 'missing.yml')} does not exist`)
  })
})
