import {execFileSync} from 'node:child_process'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'

import {type CompletionCommand, completionInstances, completionScript} from '../../../src/lib/shell/completion.js'
import {HostTree, debianYaml} from '../../helpers/host-tree.js'

const global = [
  {
    name: 'config-dir',
    summary: 'Directory of configs (default: /etc/patroni).',
    takesValue: true,
    values: 'directory' as const,
  },
  {char: 'c', name: 'config-file', takesValue: true, values: 'file' as const},
  {name: 'debug', summary: "Don't [really]", takesValue: false},
]
const COMMANDS: CompletionCommand[] = [
  {
    flags: [...global, {char: 'f', name: 'format', options: ['pretty', 'json'], takesValue: true}],
    id: 'history',
    instances: 'one',
    summary: 'Show history.',
  },
  {
    flags: [
      ...global,
      {aliases: ['primary'], name: 'leader', takesValue: true},
      {allowNo: true, name: 'interactive', takesValue: false},
    ],
    id: 'switchover',
    instances: 'one',
  },
  {flags: global, id: 'list', instances: 'many', summary: 'List.'},
  {choices: ['bash', 'zsh'], flags: global, id: 'completion', instances: 'none'},
]

describe('completion scripts', () => {
  const root = mkdtempSync(join(tmpdir(), 'pgpt-comp-'))
  afterAll(() => rmSync(root, {force: true, recursive: true}))

  /** Tab in bash: the script sourced, the words set as readline would, and a stand-in pgpatronictl. */
  function bashTab(...words: string[]): string[] {
    const script = join(root, 'pgpatronictl.bash')
    writeFileSync(script, completionScript('bash', 'pgpatronictl', COMMANDS))
    const driver = `pgpatronictl() { [[ "$*" == "__complete instances --config-dir /x" ]] && echo 9.6/x || printf '15/main\\n15/other\\n16/main\\n'; }
source ${script}
COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=$((\${#COMP_WORDS[@]} - 1)); _pgpatronictl
printf '%s\\n' "\${COMPREPLY[@]}"`
    return execFileSync('bash', ['--norc', '-c', driver], {encoding: 'utf8'}).split('\n').filter(Boolean)
  }

  it('bash: completes commands, flags, option values and instances', () => {
    expect(bashTab('pgpatronictl', '')).toEqual(['completion', 'history', 'list', 'switchover'])
    expect(bashTab('pgpatronictl', 'hi')).toEqual(['history'])
    expect(bashTab('pgpatronictl', 'history', '--f')).toEqual(['--format'])
    expect(bashTab('pgpatronictl', 'switchover', '--')).toEqual([
      '--config-dir',
      '--config-file',
      '--debug',
      '--leader',
      '--primary',
      '--interactive',
      '--no-interactive',
    ])
    expect(bashTab('pgpatronictl', 'history', '-f', '')).toEqual(['pretty', 'json'])
    expect(bashTab('pgpatronictl', 'history', '--format', '=', 'j')).toEqual(['json'])
    expect(bashTab('pgpatronictl', 'history', '15/')).toEqual(['15/main', '15/other'])
    expect(bashTab('pgpatronictl', 'history', '15/main', '')).toEqual([]) // one instance only
    expect(bashTab('pgpatronictl', 'history', '--format', 'json', '--debug', '16')).toEqual(['16/main'])
    expect(bashTab('pgpatronictl', 'list', '15/main', '15/o')).toEqual(['15/other'])
    expect(bashTab('pgpatronictl', 'list', '--config-dir', '/x', '')).toEqual(['9.6/x'])
    expect(bashTab('pgpatronictl', 'switchover', '--primary', '')).toEqual([])
    expect(bashTab('pgpatronictl', 'completion', '')).toEqual(['bash', 'zsh'])
  })

  it('zsh: a valid script with one _arguments spec per flag', () => {
    const script = completionScript('zsh', 'pgpatronictl', COMMANDS)
    expect(script).toMatch(/^#compdef pgpatronictl\n/)
    expect(script).toContain(`'(--format -f)--format=[]:format:(pretty json)'`)
    expect(script).toContain(`'--config-dir=[Directory of configs (default\\: /etc/patroni).]:config-dir:_files -/'`)
    expect(script).toContain(`'--debug[Don'\\''t [really\\]]'`)
    expect(script).toContain(`'(--interactive --no-interactive)--no-interactive[Not --interactive.]'`)
    expect(script).toContain(`'*:instance:_pgpatronictl_instances'`)
    expect(script).toContain(`'1:argument:(bash zsh)'`)
    let zsh = true
    try {
      execFileSync('zsh', ['--version'], {stdio: 'ignore'})
    } catch {
      zsh = false
    }
    if (zsh) execFileSync('zsh', ['-n'], {input: script})
  })

  it('lists the Patroni instances of the host, never throws', () => {
    const tree = new HostTree()
    try {
      tree.patroniConfig('15-main', debianYaml('15', 'main', 58008))
      tree.patroniConfig('16-other', debianYaml('16', 'other', 58009))
      tree.pgCluster('14', 'plain', 5433)
      expect(completionInstances(tree.paths)).toEqual(['15/main', '16/other'])
      expect(completionInstances({...tree.paths, configDir: join(tree.root, 'missing')})).toEqual([])
    } finally {
      tree.remove()
    }
  })
})
