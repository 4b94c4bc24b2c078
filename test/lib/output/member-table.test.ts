import {readFileSync} from 'node:fs'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'
import {parse} from 'yaml'

import {renderClusters} from '../../../src/lib/list/views.js'
import {layoutOf, mergeLayouts} from '../../../src/lib/output/member-table.js'
import {renderTopology} from '../../../src/lib/output/topology.js'
import {normaliseCluster} from '../../../src/lib/rest/cluster.js'
import {fixture} from '../../helpers/fake-patroni.js'

/** What patroni.ctl.output_members of that version printed for the fixture (see test/fixtures/patronictl/README.md). */
const recorded = (name: string): string =>
  readFileSync(join(import.meta.dirname, '..', '..', 'fixtures', 'patronictl', `${name}.txt`), 'utf8').replace(
    /\n$/,
    '',
  )

const systemId = '7000000000000000001'
/** A /cluster answer and the Patroni version that answered (cluster-4.1 has no `lag`: no 4.0 server sends it so). */
const CASES = [
  ['cluster-4.1', '4.1.4'],
  ['cluster-4.1-reasons', '4.0.7'],
  ['cluster-4.1-reasons', '4.1.4'],
] as const

const clusterOf = (name: string, patroniVersion: string) => ({
  ...normaliseCluster(JSON.parse(fixture(`${name}.json`)), '15-main', 'http://127.0.0.1:58008'),
  patroniVersion,
})

describe('member table by server version, against patronictl of that version', () => {
  for (const [name, version] of CASES)
    for (const extended of [false, true]) {
      const suffix = `${name}.${version}`
      const e = extended ? '.e' : ''
      const views = [{cluster: clusterOf(name, version), systemId}]

      it(`${suffix}${e}: pretty and json the same text, yaml the same data`, async () => {
        expect(await renderClusters(views, 'pretty', extended)).toBe(recorded(`${suffix}.pretty${e}`))
        const json = await renderClusters(views, 'json', extended)
        expect(JSON.stringify(JSON.parse(json))).toBe(JSON.stringify(JSON.parse(recorded(`${suffix}.json${e}`)))) // key order too
        const yaml = await renderClusters(views, 'yaml', extended)
        expect(parse(yaml, {version: '1.1'})).toEqual(parse(recorded(`${suffix}.yaml${e}`), {version: '1.1'}))
      })

      it(`${suffix}${e}: tsv the same, a multi-line restart reason on one line`, async () => {
        // patronictl writes the reason's line break into the tsv, which splits the row; pgpatronictl a space
        const patronictl = recorded(`${suffix}.tsv${e}`).replaceAll('200\nshared', '200 shared')
        expect(await renderClusters(views, 'tsv', extended)).toBe(patronictl)
      })
    }

  for (const [name, version] of CASES)
    it(`${name}.${version}: topology the same text (tags in flow style, long reasons hidden)`, () => {
      expect(renderTopology({cluster: clusterOf(name, version), systemId})).toBe(
        recorded(`${name}.${version}.topology`),
      )
    })
})

describe('layoutOf', () => {
  const cluster = (patroniVersion?: string, members: object[] = []) => ({
    ...normaliseCluster({members}, 'demo', 'http://x:1'),
    patroniVersion,
  })

  it("follows the answering member's Patroni version", () => {
    expect(layoutOf(cluster('3.0.2'))).toEqual({lagInMb: true, lsn: false, reason: false})
    expect(layoutOf(cluster('3.3.0'))).toEqual({lagInMb: true, lsn: false, reason: true})
    expect(layoutOf(cluster('4.0.7'))).toEqual({lagInMb: true, lsn: false, reason: true})
    expect(layoutOf(cluster('4.1.0'))).toEqual({lagInMb: false, lsn: true, reason: true})
    expect(layoutOf(cluster('5.0.0'))).toEqual({lagInMb: false, lsn: true, reason: true})
  })

  it('without a version, from what the members carry', () => {
    const replica = {name: 'b', role: 'replica', state: 'streaming'}
    expect(layoutOf(cluster(undefined, [replica]))).toEqual({lagInMb: true, lsn: false, reason: false})
    expect(layoutOf(cluster(undefined, [{...replica, receive_lsn: 'unknown', replay_lsn: '0/1'}]))).toEqual({
      lagInMb: false,
      lsn: true,
      reason: false,
    })
    const pending = {...replica, pending_restart_reason: {work_mem: {new_value: '8MB', old_value: '4MB'}}}
    expect(layoutOf(cluster(undefined, [pending])).reason).toBe(true)
  })

  it('several clusters in one table: every column any of them has', async () => {
    expect(mergeLayouts([layoutOf(cluster('3.0.2')), layoutOf(cluster('4.1.4'))])).toEqual({
      lagInMb: true,
      lsn: true,
      reason: true,
    })
    const v3 = {cluster: clusterOf('cluster-4.1-reasons', '3.0.2')}
    const v41 = {cluster: {...clusterOf('cluster-4.1', '4.1.4'), scope: 'demo'}}
    const header = (await renderClusters([v3, v41], 'tsv', false)).split('\n')[0]
    expect(header).toBe(
      'Cluster\tMember\tHost\tRole\tState\tTL\tLag in MB\tReceive LSN\tReceive Lag\tReplay LSN\tReplay Lag\tPending restart\tScheduled restart\tTags',
    )
  })
})
