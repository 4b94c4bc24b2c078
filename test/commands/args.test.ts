import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {runCli} from '../helpers/cli.js'
import {type FakeServer, clusterBody, fixture, patroniStatus, startFakePatroni} from '../helpers/fake-patroni.js'
import {NO_DCS, TEST_NAMESPACE, debianYaml} from '../helpers/host-tree.js'
import {PrivateEtcd, patroniKeys} from '../helpers/private-etcd.js'
import {announceSkip} from '../helpers/test-cluster.js'

// patronictl's command lines, as scripts and runbooks have them, against the built CLI.
describe('patronictl argument order, help, mistakes (fake Patroni)', () => {
  const root = mkdtempSync(join(tmpdir(), 'pgpt-args-'))
  const configDir = join(root, 'patroni')
  const file = join(configDir, '15-good.yml')
  const env = {PG_CLUSTER_CONF_ROOT: join(root, 'postgresql'), PGPATRONICTL_CONFIG_DIR: configDir}
  let good: FakeServer

  beforeAll(async () => {
    mkdirSync(configDir, {recursive: true})
    good = await startFakePatroni({
      'GET /cluster': {body: fixture('cluster-3.0.2.json')},
      'GET /patroni': {body: patroniStatus('15-good', {systemId: '7711549161429863252'})},
    })
    writeFileSync(file, debianYaml('15', 'good', good.port))
    writeFileSync(join(configDir, 'dcs.yml'), `etcd3:\n  hosts: ${NO_DCS}\n`)
  })
  afterAll(async () => {
    await good.close()
    rmSync(root, {force: true, recursive: true})
  })

  const cli = (args: string[], extra: NodeJS.ProcessEnv = {}) => runCli(args, {env: {...env, ...extra}})

  it('takes the global flags before the command as after it: -c FILE list, -k, --config-dir', async () => {
    const reference = await cli(['list', '-c', file, '-f', 'json'])
    expect(reference.code).toBe(0)
    expect(JSON.parse(reference.stdout)).toHaveLength(3)
    for (const args of [
      ['-c', file, 'list', '-f', 'json'],
      ['-k', '-c', file, 'list', '-f', 'json'],
      [`--config-file=${file}`, '--timeout', '5', 'list', '-f', 'json'],
      ['--config-dir', configDir, 'list', '15/good', '-f', 'json'],
      ['-c', file, 'list', '15-good', '-f', 'json'], // the config's own scope, as patronictl takes it
    ]) {
      const result = await cli(args)
      expect({args, code: result.code, stderr: result.stderr}).toEqual({args, code: 0, stderr: ''})
      expect(result.stdout).toBe(reference.stdout)
    }
  })

  it('takes $PATRONICTL_CONFIG_FILE as -c when no instance is named (and -c over it)', async () => {
    const reference = await cli(['list', '-c', file, '-f', 'json'])
    const fromEnv = await cli(['list', '-f', 'json'], {PATRONICTL_CONFIG_FILE: file})
    expect(fromEnv.stderr).toBe('')
    expect(fromEnv.stdout).toBe(reference.stdout)
    const missing = join(root, 'nope.yml')
    const overridden = await cli(['-c', file, 'list', '-f', 'json'], {PATRONICTL_CONFIG_FILE: missing})
    expect(overridden.stdout).toBe(reference.stdout)
    const broken = await cli(['list'], {PATRONICTL_CONFIG_FILE: missing})
    expect(broken).toMatchObject({code: 3, stderr: `Error: ${missing} does not exist\n`})
  })

  it('help and help COMMAND print the help (exit 0); an unknown one says so (exit 2)', async () => {
    const overview = await cli(['help'])
    expect(overview.code).toBe(0)
    expect(overview.stdout).toContain('$ pgpatronictl [COMMAND]')
    expect(overview.stdout).toMatch(/^ {2}switchover /m)
    const help = await cli(['help', 'switchover'])
    expect(help.code).toBe(0)
    expect(help.stdout).toBe((await cli(['switchover', '--help'])).stdout)
    expect(help.stdout).toContain('$ pgpatronictl switchover [INSTANCE]')
    const unknown = await cli(['help', 'swichover'])
    expect(unknown).toMatchObject({code: 2, stderr: 'Error: unknown command "swichover"; did you mean "switchover"?\n'})
  })

  it('says which command was meant, and that 15 main is 15/main (exit 2, nothing asked)', async () => {
    const typo = await cli(['swichover'])
    expect(typo).toMatchObject({code: 2, stderr: 'Error: unknown command "swichover"; did you mean "switchover"?\n'})
    expect(typo.stdout).toBe('')
    expect(await cli(['-k', 'lsit', '15/good'])).toMatchObject({
      code: 2,
      stderr: 'Error: unknown command "lsit"; did you mean "list"?\n',
    })
    expect(await cli(['list', '15', 'good'])).toMatchObject({
      code: 2,
      stderr: 'Error: "15 good" is two words: did you mean "15/good"?\n',
    })
    expect(await cli(['--bogus', 'list'])).toMatchObject({
      code: 2,
      stderr: 'Error: unknown flag "--bogus" before the command (see pgpatronictl --help)\n',
    })
  })

  it("prints oclif's own errors as one line, Error: ..., exit 2", async () => {
    const cases: [string[], string][] = [
      [['list', '--bogus'], 'Error: Nonexistent flag: --bogus (see pgpatronictl list --help)\n'],
      [
        ['list', '-f', 'xml'],
        'Error: Expected --format=xml to be one of: pretty, tsv, json, yaml, yml (see pgpatronictl list --help)\n',
      ],
      [['switchover', '15/good', 'b', 'c'], 'Error: Unexpected arguments: b, c (see pgpatronictl switchover --help)\n'],
      [
        ['completion'],
        'Error: Missing 1 required arg: shell (bash|zsh) bash or zsh. (see pgpatronictl completion --help)\n',
      ],
      [['list', '-w'], 'Error: Flag --watch expects a value (see pgpatronictl list --help)\n'],
    ]
    for (const [args, stderr] of cases) {
      const result = await cli(args)
      expect({args, code: result.code, stderr: result.stderr}).toEqual({args, code: 2, stderr})
      expect(result.stderr).not.toMatch(/›|::/)
    }
  })
})

const unavailable = PrivateEtcd.unavailableReason()
announceSkip('-d/--dcs-url against a private etcd', unavailable)

// -d URL SCOPE: no local config at all; the members the DCS names, proven by scope and system id.
describe.skipIf(unavailable)('-d/--dcs-url: a cluster by scope through its DCS (real private etcd)', () => {
  const root = mkdtempSync(join(tmpdir(), 'pgpt-dcsurl-'))
  const env = {
    PG_CLUSTER_CONF_ROOT: join(root, 'postgresql'),
    PGPATRONICTL_CONFIG_DIR: join(root, 'none'),
    XDG_CACHE_HOME: join(root, 'cache'),
  }
  const servers: FakeServer[] = []
  let etcd: PrivateEtcd
  let url: string
  let member: FakeServer
  let twin: FakeServer

  beforeAll(async () => {
    mkdirSync(env.PGPATRONICTL_CONFIG_DIR) // an empty host: no local config at all
    etcd = await PrivateEtcd.start()
    url = `etcd3://127.0.0.1:${etcd.port}${TEST_NAMESPACE}`
    member = await startFakePatroni({
      'GET /patroni': {body: patroniStatus('15-remote', {systemId: '7712075003020920185'})},
    })
    // the member answers /cluster with its own URL as api_url
    const cluster = clusterBody([member.url])
    const remote = await startFakePatroni({
      'GET /cluster': {body: cluster},
      'GET /patroni': {body: patroniStatus('15-remote', {systemId: '7712075003020920185'})},
    })
    // another cluster's member behind the name of 15-impostor's member: its system id differs
    const impostor = await startFakePatroni({
      'GET /cluster': {body: cluster},
      'GET /patroni': {body: patroniStatus('15-impostor', {systemId: '7000000000000000009'})},
    })
    // a cluster whose scope is the name of 15-remote's member: `-c 15-remote.yml restart node1` is it
    twin = await startFakePatroni({
      'GET /cluster': () => ({body: clusterBody([twin.url])}),
      'GET /patroni': {body: patroniStatus('node1', {systemId: '7712075003020920185'})},
    })
    servers.push(member, remote, impostor, twin)
    const keys = {
      ...patroniKeys(`${TEST_NAMESPACE}15-remote/`, [{name: 'node1', pgPort: 55432, restPort: remote.port}], 'node1'),
      ...patroniKeys(`${TEST_NAMESPACE}node1/`, [{name: 'node1', pgPort: 55452, restPort: twin.port}], 'node1'),
      ...patroniKeys(
        `${TEST_NAMESPACE}15-impostor/`,
        [{name: 'node1', pgPort: 55442, restPort: impostor.port, timeline: 2}],
        'node1',
      ),
    }
    for (const [key, value] of Object.entries(keys)) etcd.put(key, value)
  })
  afterAll(async () => {
    await etcd?.stop()
    await Promise.all(servers.map((s) => s.close()))
    rmSync(root, {force: true, recursive: true})
  })

  const cli = (args: string[], extra: NodeJS.ProcessEnv = {}) => runCli(args, {env: {...env, ...extra}})

  it('lists the cluster from a member the DCS names, with -d, --dcs, --dcs-url= or $DCS_URL, before or after the command', async () => {
    const expected = [
      {Cluster: '15-remote', Host: '127.0.0.1:55432', Member: 'node1', Role: 'Leader', State: 'running', TL: 1},
    ]
    for (const [args, extra] of [
      [['-d', url, 'list', '15-remote', '-f', 'json'], {}],
      [['list', '15-remote', '--dcs', url, '-f', 'json'], {}],
      [[`--dcs-url=${url}`, 'list', '15/remote', '-f', 'json'], {}],
      [['list', '15-remote', '-f', 'json'], {DCS_URL: url}],
    ] as [string[], NodeJS.ProcessEnv][]) {
      const result = await cli(args, extra)
      expect({args, code: result.code, stderr: result.stderr}).toEqual({args, code: 0, stderr: ''})
      expect(JSON.parse(result.stdout)).toEqual(expected)
    }
    const table = await cli(['-d', url, 'list', '15-remote'])
    expect(table.stdout).toContain('+ Cluster: 15-remote (7712075003020920185) ')
  })

  it("ignores a member that is another cluster's (system id) and reads the DCS keys instead", async () => {
    const result = await cli(['-d', url, 'list', '15-impostor', '-f', 'json', '--timeout', '3'])
    expect(result.code).toBe(0)
    expect(JSON.parse(result.stdout)).toEqual([
      {Cluster: '15-impostor', Host: '127.0.0.1:55442', Member: 'node1', Role: 'Leader', State: 'running', TL: 2},
    ])
    const port = servers[2]!.port
    expect(result.stderr).toBe(
      [
        `Warning: 15-impostor: ignored 127.0.0.1:${port} (a member named in the DCS): its system identifier is 7000000000000000009, not 7712075003020920185: another cluster named 15-impostor`,
        `Warning: 15-impostor: no member's REST API answered; data from the DCS (etcd3 127.0.0.1:${etcd.port})`,
        '',
      ].join('\n'),
    )
  })

  it('sends an operation only to a proven member, the one /cluster names (dry run); dsn keeps -d for --dbname', async () => {
    const pause = await cli(['-d', url, 'pause', '15-remote', '--dry-run'])
    expect(pause.stderr).toBe('')
    expect(pause.stdout).toBe(`dry run, nothing sent; would send:\nPATCH ${member.url}/config {"pause":true}\n`)
    const dsn = await cli(['-d', url, 'dsn', '15-remote', '-d', 'app'])
    expect(dsn).toMatchObject({code: 0, stderr: '', stdout: 'host=127.0.0.1 port=55432 dbname=app\n'})
  })

  it("-c FILE SCOPE MEMBER: another scope through the config's DCS, its members after it (dry run)", async () => {
    const file = join(root, '15-local.yml')
    writeFileSync(file, debianYaml('15', 'local', 1, '', {dcs: `127.0.0.1:${etcd.port}`}))
    const restart = await cli(['-c', file, 'restart', '15-remote', 'node1', '--dry-run', '--force'])
    expect(restart.stderr).toBe('')
    expect(restart.stdout).toMatch(/^\+ Cluster: 15-remote /)
    expect(restart.stdout).toContain(`node1: POST ${member.url}/restart {}\n`)
    const flush = await cli(['-c', file, 'flush', '15-remote', 'restart', '--dry-run', '--force'])
    expect(flush.stderr).toBe('')
    expect(flush).toMatchObject({code: 0, stdout: 'no scheduled restart in cluster 15-remote; nothing to do\n'})
    // patronictl's own word order, -d before the command, the scope and a member after it
    const viaUrl = await cli(['-d', url, 'restart', '15-remote', 'node1', '--dry-run', '--force'])
    expect(viaUrl.stdout).toContain(`node1: POST ${member.url}/restart {}\n`)
  })

  it("-c FILE WORD: the word is a cluster, as for patronictl, even when it is also the name of a member of the config's", async () => {
    const file = join(root, '15-remote.yml')
    writeFileSync(file, debianYaml('15', 'remote', member.port, '', {dcs: `127.0.0.1:${etcd.port}`}))
    const restart = await cli(['-c', file, 'restart', 'node1', '--dry-run', '--force'])
    expect(restart.stderr).toBe('')
    expect(restart.stdout).toMatch(/^\+ Cluster: node1 /)
    expect(restart.stdout).toContain(`node1: POST ${twin.url}/restart {}\n`)
    expect(restart.stdout).not.toContain(member.url)
    const reload = await cli(['-c', file, 'reload', 'node2', '--dry-run', '--force'])
    expect(reload.stderr).toBe(
      `Error: node2: no such cluster in the DCS etcd3 127.0.0.1:${etcd.port} (no keys under ${TEST_NAMESPACE}node2/)\n`,
    )
    expect(reload.code).toBe(3)
  })

  it("says when the scope is not in the DCS (exit 3) or not given (exit 2), and Debian's namespace", async () => {
    const missing = await cli(['-d', url, 'list', '15-nope'])
    expect(missing.code).toBe(3)
    expect(missing.stderr).toBe(
      `Error: 15-nope: no such cluster in the DCS etcd3 127.0.0.1:${etcd.port} (no keys under ${TEST_NAMESPACE}15-nope/)\n`,
    )
    const noNamespace = await cli(['-d', `etcd3://127.0.0.1:${etcd.port}`, 'history', '15-remote'])
    expect(noNamespace.code).toBe(3)
    expect(noNamespace.stderr).toContain(
      "(no keys under /service/15-remote/; Debian's namespace is /postgresql-common/)",
    )
    const noScope = await cli(['-d', url, 'list'])
    expect(noScope.code).toBe(2)
    expect(noScope.stderr).toMatch(/^Error: -d\/--dcs-url reaches a cluster by its scope: name it/)
    // $DCS_URL, exported for patronictl, counts only with a scope: list alone is still the host's
    const host = await cli(['list', '-f', 'json'], {DCS_URL: url})
    expect(host).toMatchObject({code: 0, stderr: '', stdout: '[]\n'})
  })
})
