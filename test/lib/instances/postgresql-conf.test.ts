import {afterEach, describe, expect, it} from 'vitest'

import {parseConfLine, readPostgresConf} from '../../../src/lib/instances/postgresql-conf.js'
import {HostTree} from '../../helpers/host-tree.js'

describe('postgresql.conf', () => {
  let tree: HostTree
  afterEach(() => tree?.remove())

  it.each([
    ['port = 5433', ['port', '5433']],
    ['Port=5433 # comment', ['port', '5433']],
    ["data_directory '/var/lib/x'", ['data_directory', '/var/lib/x']],
    ["cluster_name = 'it''s'", ['cluster_name', "it's"]],
    ['# port = 1', undefined],
    ['', undefined],
  ])('parses %j', (line, expected) => {
    expect(parseConfLine(line)).toEqual(expected)
  })

  it('follows includes, last assignment wins (Patroni includes postgresql.base.conf first)', () => {
    tree = new HostTree()
    tree.write('conf/postgresql.base.conf', 'port = 5433\nexternal_pid_file = /run/x.pid\n')
    tree.write('conf/conf.d/b.conf', "log_line_prefix = 'b'\n")
    tree.write('conf/conf.d/a.conf', "log_line_prefix = 'a'\nwork_mem = 1MB\n")
    const file = tree.write(
      'conf/postgresql.conf',
      "include 'postgresql.base.conf'\nport = '5442'\ninclude_dir 'conf.d'\ninclude_if_exists 'missing.conf'\n",
    )
    const conf = readPostgresConf(file)
    expect(conf.get('port')).toBe('5442')
    expect(conf.get('external_pid_file')).toBe('/run/x.pid')
    expect(conf.get('log_line_prefix')).toBe('b')
    expect(conf.get('work_mem')).toBe('1MB')
  })

  it('stops at 100 files when a file includes itself over and over (4^11 reads otherwise)', () => {
    tree = new HostTree()
    const file = tree.write('conf/postgresql.conf', `port = 5433\n${"include 'postgresql.conf'\n".repeat(4)}`)
    const started = performance.now()
    expect(readPostgresConf(file).get('port')).toBe('5433')
    expect(performance.now() - started).toBeLessThan(2000)
  })
})
