import {describe, expect, it} from 'vitest'

import {type CliShape, closest, editDistance, prepareArgv} from '../../../src/lib/cli/argv.js'
import {ExitCode} from '../../../src/lib/errors.js'

const shape: CliShape = {
  bin: 'pgpatronictl',
  commands: {
    __complete: {hidden: true, valueFlags: []},
    completion: {valueFlags: []},
    help: {valueFlags: []},
    dsn: {instanceArg: true, valueFlags: ['--dbname', '-d', '--dcs-url', '--config-file', '-c', '--timeout']},
    list: {instanceArg: true, valueFlags: ['--format', '-f', '--watch', '-w', '--config-file', '-c', '--timeout']},
    restart: {instanceArg: true, valueFlags: ['--role', '-r', '--config-file', '-c']},
    switchover: {instanceArg: true, valueFlags: ['--candidate', '--config-file', '-c']},
  },
  globals: [
    {char: 'c', name: 'config-file', takesValue: true},
    {name: 'config-dir', takesValue: true},
    {aliases: ['dcs'], char: 'd', name: 'dcs-url', takesValue: true},
    {char: 'k', name: 'insecure', takesValue: false},
    {name: 'debug', takesValue: false},
    {name: 'timeout', takesValue: true},
  ],
}
const prepare = (...argv: string[]) => prepareArgv(argv, shape)
const usage = (message: string) => ({exitCode: ExitCode.usage, message})

describe('prepareArgv: patronictl order', () => {
  it('moves global flags before the command to after it, in their long form with their values', () => {
    expect(prepare('-c', '/etc/patroni/15-main.yml', 'list')).toEqual([
      'list',
      '--config-file=/etc/patroni/15-main.yml',
    ])
    expect(prepare('-k', 'switchover', '--candidate', 'node2')).toEqual([
      'switchover',
      '--insecure',
      '--candidate',
      'node2',
    ])
    expect(prepare('--config-dir', 'X', 'list', '15/main')).toEqual(['list', '--config-dir=X', '15/main'])
    expect(prepare('-cF', '--dcs=etcd3://h:2379', '--debug', 'list')).toEqual([
      'list',
      '--config-file=F',
      '--dcs-url=etcd3://h:2379',
      '--debug',
    ])
    // a value that looks like a flag stays the flag's value
    expect(prepare('--timeout', '3', '-c', '-odd-name.yml', 'list')).toEqual([
      'list',
      '--timeout=3',
      '--config-file=-odd-name.yml',
    ])
  })

  it("turns -d into --dcs-url: after dsn, -d would be dsn's --dbname", () => {
    expect(prepare('-d', 'etcd3://h:2379', 'dsn', '15-main', '-d', 'app')).toEqual([
      'dsn',
      '--dcs-url=etcd3://h:2379',
      '15-main',
      '-d',
      'app',
    ])
  })

  it('leaves flags after the command, and argv without a command, as they are', () => {
    expect(prepare('list', '-c', 'F', '-k')).toEqual(['list', '-c', 'F', '-k'])
    expect(prepare()).toEqual([])
    expect(prepare('--version')).toEqual(['--version'])
    expect(prepare('-k', '--help')).toEqual(['--help'])
  })

  it('refuses an unknown flag or a missing value before the command, and flags without a command', () => {
    expect(() => prepare('--bogus', 'list')).toThrow(
      expect.objectContaining(usage('unknown flag "--bogus" before the command (see pgpatronictl --help)')),
    )
    expect(() => prepare('-k=1', 'list')).toThrow(expect.objectContaining({exitCode: ExitCode.usage}))
    expect(() => prepare('-c')).toThrow(expect.objectContaining(usage('flag --config-file expects a value')))
    expect(() => prepare('-k')).toThrow(
      expect.objectContaining(usage('no command given after the global flags (see pgpatronictl --help)')),
    )
  })
})

describe('prepareArgv: help, mistyped commands, 15 main', () => {
  it('checks the command of help COMMAND, and drops flags help has no use for', () => {
    expect(prepare('help')).toEqual(['help'])
    expect(prepare('help', 'switchover')).toEqual(['help', 'switchover'])
    expect(prepare('-k', 'help', '-c', 'F', 'list')).toEqual(['help', 'list'])
    expect(prepare('help', '--config-dir', 'D', '-cF', 'restart')).toEqual(['help', 'restart'])
    expect(() => prepare('help', 'swichover')).toThrow(
      expect.objectContaining(usage('unknown command "swichover"; did you mean "switchover"?')),
    )
  })

  it('suggests the nearest command, never a hidden one, else lists them', () => {
    expect(() => prepare('swichover')).toThrow(
      expect.objectContaining(usage('unknown command "swichover"; did you mean "switchover"?')),
    )
    expect(() => prepare('-k', 'lsit', '15/main')).toThrow(
      expect.objectContaining(usage('unknown command "lsit"; did you mean "list"?')),
    )
    expect(() => prepare('frobnicate')).toThrow(
      expect.objectContaining(
        usage('unknown command "frobnicate" (commands: completion, help, dsn, list, restart, switchover)'),
      ),
    )
    expect(() => prepare('__compl')).toThrow(
      expect.objectContaining({message: expect.not.stringContaining('__complete')}),
    )
  })

  it('says 15 main is 15/main when the instance is given as two words', () => {
    expect(() => prepare('list', '15', 'main')).toThrow(
      expect.objectContaining(usage('"15 main" is two words: did you mean "15/main"?')),
    )
    expect(() => prepare('-k', 'switchover', '--candidate', 'node2', '9.6', 'main')).toThrow(
      expect.objectContaining(usage('"9.6 main" is two words: did you mean "9.6/main"?')),
    )
    // a flag's value and member names after the instance are not an instance
    expect(prepare('list', '-w', '15', 'main')).toEqual(['list', '-w', '15', 'main'])
    expect(prepare('restart', '15/main', '1', 'node2')).toEqual(['restart', '15/main', '1', 'node2'])
    expect(prepare('completion', '15', 'main')).toEqual(['completion', '15', 'main'])
  })
})

describe('closest and editDistance', () => {
  it('counts a swap of two letters as one edit, and suggests only near or unique-prefix words', () => {
    expect(editDistance('swichover', 'switchover')).toBe(1)
    expect(editDistance('lsit', 'list')).toBe(1)
    expect(editDistance('', 'abc')).toBe(3)
    expect(closest('restrat', ['restart', 'reload'])).toBe('restart')
    expect(closest('show', ['show-config', 'switchover'])).toBe('show-config')
    expect(closest('re', ['restart', 'reload'])).toBeUndefined()
    expect(closest('xyz', ['dsn', 'list'])).toBeUndefined()
  })
})
