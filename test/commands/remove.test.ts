import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {runCli} from '../helpers/cli.js'
import {TEST_NAMESPACE, debianYaml} from '../helpers/host-tree.js'
import {PrivateEtcd, patroniKeys} from '../helpers/private-etcd.js'
import {Terminal} from '../helpers/terminal.js'

const unavailable = PrivateEtcd.unavailableReason()

// remove against a private etcd (v3 and v2): only the scope's own keys go, and only once confirmed.
describe.skipIf(unavailable)('remove: wipes one scope from the DCS', () => {
  const root = mkdtempSync(join(tmpdir(), 'pgpt-remove-'))
  const configDir = join(root, 'patroni')
  const env = {PG_CLUSTER_CONF_ROOT: join(root, 'postgresql'), XDG_CACHE_HOME: join(root, 'cache')}
  let etcd: PrivateEtcd
  const members = [{name: 'node1', pgPort: 1, restPort: 1}]
  const scopeKeys = (scope: string, leader = 'node1') => {
    const keys = patroniKeys(`${TEST_NAMESPACE}${scope}/`, members, leader)
    if (!leader) delete keys[`${TEST_NAMESPACE}${scope}/leader`]
    return keys
  }
  const keysOf = (scope: string) =>
    etcd.etcdctl('get', '--prefix', '--keys-only', `${TEST_NAMESPACE}${scope}/`).split('\n').filter(Boolean)
  const cli = (...args: string[]) => runCli([...args, '--config-dir', configDir], {env})

  beforeAll(async () => {
    etcd = await PrivateEtcd.start({v2: true})
    mkdirSync(configDir, {recursive: true})
    // REST on a closed port: remove reads and writes the DCS only
    for (const name of ['gone', 'led', 'gone2'])
      writeFileSync(join(configDir, `15-${name}.yml`), debianYaml('15', name, 1, '', {dcs: `127.0.0.1:${etcd.port}`}))
    const v2 = debianYaml('15', 'old', 1, '', {dcs: `127.0.0.1:${etcd.port}`}).replace('etcd3:', 'etcd:')
    writeFileSync(join(configDir, '15-old.yml'), v2)
  })
  afterAll(async () => {
    Terminal.closeAll()
    await etcd?.stop()
    rmSync(root, {force: true, recursive: true})
  })

  it('--dry-run prints the range delete of exactly the prefix; without a terminal it refuses; --force not while led', async () => {
    await etcd.putMany({...scopeKeys('15-led'), ...scopeKeys('15-led2')})
    const dry = await cli('remove', '15/led', '--dry-run')
    expect(dry.code).toBe(0)
    expect(dry.stdout).toMatch(/^\+ Cluster: 15-led \(7712075003020920185\) /)
    const range = (text: string) => Buffer.from(text).toString('base64')
    expect(dry.stdout).toContain(
      `POST http://127.0.0.1:${etcd.port}/v3/kv/deleterange {"key":"${range(`${TEST_NAMESPACE}15-led/`)}","range_end":"${range(`${TEST_NAMESPACE}15-led0`)}"}`,
    )
    const script = await cli('remove', '15/led')
    expect(script).toMatchObject({code: 2, stderr: expect.stringContaining('run it on a terminal, or pass --force')})
    const forced = await cli('remove', '15/led', '--force')
    expect(forced).toMatchObject({
      code: 1,
      stderr: 'Error: 15-led has a leader (node1): stop Patroni first, or confirm on a terminal\n',
    })
    expect(keysOf('15-led')).toHaveLength(5)
    expect((await cli('remove', '15/led', '--group', '0')).code).toBe(2)
  })

  it('asks for the name, "Yes I am aware" and the leader on a terminal; only that scope goes', async () => {
    await etcd.putMany({...scopeKeys('15-gone'), ...scopeKeys('15-gone2')})
    const term = Terminal.start(['remove', '15/gone', '--config-dir', configDir], env)
    try {
      await term.waitFor(/Please confirm the cluster name to remove/)
      term.type('15-gone').keys('Enter')
      await term.waitFor(/please type: "Yes I am aware"/)
      term.type('Yes I am aware').keys('Enter')
      await term.waitFor(/This cluster currently is healthy. Please specify the leader name to continue/)
      term.type('node1').keys('Enter')
      expect(await term.exitCode()).toBe(0)
      expect(term.screen()).toMatch(
        /Removed 15-gone from the DCS: \/pgpt-test\/15-gone\/ in etcd3 127\.0\.0\.1:\d+ \(5 keys\)/,
      )
    } finally {
      term.close()
    }
    expect(keysOf('15-gone')).toEqual([])
    expect(keysOf('15-gone2')).toHaveLength(5) // 15-gone2 starts with 15-gone: the prefix ends in a slash
  })

  it('a wrong answer aborts (exit 5) and removes nothing', async () => {
    await etcd.putMany(scopeKeys('15-gone'))
    const term = Terminal.start(['remove', '15/gone', '--config-dir', configDir], env)
    try {
      await term.waitFor(/Please confirm the cluster name to remove/)
      term.type('15/gone').keys('Enter') // the instance name is accepted too
      await term.waitFor(/please type: "Yes I am aware"/)
      term.type('yes').keys('Enter')
      expect(await term.exitCode()).toBe(5)
      expect(term.screen()).toContain('Error: You did not exactly type "Yes I am aware": nothing removed')
    } finally {
      term.close()
    }
    expect(keysOf('15-gone')).toHaveLength(5)
  })

  it('etcd v2: --force removes a cluster without a leader, recursively, and nothing else', async () => {
    for (const scope of ['15-old', '15-old2']) {
      await etcd.putV2(`${TEST_NAMESPACE}${scope}/initialize`, '7712075003020920185')
      await etcd.putV2(`${TEST_NAMESPACE}${scope}/members/node1`, '{"conn_url":"postgres://127.0.0.1:1/postgres"}')
    }
    const removed = await cli('remove', '15/old', '--force')
    expect(removed).toMatchObject({code: 0, stderr: ''})
    expect(removed.stdout).toContain(`Removed 15-old from the DCS: /pgpt-test/15-old/ in etcd 127.0.0.1:${etcd.port}`)
    const v2 = async (scope: string) =>
      (await fetch(`${etcd.url}/v2/keys${TEST_NAMESPACE}${scope}?recursive=true`)).status
    expect(await v2('15-old')).toBe(404)
    expect(await v2('15-old2')).toBe(200)
    const again = await cli('remove', '15/old', '--force')
    expect(again).toMatchObject({code: 1, stderr: expect.stringContaining('no keys under /pgpt-test/15-old/')})
  })
})
