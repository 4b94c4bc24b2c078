import {mkdirSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {runCli} from '../helpers/cli.js'
import {freePort} from '../helpers/fake-patroni.js'
import {HostTree, NO_DCS, debianYaml} from '../helpers/host-tree.js'

const SECRETS = [
  'SECRET-rep-pw',
  'SECRET-su-pw',
  'SECRET-rest-pw',
  'SECRET-ctl-pw',
  'SECRET-key-pass',
  'SECRET-etcd-pw',
  'SECRET-user-pw',
]

// The built CLI on a throwaway host tree: exit codes, every output format, and no secret anywhere.
describe('pgpatronictl check (temporary host tree)', () => {
  const tree = new HostTree()
  const env = {PG_CLUSTER_CONF_ROOT: tree.paths.pg.confRoot}
  const check = (...args: string[]) =>
    runCli(
      ['check', '--config-dir', tree.paths.configDir, '--systemd-dir', join(tree.root, 'etc/systemd/system'), ...args],
      {env},
    )
  let restPort: number

  beforeAll(async () => {
    restPort = await freePort()
    mkdirSync(join(tree.root, 'etc/systemd/system'), {recursive: true})
    // world-readable, open REST API, every kind of secret: a config full of findings to print
    // (Debian's namespace, an uncommon scope and a DCS nobody runs: nothing real is reached)
    tree.patroniConfig(
      '15-leaky',
      `scope: "15-leaky"
namespace: "/postgresql-common/"
name: node1
etcd3:
  hosts: ${NO_DCS}
  password: SECRET-etcd-pw
restapi:
  listen: 0.0.0.0:${restPort}
  connect_address: 127.0.0.1:${restPort}
  auth: "patroni:SECRET-rest-pw"
  keyfile_password: SECRET-key-pass
ctl:
  authentication:
    username: patroni
    password: SECRET-ctl-pw
bootstrap:
  users:
    admin:
      password: SECRET-user-pw
postgresql:
  listen: "127.0.0.1:${restPort - 2576}"
  config_dir: ${tree.paths.pg.confRoot}/15/leaky
  authentication:
    replication:
      username: replicator
      password: SECRET-rep-pw
    superuser:
      username: postgres
      password: SECRET-su-pw
`,
      0o644,
    )
    const quiet = await freePort()
    tree.patroniConfig(
      '15-quiet',
      debianYaml('15', 'quiet', quiet, `  authentication:\n    username: patroni\n    password: SECRET-rest-pw\n`, {
        namespace: '/postgresql-common/',
      }).replace('postgresql:\n', `postgresql:\n  config_dir: ${tree.paths.pg.confRoot}/15/quiet\n`),
      0o660,
    )
  })
  afterAll(() => tree.remove())

  it('exits 1 on errors and prints them with where and fix, then a summary', async () => {
    const result = await check('--no-live')
    expect(result.stderr).toBe('')
    expect(result.code).toBe(1)
    const file = join(tree.paths.configDir, '15-leaky.yml')
    expect(result.stdout).toContain(`error   15/leaky readable by every user and holds passwords (`)
    const indent = ' '.repeat(17) // under the problem: severity (8) and instance (8 + 1)
    expect(result.stdout).toContain(
      `${indent}where: ${file} mode 0644 root:root\n${indent}fix:   chown postgres:postgres ${file} && chmod 0660 ${file} (as pg_createconfig_patroni does)`,
    )
    expect(result.stdout).toMatch(/^2 instances checked: 1 error, 1 warning, 2 infos$/m)
  })

  it('exits 0 when only warnings and infos remain', async () => {
    const result = await check('15/quiet', '--no-live')
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(/^1 instance checked: 0 errors, 0 warnings, 1 info$/m)
  })

  it('reports an unreachable REST API as a finding, not a crash', async () => {
    const result = await check('15/quiet', '--timeout', '1', '--json')
    expect(result.code).toBe(0) // not bootstrapped: not running is normal
    expect(JSON.parse(result.stdout)).toContainEqual(
      expect.objectContaining({check: 'rest-reachable', instance: '15/quiet', severity: 'info'}),
    )
  })

  it('gives the same findings in json, yaml and tsv, with stable keys', async () => {
    const json = JSON.parse((await check('--no-live', '--json')).stdout) as Record<string, unknown>[]
    expect(json.length).toBe(4)
    expect(Object.keys(json[0]!)).toEqual(['severity', 'instance', 'check', 'where', 'key', 'problem', 'fix'])
    const yaml = (await check('--no-live', '-f', 'yaml')).stdout
    expect(yaml).toMatch(/^- severity: error\n {2}instance: 15\/leaky\n {2}check: config-access$/m)
    const tsv = (await check('--no-live', '-f', 'tsv')).stdout.trimEnd().split('\n')
    expect(tsv[0]).toBe('Severity\tInstance\tCheck\tWhere\tProblem\tFix')
    expect(tsv.length).toBe(5)
  })

  it('never prints a secret, in any format', async () => {
    for (const args of [[], ['-f', 'tsv'], ['-f', 'json'], ['-f', 'yaml'], ['--debug', '--timeout', '1']]) {
      const result = await check(...args)
      for (const secret of SECRETS) expect(result.stdout + result.stderr).not.toContain(secret)
      expect(result.stdout).toContain('restapi.auth') // it does say where they are
    }
  })

  it('exits 3 when the only instance asked for cannot be read, 2 on a bad name', async () => {
    tree.patroniConfig('15-broken', 'scope: [\n')
    const broken = await check('15/broken')
    expect(broken.code).toBe(3)
    expect(broken.stderr).toMatch(/^Error: 15\/broken: .*15-broken\.yml:\d+:\d+: invalid YAML/)
    expect((await check('15/../x')).code).toBe(2)
  })

  it('refuses -d: it audits this host, not a DCS (exit 2)', async () => {
    const result = await check('-d', 'etcd3://127.0.0.1:1', '--no-live')
    expect(result.stderr).toBe(
      'Error: check audits the instances on this host and reads no DCS: -d/--dcs-url is not for it (list --fleet -d URL shows the clusters in a DCS)\n',
    )
    expect(result.code).toBe(2)
  })
})
