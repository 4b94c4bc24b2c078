import {execFileSync} from 'node:child_process'

import {describe, expect, it} from 'vitest'
import {parse} from 'yaml'

import {runCli} from '../helpers/cli.js'
import {announceSkip, eventually, testCluster, waitHealthy} from '../helpers/test-cluster.js'

const {cluster: lab, skip} = testCluster()
announceSkip('output parity with patronictl 3.0.2 and 4.0.7 on the real cluster', skip)

/**
 * What a PyYAML script reads (yaml.safe_load, Patroni's own python3), as JSON; a value PyYAML
 * mistypes (a timestamp read as a datetime) comes out as its str(), so it differs from the string.
 */
const pyyaml = (text: string): unknown =>
  JSON.parse(
    execFileSync(
      '/usr/bin/python3',
      ['-c', 'import json,sys,yaml; print(json.dumps(yaml.safe_load(sys.stdin.read()), default=str))'],
      {encoding: 'utf8', input: text, timeout: 30_000},
    ),
  )

/**
 * Both Patroni versions Debian users run, each compared with its own patronictl: `list`, `list
 * -e`, `history`, `show-config` parse equal in json, yaml (also for PyYAML) and tsv, `topology`
 * draws the same table (3.0.2's patronictl leaves the system identifier out of the title).
 */
describe.skipIf(!lab)('output parity with the same-version patronictl', () => {
  const {configDir, instances} = lab!
  const versions = [
    {instance: instances.ha, patronictl: 'patronictl', titleHasSystemId: false, version: '3.0.2'},
    {instance: instances.v4, patronictl: instances.v4.patronictl, titleHasSystemId: true, version: '4.0.7'},
  ]
  const cli = async (...args: string[]) => {
    const result = await runCli([...args, '--config-dir', configDir])
    expect(result).toMatchObject({code: 0, stderr: ''})
    return result.stdout
  }

  for (const {instance, patronictl, titleHasSystemId, version} of versions) {
    const theirs = (...args: string[]) =>
      execFileSync(patronictl, ['-c', instance.config, ...args], {encoding: 'utf8', timeout: 30_000})
    const healthy = () => waitHealthy(instance.members.node1!.restPort, Object.keys(instance.members).length)

    describe(`Patroni ${version} (${instance.name})`, () => {
      it('list and list -e: the same JSON (keys, their order, types), TSV text and YAML data', async () => {
        await healthy()
        for (const extended of [[], ['-e']]) {
          await eventually(async () => {
            const json = await cli('list', instance.name, ...extended, '-f', 'json')
            const expected = theirs('list', instance.scope, ...extended, '-f', 'json')
            expect(JSON.stringify(JSON.parse(json))).toBe(JSON.stringify(JSON.parse(expected)))
          })
          await eventually(async () => {
            const tsv = await cli('list', instance.name, ...extended, '-f', 'tsv')
            expect(tsv).toBe(theirs('list', instance.scope, ...extended, '-f', 'tsv'))
          })
          await eventually(async () => {
            const yaml = await cli('list', instance.name, ...extended, '-f', 'yaml')
            const expected = theirs('list', instance.scope, ...extended, '-f', 'yaml')
            expect(parse(yaml, {version: '1.1'})).toEqual(parse(expected, {version: '1.1'}))
            expect(pyyaml(yaml)).toEqual(pyyaml(expected))
          })
        }
      })

      it(`list -e: the columns of patronictl ${version} (Pending restart reason from 3.3)`, async () => {
        await healthy()
        const header = (await cli('list', instance.name, '-e', '-f', 'tsv')).split('\n')[0]
        expect(header).toBe(theirs('list', instance.scope, '-e', '-f', 'tsv').split('\n')[0])
        expect(header!.includes('Pending restart reason')).toBe(version.startsWith('4.'))
        expect(header).toContain('\tLag in MB\t') // 4.1 would show Receive/Replay LSN and lag instead
      })

      it('history: the same JSON, TSV text and YAML data; timestamps stay strings for PyYAML', async () => {
        await eventually(async () => {
          const json = await cli('history', instance.name, '-f', 'json')
          expect(JSON.parse(json)).toEqual(JSON.parse(theirs('history', '-f', 'json')))
          expect(await cli('history', instance.name, '-f', 'tsv')).toBe(theirs('history', '-f', 'tsv'))
          const yaml = await cli('history', instance.name, '-f', 'yaml')
          const expected = theirs('history', '-f', 'yaml')
          expect(parse(yaml, {version: '1.1'})).toEqual(parse(expected, {version: '1.1'}))
          expect(pyyaml(yaml)).toEqual(pyyaml(expected))
          expect(pyyaml(yaml)).toEqual(JSON.parse(json)) // every Timestamp read back as the string it is
        })
      })

      it('show-config: the same configuration for YAML 1.1 readers and PyYAML; --json the same data', async () => {
        await eventually(async () => {
          const yaml = await cli('show-config', instance.name)
          const expected = theirs('show-config')
          expect(parse(yaml, {version: '1.1'})).toEqual(parse(expected, {version: '1.1'}))
          expect(pyyaml(yaml)).toEqual(pyyaml(expected))
          expect(JSON.parse(await cli('show-config', instance.name, '--json'))).toEqual(pyyaml(expected))
        })
      })

      it('topology: the same table (tree, columns, cells)', async () => {
        await healthy()
        await eventually(async () => {
          const ours = (await cli('topology', instance.name)).trimEnd().split('\n')
          const expected = theirs('topology', instance.scope).trimEnd().split('\n')
          expect(ours.slice(1)).toEqual(expected.slice(1))
          if (titleHasSystemId) expect(ours[0]).toBe(expected[0])
          else expect(ours[0]).toMatch(new RegExp(`^\\+ Cluster: ${instance.scope} \\(\\d+\\) -+\\+`)) // ours adds it
        })
      })
    })
  }
})
