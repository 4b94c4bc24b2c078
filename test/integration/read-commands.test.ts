import {execFileSync} from 'node:child_process'
import {describe, expect, it} from 'vitest'
import {parse} from 'yaml'

import {runCli} from '../helpers/cli.js'
import {announceSkip, eventually, testCluster} from '../helpers/test-cluster.js'

const {cluster: lab, skip} = testCluster()
announceSkip('read-only commands against the real cluster', skip)

const patronictl = (config: string, ...args: string[]) =>
  execFileSync('patronictl', ['-c', config, ...args], {encoding: 'utf8', timeout: 30_000})

/** The cells of a framed table's body rows; the Lag column is dropped (it moves). */
const tableRows = (text: string) =>
  text
    .split('\n')
    .filter((line) => line.startsWith('| ') && !line.startsWith('| Member') && !line.startsWith('| TL'))
    .map((line) =>
      line
        .split('|')
        .slice(1, -1)
        .map((cell) => cell.trim()),
    )

describe.skipIf(!lab)('read-only commands against the real Patroni test cluster', () => {
  const {configDir, instances} = lab!
  const ha = instances.ha
  const cli = (...args: string[]) => runCli([...args, '--config-dir', configDir])

  it('history: the same rows as patronictl history, in every format', async () => {
    await eventually(async () => {
      const ours = await cli('history', ha.name, '--json')
      expect(ours).toMatchObject({code: 0, stderr: ''})
      expect(JSON.parse(ours.stdout)).toEqual(JSON.parse(patronictl(ha.config, 'history', '-f', 'json')))
    })
    await eventually(async () => {
      expect((await cli('history', ha.name)).stdout).toBe(patronictl(ha.config, 'history'))
    })
    await eventually(async () => {
      expect((await cli('history', ha.name, '-f', 'tsv')).stdout).toBe(patronictl(ha.config, 'history', '-f', 'tsv'))
    })
    await eventually(async () => {
      expect(parse((await cli('history', ha.name, '-f', 'yaml')).stdout)).toEqual(
        parse(patronictl(ha.config, 'history', '-f', 'yaml')),
      )
    })
  })

  it('topology: the same tree, roles and states as patronictl topology', async () => {
    await eventually(async () => {
      const ours = await cli('topology', ha.name)
      expect(ours).toMatchObject({code: 0, stderr: ''})
      const theirs = patronictl(ha.config, 'topology')
      const shape = (text: string) => tableRows(text).map(([member, host, role, state]) => [member, host, role, state])
      expect(shape(ours.stdout)).toEqual(shape(theirs))
      expect(shape(ours.stdout).map((r) => r[0]!.startsWith('+ '))).toEqual([false, true, true])
      expect(ours.stdout.split('\n')[0]).toMatch(new RegExp(`^\\+ Cluster: ${ha.scope} \\(\\d+\\) -+\\+`))
    })
  })

  it('show-config: the same configuration as patronictl show-config', async () => {
    await eventually(async () => {
      const ours = await cli('show-config', ha.name)
      expect(ours).toMatchObject({code: 0, stderr: ''})
      expect(parse(ours.stdout)).toEqual(parse(patronictl(ha.config, 'show-config')))
      expect(JSON.parse((await cli('show-config', ha.name, '--json')).stdout)).toEqual(parse(ours.stdout))
    })
  })

  it("dsn: this host's member through Debian's socket directory, so psql as postgres needs no password; --tcp as patronictl dsn gives it", async () => {
    await eventually(async () => {
      const tcp = await cli('dsn', ha.name, '--tcp')
      expect(tcp).toMatchObject({code: 0, stderr: ''})
      expect(tcp.stdout).toBe(patronictl(ha.config, 'dsn'))
    })
    const local = await cli('dsn', ha.name, '--member', 'node1')
    expect(local).toMatchObject({
      code: 0,
      stderr: '',
      stdout: `host=/var/run/postgresql port=${ha.members.node1!.pgPort}\n`,
    })
    const peer = execFileSync(
      'runuser',
      ['-u', 'postgres', '--', 'psql', '-XAtc', 'select current_user', local.stdout.trim()],
      {cwd: '/', encoding: 'utf8', timeout: 10_000}, // postgres cannot enter a 0700 clone: psql would say so
    )
    expect(peer.trim()).toBe('postgres') // peer authentication: no password anywhere
    const other = (
      await cli('dsn', ha.name, '--member', 'node2', '--dbname', 'postgres', '--user', 'postgres')
    ).stdout.trim()
    expect(other).toBe(`host=127.0.0.1 port=${ha.members.node2!.pgPort} dbname=postgres user=postgres`) // another host's: TCP
    const replica = (
      await cli('dsn', ha.name, '--role', 'replica', '--tcp', '--dbname', 'postgres', '--user', 'postgres')
    ).stdout.trim()
    expect(replica).toMatch(/^host=127\.0\.0\.1 port=2543\d dbname=postgres user=postgres$/)
    const inRecovery = execFileSync(
      'runuser',
      ['-u', 'postgres', '--', 'psql', '-XAtc', 'select pg_is_in_recovery()', `${replica} host=/var/run/postgresql`],
      {cwd: '/', encoding: 'utf8', timeout: 10_000}, // postgres cannot enter a 0700 clone: psql would say so
    )
    expect(inRecovery.trim()).toMatch(/^[tf]$/) // connected; a switchover may have promoted it meanwhile
  })

  it('version: each member as patronictl version shows it', async () => {
    await eventually(async () => {
      const ours = await cli('version', ha.name)
      expect(ours).toMatchObject({code: 0, stderr: ''})
      expect(ours.stdout).toMatch(/^pgpatronictl version \d+\.\d+\.\d+\n\n/)
      const lines = (text: string) => text.split('\n').slice(1).filter(Boolean)
      expect(lines(ours.stdout)).toEqual(lines(patronictl(ha.config, 'version', ha.scope)))
    })
  })

  it('completion: the instances of the test config directory', async () => {
    const words = await cli('__complete', 'instances')
    expect(words.stdout.split('\n').filter(Boolean)).toEqual([
      instances.orphan.name,
      instances.auth.name,
      ha.name,
      instances.new.name,
      instances.tls.name,
      instances.v4.name,
    ])
  })
})
