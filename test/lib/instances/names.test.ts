import {describe, expect, it} from 'vitest'

import {ExitCode, PgpError} from '../../../src/lib/errors.js'
import {compareInstances, formatInstance, instanceStem, parseInstanceName} from '../../../src/lib/instances/names.js'

describe('parseInstanceName', () => {
  it.each([
    ['15/main', '15', 'main'],
    ['15-main', '15', 'main'],
    ['9.6/main', '9.6', 'main'],
    ['9.6-main', '9.6', 'main'],
    ['15-my-db', '15', 'my-db'],
    ['15/my-db', '15', 'my-db'],
    ['16/a.b_c', '16', 'a.b_c'],
  ])('%s is version %s, cluster %s', (text, version, cluster) => {
    expect(parseInstanceName(text)).toEqual({cluster, version})
  })

  it.each([
    '15/../../etc/passwd',
    '/etc/shadow',
    '15/ma in',
    '',
    '15/main\0',
    '15/..',
    '15-.',
    'main',
    '15',
    '15/',
    'x/main',
    '15/a/b',
    '15/$(id)',
    `15/${'a'.repeat(101)}`,
  ])('refuses %j with exit 2', (text) => {
    let error: unknown
    try {
      parseInstanceName(text)
    } catch (error_) {
      error = error_
    }
    expect(error).toBeInstanceOf(PgpError)
    expect((error as PgpError).exitCode).toBe(ExitCode.usage)
    expect((error as PgpError).message).not.toContain('\n')
    expect((error as PgpError).message).not.toContain('\0')
  })

  it('formats both spellings', () => {
    const name = parseInstanceName('15-my-db')
    expect(formatInstance(name)).toBe('15/my-db')
    expect(instanceStem(name)).toBe('15-my-db')
  })

  it('sorts versions numerically, then clusters byte-wise', () => {
    const names = ['15/b', '9.6/z', '15/B', '10/a'].map(parseInstanceName).sort(compareInstances).map(formatInstance)
    expect(names).toEqual(['9.6/z', '10/a', '15/B', '15/b'])
  })
})
