import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {discoverHost, findInstance} from '../../../src/lib/instances/discovery.js'
import {ExitCode} from '../../../src/lib/errors.js'
import {formatInstance} from '../../../src/lib/instances/names.js'
import {listInstanceConfigFiles} from '../../../src/lib/config/patroni-config.js'
import {formatPgStatus} from '../../../src/lib/instances/pg-common.js'
import {HostTree, debianYaml} from '../../helpers/host-tree.js'

describe('discovery', () => {
  let tree: HostTree
  beforeEach(() => {
    tree = new HostTree()
    tree.installVersion('15')
    tree.installVersion('16')
  })
  afterEach(() => tree.remove())

  it('ignores the files in /etc/patroni that are not instances', () => {
    for (const name of [
      'config.yml',
      'dcs.yml',
      'postgres.yml',
      'config.yml.in',
      'env.conf',
      '15-main.vip',
      '15-main.yml~',
      '15-main.yml.dpkg-old',
      '15-main.yml.dpkg-dist',
      '.15-main.yml.swp',
      '15-main.yaml',
      'x-main.yml',
    ]) {
      writeFileSync(join(tree.paths.configDir, name), 'scope: x\n')
    }
    tree.patroniConfig('15-main', debianYaml('15', 'main', 58008))
    tree.patroniConfig('15-my-db', debianYaml('15', 'my-db', 58009))
    expect(listInstanceConfigFiles(tree.paths.configDir).map(formatInstance)).toEqual(['15/main', '15/my-db'])
  })

  it('classifies every instance and hides none', () => {
    tree.pgCluster('15', 'main', 5432)
    tree.patroniConfig('15-main', debianYaml('15', 'main', 58008))
    tree.patroniConfig('16-fresh', debianYaml('16', 'fresh', 58009)) // configured, no cluster yet
    tree.pgCluster('15', 'legacy', 5452) // plain pg-common
    tree.patroniConfig('13-old', debianYaml('13', 'old', 58010)) // version 13 not installed
    tree.pgCluster('9.6', 'ancient', 5440) // pg-common cluster whose binaries are gone
    const host = discoverHost(tree.paths)
    expect(host.map((i) => [formatInstance(i), i.kind])).toEqual([
      ['9.6/ancient', 'plain'],
      ['13/old', 'orphan'],
      ['15/legacy', 'plain'],
      ['15/main', 'patroni'],
      ['16/fresh', 'not_bootstrapped'],
    ])
    const main = host.find((i) => i.cluster === 'main')!
    expect(main.pg?.port).toBe(5432)
    expect(main.pg?.startConf).toBe('manual')
    expect(formatPgStatus(main.pg!)).toBe('down') // no PID file
    expect(formatPgStatus(host[0]!.pg!)).toBe('down,binaries_missing')
  })

  it('reports a running postmaster from its external PID file', () => {
    tree.pgCluster('15', 'main', 5432)
    tree.write('run/15-main.pid', `${process.pid}\n`) // this test's node process is not "postgres"
    expect(discoverHost(tree.paths)[0]!.pg!.status).toBe('down')
  })

  it('honours a dead postgresql.conf symlink as a cluster, like pg-common', async () => {
    const {symlinkSync, mkdirSync} = await import('node:fs')
    mkdirSync(join(tree.paths.pg.confRoot, '15', 'gone'), {recursive: true})
    symlinkSync('/nonexistent/postgresql.conf', join(tree.paths.pg.confRoot, '15', 'gone', 'postgresql.conf'))
    expect(discoverHost(tree.paths).map(formatInstance)).toEqual(['15/gone'])
  })

  it('names the existing instances when one is unknown (exit 3)', () => {
    tree.patroniConfig('15-main', debianYaml('15', 'main', 58008))
    tree.pgCluster('15', 'legacy', 5452)
    const host = discoverHost(tree.paths)
    expect(() => findInstance({cluster: 'nope', version: '15'}, host, tree.paths.configDir)).toThrow(
      expect.objectContaining({
        exitCode: ExitCode.config,
        message: expect.stringContaining('Patroni instances: 15/main'),
      }),
    )
    expect(() => findInstance({cluster: 'legacy', version: '15'}, host, tree.paths.configDir)).toThrow(
      /plain pg-common cluster/,
    )
  })
})
