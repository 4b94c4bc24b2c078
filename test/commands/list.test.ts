import {execFileSync} from 'node:child_process'
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {runCli} from '../helpers/cli.js'
import {
  type FakeServer,
  fixture,
  freePort,
  patroniStatus,
  startBlackHole,
  startFakePatroni,
} from '../helpers/fake-patroni.js'
import {NO_DCS, debianYaml} from '../helpers/host-tree.js'

// The built CLI against local fakes replaying recorded Patroni answers: faults a real cluster
// cannot easily show (garbage, 401 on GET, a frozen REST API). The real cluster is in test/integration.
describe('pgpatronictl list (fake Patroni)', () => {
  const root = mkdtempSync(join(tmpdir(), 'pgpt-cmd-'))
  const configDir = join(root, 'patroni')
  const env = {PG_CLUSTER_CONF_ROOT: join(root, 'postgresql')} // no pg-common clusters here
  const servers: FakeServer[] = []
  const yml = (stem: string, port: number, extra = '') =>
    writeFileSync(join(configDir, `${stem}.yml`), debianYaml('15', stem.slice(3), port, extra))

  beforeAll(async () => {
    mkdirSync(configDir, {recursive: true})
    const good = await startFakePatroni({
      'GET /cluster': {body: fixture('cluster-3.0.2.json')},
      'GET /patroni': {body: patroniStatus('15-good', {systemId: '7711549161429863252'})},
    })
    const garbage = await startFakePatroni({'GET /cluster': {body: '<html>oops'}})
    const locked = await startFakePatroni({'GET /cluster': {body: 'not authenticated', status: 401}})
    const hole = await startBlackHole()
    servers.push(good, garbage, locked, hole)
    yml('15-good', good.port)
    yml('15-garbage', garbage.port)
    yml('15-locked', locked.port, '  authentication:\n    username: patroni\n    password: very-secret-pw\n')
    yml('15-frozen', hole.port)
    yml('15-down', await freePort())
    writeFileSync(
      join(configDir, '15-broken.yml'),
      'scope: 15-broken\nrestapi:\n  listen: 1\n   connect_address: {password: leaked-pw}\n',
    )
    writeFileSync(join(configDir, 'dcs.yml'), `etcd3:\n  hosts: ${NO_DCS}\n`)
  })
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()))
    rmSync(root, {force: true, recursive: true})
  })

  const list = (...args: string[]) => runCli(['list', '--config-dir', configDir, ...args], {env})

  it('shows one cluster like patronictl, with the system id in the title', async () => {
    const {code, stdout} = await list('15/good')
    expect(code).toBe(0)
    expect(stdout).toContain('+ Cluster: 15-good (7711549161429863252) ') // 3.0.2 has no scope in /cluster: the config's
    expect(stdout).toContain('| node2  | 127.0.0.1:55433 | Replica | running |  1 |         0 |')
  })

  it('accepts 15-good and --json', async () => {
    const {code, stdout} = await list('15-good', '--json')
    expect(code).toBe(0)
    expect(JSON.parse(stdout)).toHaveLength(3)
  })

  it.each([
    ['15-garbage', 1, /^Error: 15\/garbage: 127\.0\.0\.1:\d+: malformed answer \(not JSON\): oops\n$/],
    ['15-locked', 1, /^Error: 15\/locked: 127\.0\.0\.1:\d+: 401 not authenticated\n$/],
    // the configs' DCS (NO_DCS) is not running: the DCS fallback says so
    [
      '15-down',
      4,
      /^Error: 15\/down: 127\.0\.0\.1:\d+: connection refused; DCS etcd3 127\.0\.0\.1:1: connection refused\n$/,
    ],
    [
      '15-frozen',
      4,
      /^Error: 15\/frozen: 127\.0\.0\.1:\d+: no answer within 1s; DCS etcd3 127\.0\.0\.1:1: connection refused\n$/,
    ],
    ['15/broken', 3, /^Error: 15\/broken: .*15-broken\.yml:3:\d+: invalid YAML: [^\n]+\n$/],
    [
      '15/nope',
      3,
      /^Error: no instance 15\/nope on this host; Patroni instances: 15\/broken, 15\/down, 15\/frozen, 15\/garbage, 15\/good, 15\/locked\n$/,
    ],
    ['15/../../etc/passwd', 2, /^Error: invalid instance name "15\/..\/..\/etc\/passwd": expected VERSION\/CLUSTER/],
    ['/etc/shadow', 2, /^Error: invalid instance name/],
    ['15/ma in', 2, /^Error: invalid instance name/],
  ])('%s: one line, exit %d, no secret', async (name, exitCode, stderr) => {
    const result = await list(name, '--timeout', '1')
    expect(result.stderr).toMatch(stderr)
    expect(result.code).toBe(exitCode)
    expect(result.stdout).toBe('')
    expect(result.stderr + result.stdout).not.toMatch(/very-secret-pw|leaked-pw|at .*\.cjs/)
    expect(result.ms).toBeLessThan(5000)
  })

  it.each([
    [['--timeout', '0x10'], /^Error: Parsing --timeout: expected seconds above 0/],
    [['--timeout', '1e3'], /expected seconds above 0/],
    [['--timeout', '0'], /expected seconds above 0/],
    [['--json', '--format', 'yaml'], /--format=yaml cannot also be provided when using --json/],
  ])('refuses %j with exit 2', async (args, stderr) => {
    const result = await runCli(['list', '15/good', '--config-dir', configDir, ...args], {env})
    expect(result.stderr).toMatch(stderr)
    expect(result.code).toBe(2)
  })

  it('refuses a config directory given by --config-dir or $PGPATRONICTL_CONFIG_DIR that does not exist (exit 3), not an empty host', async () => {
    const missing = join(root, 'no-such-dir')
    const flag = await runCli(['list', '--config-dir', missing], {env})
    expect(flag).toMatchObject({code: 3, stderr: `Error: ${missing} does not exist (--config-dir)\n`, stdout: ''})
    const variable = await runCli(['list', '15/good'], {env: {...env, PGPATRONICTL_CONFIG_DIR: missing}})
    expect(variable).toMatchObject({code: 3, stderr: `Error: ${missing} does not exist ($PGPATRONICTL_CONFIG_DIR)\n`})
  })

  it('refuses a bad name before touching the config dir', async () => {
    const result = await runCli(['list', '15/..', '--config-dir', '/nonexistent'], {env})
    expect(result.code).toBe(2)
  })

  it('refuses a FIFO or device as -c at once (exit 3) instead of waiting on it', async () => {
    const fifo = join(root, 'config.fifo')
    execFileSync('mkfifo', [fifo])
    for (const file of [fifo, '/dev/zero']) {
      const result = await runCli(['list', '-c', file], {env, timeoutMs: 10_000})
      expect(result.stderr).toBe(`Error: ${file} is not a regular file (a FIFO, socket or device is never read)\n`)
      expect(result.code).toBe(3)
    }
  })

  it('refuses an instance name together with -c: they name two configs (exit 2, nothing sent)', async () => {
    const file = join(configDir, '15-good.yml')
    for (const args of [
      ['list', '15/locked', '-c', file],
      ['pause', '15/locked', '-c', file, '--force', '--dry-run'],
    ]) {
      const result = await runCli(args, {env})
      expect(result.stderr).toBe('Error: give an instance (15/locked) or -c FILE, not both\n')
      expect(result.code).toBe(2)
    }
  })

  it('lists the whole host within the timeout, each failure on its own row', async () => {
    const {code, stderr, stdout} = await list('--timeout', '1.5')
    expect(stderr).toBe('')
    const lines = stdout.split('\n')
    expect(lines[0]).toMatch(
      /^Ver Cluster +Port Status Type +Scope +REST API +Member +Role +State +TL Leader Members Lag MB$/,
    )
    const row = (cluster: string) => lines.find((l) => l.startsWith(`15  ${cluster} `)) ?? ''
    expect(row('good')).toMatch(/ node1 +Leader +running +1 node1 +3\/3 +0$/)
    expect(row('frozen')).toMatch(/ unreachable /)
    expect(row('down')).toMatch(/ unreachable /)
    expect(row('locked')).toMatch(/ refused /)
    expect(stdout).toMatch(/15\/frozen: 127\.0\.0\.1:\d+: no answer within 1\.5s/)
    expect(stdout).toMatch(/15\/broken: .*15-broken\.yml:3:\d+: invalid YAML/)
    expect(stdout).not.toContain('dcs')
    expect(stdout).not.toMatch(/very-secret-pw|leaked-pw/)
    expect(code).toBe(3) // a config could not be read
  })

  it('keeps machine formats plain', async () => {
    const {stdout} = await list('-f', 'json', '--timeout', '1')
    const rows = JSON.parse(stdout) as {instance: string; state?: string; members_total?: number}[]
    expect(rows.find((r) => r.instance === '15/good')).toMatchObject({members_total: 3, state: 'running'})
    expect(rows.find((r) => r.instance === '15/frozen')).toMatchObject({state: 'unreachable'})
    const tsv = (await list('-f', 'tsv', '--timeout', '1')).stdout.split('\n')
    expect(tsv[0]!.split('\t')).toHaveLength(14)
    expect((await list('-f', 'yaml', '--timeout', '1')).stdout).toMatch(/^- instance: 15\/broken$/m)
  })

  it('lists several clusters, reporting the failed one on stderr', async () => {
    const {code, stderr, stdout} = await list('15/good', '15/down', '--timeout', '1')
    expect(stdout).toContain('Cluster: 15-good')
    expect(stderr).toMatch(
      /^Error: 15\/down: 127\.0\.0\.1:\d+: connection refused; DCS etcd3 127\.0\.0\.1:1: connection refused\n$/,
    )
    expect(code).toBe(4)
  })
})
