import {execFileSync} from 'node:child_process'
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'

import {Terminal} from '../helpers/terminal.js'
import {announceSkip, testCluster} from '../helpers/test-cluster.js'

const {cluster: lab, skip} = testCluster()
announceSkip('remove against the test etcd', skip)

// A throwaway scope beside the real ones in the test etcd: remove takes it, and nothing of theirs.
describe.skipIf(!lab)('remove on the test etcd: a throwaway scope goes, the real scopes stay', () => {
  const {etcd, namespace} = lab!
  const dir = mkdtempSync(join(tmpdir(), 'pgpt-remove-int-'))
  const etcdctl = (...args: string[]) =>
    execFileSync('etcdctl', [`--endpoints=${etcd}`, ...args], {
      encoding: 'utf8',
      env: {...process.env, ETCDCTL_API: '3'},
    })
  const keys = () => etcdctl('get', '--prefix', '--keys-only', namespace).split('\n').filter(Boolean).sort()
  afterAll(() => {
    Terminal.closeAll()
    etcdctl('del', '--prefix', `${namespace}15-pgpt_gone/`) // if the test failed half-way
    rmSync(dir, {force: true, recursive: true})
  })

  it('asks, then deletes exactly <namespace>15-pgpt_gone/', async () => {
    const config = readFileSync(lab!.instances.ha.config, 'utf8').replace(/^scope: .*$/m, 'scope: "15-pgpt_gone"')
    writeFileSync(join(dir, '15-pgpt_gone.yml'), config)
    const before = keys().filter((k) => !k.startsWith(`${namespace}15-pgpt_gone/`))
    const prefix = `${namespace}15-pgpt_gone/`
    etcdctl('put', `${prefix}initialize`, '7000000000000000077')
    etcdctl('put', `${prefix}config`, '{"ttl": 20}')
    etcdctl('put', `${prefix}members/node1`, '{"conn_url":"postgres://127.0.0.1:1/postgres","state":"stopped"}')
    const term = Terminal.start(['remove', '15/pgpt_gone', '--config-dir', dir])
    try {
      await term.waitFor(/Please confirm the cluster name to remove/)
      expect(term.screen()).toContain('+ Cluster: 15-pgpt_gone (7000000000000000077)')
      term.type('15-pgpt_gone').keys('Enter')
      await term.waitFor(/please type: "Yes I am aware"/)
      term.type('Yes I am aware').keys('Enter')
      expect(await term.exitCode()).toBe(0)
      expect(term.screen()).toContain(`Removed 15-pgpt_gone from the DCS: ${prefix} in etcd3 ${etcd} (3 keys)`)
    } finally {
      term.close()
    }
    const after = keys()
    expect(after.filter((k) => k.startsWith(prefix))).toEqual([])
    // every scope of the real clusters keeps its keys (members may come and go: compare the fixed ones)
    const fixed = (list: string[]) => list.filter((k) => /\/(config|initialize)$/.test(k))
    expect(fixed(after)).toEqual(fixed(before))
  })
})
