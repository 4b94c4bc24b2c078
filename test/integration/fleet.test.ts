import {execFileSync} from 'node:child_process'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {runCli} from '../helpers/cli.js'
import {HostTree} from '../helpers/host-tree.js'
import {announceSkip, patronictlJson, testCluster, waitHealthy} from '../helpers/test-cluster.js'

const {cluster: lab, skip} = testCluster()
announceSkip('list --fleet against the real test cluster', skip)

type FleetRecord = {
  scope: string
  instance?: string
  leader?: string
  timeline?: number
  members_total: number
  members_running: number
  healthy: boolean
  this_host?: string[]
  problems: unknown[]
}
type MemberRow = {Member: string; Role: string; TL?: number}

describe.skipIf(!lab)('list --fleet on the real test cluster (etcd 3.4, Patroni 3.0.2 and 4.0.7)', () => {
  const {configDir, etcd, instances, namespace} = lab!
  const admin = new HostTree() // a host without Patroni configs
  /** The scopes in the test cluster's etcd, read with etcdctl (read only). */
  const scopesInEtcd = () =>
    [
      ...new Set(
        execFileSync('etcdctl', [`--endpoints=${etcd}`, 'get', '--prefix', '--keys-only', namespace], {
          encoding: 'utf8',
          env: {...process.env, ETCDCTL_API: '3'},
        })
          .split('\n')
          .filter((key) => key.startsWith(namespace))
          .map((key) => key.slice(namespace.length).split('/')[0]!),
      ),
    ].sort()

  beforeAll(async () => {
    await waitHealthy(instances.ha.members.node1!.restPort, 3)
    await waitHealthy(instances.auth.members.node1!.restPort, 1)
    await waitHealthy(instances.v4.members.node1!.restPort, 3)
  }, 120_000)
  afterAll(() => admin.remove())

  it("shows every scope of the test cluster's etcd, from one request, with the leader, timeline and members of list V/C and patronictl", async () => {
    const result = await runCli(['list', '--fleet', '--config-dir', configDir, '-f', 'json', '--debug'])
    expect(result.code).toBe(0)
    expect([...result.stderr.matchAll(/^debug: (\w+ \S+) ->/gm)].map((m) => m[1])).toEqual([
      `POST http://${etcd}/v3/kv/range`,
    ])
    const fleet = JSON.parse(result.stdout) as FleetRecord[]
    expect(fleet.map((r) => r.scope).sort()).toEqual(scopesInEtcd())
    expect(fleet.map((r) => r.scope)).toEqual(expect.arrayContaining([instances.ha.scope, instances.auth.scope]))
    const essentials = (members: MemberRow[]) => {
      const leader = members.find((m) => m.Role === 'Leader')
      return [leader?.Member, leader?.TL, members.length, members.length]
    }
    for (const record of fleet) {
      expect(record).toMatchObject({healthy: true, problems: [], this_host: ['node1']})
      // patronictl reads the same keys with Patroni's own code: every scope, each with its own version's
      const patronictl = record.scope === instances.v4.scope ? instances.v4.patronictl : 'patronictl'
      expect([record.leader, record.timeline, record.members_total, record.members_running]).toEqual(
        essentials(patronictlJson(`${configDir}/${record.scope}.yml`, record.scope, patronictl) as MemberRow[]),
      )
    }
    for (const instance of [instances.ha, instances.auth, instances.v4]) {
      const own = await runCli(['list', instance.name, '--config-dir', configDir, '-f', 'json'])
      expect(own.code, own.stderr).toBe(0)
      const record = fleet.find((r) => r.scope === instance.scope)!
      expect([record.leader, record.timeline, record.members_total, record.members_running]).toEqual(
        essentials(JSON.parse(own.stdout) as MemberRow[]),
      )
    }
  })

  it('gives the same view from an admin box with -d, as patronictl -d', async () => {
    const own = JSON.parse(
      (await runCli(['list', '--fleet', '--config-dir', configDir, '-f', 'json'])).stdout,
    ) as FleetRecord[]
    const result = await runCli([
      'list',
      '--fleet',
      '--config-dir',
      admin.paths.configDir,
      '-d',
      `etcd3://${etcd}${namespace}`,
      '-f',
      'json',
    ])
    expect(result.code).toBe(0)
    const remote = JSON.parse(result.stdout) as FleetRecord[]
    const essentials = (records: FleetRecord[]) =>
      records.map((r) => [r.scope, r.instance, r.leader, r.timeline, r.members_total])
    expect(essentials(remote)).toEqual(essentials(own))
    expect(remote.every((r) => r.this_host === undefined)).toBe(true)
  })

  it('pretty: one row per scope and a summary line', async () => {
    const result = await runCli(['list', '--fleet', '--config-dir', configDir])
    expect(result.code).toBe(0)
    const lines = result.stdout.trimEnd().split('\n')
    expect(lines.find((l) => l.startsWith(`${instances.ha.scope} `))).toMatch(
      new RegExp(
        `^${instances.ha.scope} +${instances.ha.name} +node1 +127\\.0\\.0\\.1:25432 +3/3 +\\d+ +0 +- +- +- +node1 +-$`,
      ),
    )
    expect(lines.at(-1)).toBe(`${scopesInEtcd().length} clusters in etcd3 ${etcd} ${namespace}: all healthy.`)
  })
})
