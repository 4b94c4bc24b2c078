import {execFileSync} from 'node:child_process'
import {describe, expect, it} from 'vitest'

import {runCli} from '../helpers/cli.js'
import {announceSkip, eventually, testCluster} from '../helpers/test-cluster.js'

const {cluster: lab, skip} = testCluster()
announceSkip('version MEMBER... and topology of several clusters against the real cluster', skip)

/** Member, host, role and state of each body row of framed tables (lag and timeline move). */
const shape = (text: string) =>
  text
    .split('\n')
    .filter((l) => l.startsWith('| ') && !l.startsWith('| Member'))
    .map((l) =>
      l
        .split('|')
        .slice(1, 5)
        .map((c) => c.trim()),
    )

describe.skipIf(!lab)('patronictl forms on the real cluster, each version against its own patronictl', () => {
  const {configDir, instances} = lab!
  for (const key of ['ha', 'v4'] as const) {
    const instance = instances[key]
    const patronictl = (...args: string[]) =>
      execFileSync('patronictl' in instance ? instance.patronictl : 'patronictl', ['-c', instance.config, ...args], {
        encoding: 'utf8',
        timeout: 30_000,
      })

    it(`${instance.name}: version CLUSTER MEMBER... prints the same member lines`, async () => {
      const ours = await runCli(['version', instance.name, 'node3', 'node2', '--config-dir', configDir])
      expect(ours).toMatchObject({code: 0, stderr: ''})
      const lines = (text: string) => text.split('\n').slice(1)
      expect(lines(ours.stdout)).toEqual(lines(patronictl('version', instance.scope, 'node3', 'node2')))
      expect(lines(ours.stdout).filter(Boolean)).toHaveLength(2)
    })

    it(`${instance.name}: topology of two clusters, the same trees as patronictl topology A B`, async () => {
      const other = instances.auth
      await eventually(async () => {
        const ours = await runCli(['topology', instance.name, other.name, '--config-dir', configDir])
        expect(ours).toMatchObject({code: 0, stderr: ''})
        expect(shape(ours.stdout)).toEqual(shape(patronictl('topology', instance.scope, other.scope)))
        expect(ours.stdout.match(/^\+ Cluster: \S+/gm)).toEqual([
          `+ Cluster: ${instance.scope}`,
          `+ Cluster: ${other.scope}`,
        ])
      })
    })
  }
})
