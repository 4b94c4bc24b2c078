import {execFileSync} from 'node:child_process'
import {describe, expect, it} from 'vitest'

import {runCli} from '../helpers/cli.js'
import {announceSkip, testCluster, waitHealthy} from '../helpers/test-cluster.js'

const {cluster: lab, skip} = testCluster()
announceSkip('patronictl command lines against the real cluster', skip)

// A patronictl command line, word for word, given to pgpatronictl: the same members as the
// patronictl of the scope's Patroni version prints. Only reads: the cluster is left as it is.
describe.skipIf(!lab)('patronictl command lines on the real test cluster', () => {
  const {configDir, etcd, instances, namespace} = lab!
  const {ha, v4} = instances
  const dcsUrl = `etcd3://${etcd}${namespace}`
  const env = {PGPATRONICTL_CONFIG_DIR: configDir}
  const strip = (rows: Record<string, unknown>[]) =>
    rows.map(({Cluster, Host, Member, Role, State, TL}) => ({Cluster, Host, Member, Role, State, TL}))
  const theirs = (patronictl: string, args: string[]) =>
    strip(JSON.parse(execFileSync(patronictl, args, {encoding: 'utf8', timeout: 30_000})) as Record<string, unknown>[])
  const ours = async (args: string[], extra: NodeJS.ProcessEnv = {}) => {
    const result = await runCli(args, {env: {...env, ...extra}})
    expect({args, code: result.code, stderr: result.stderr}).toEqual({args, code: 0, stderr: ''})
    return strip(JSON.parse(result.stdout) as Record<string, unknown>[])
  }

  it('Patroni 3.0.2 (15/pgpt_ha): -c FILE list, $PATRONICTL_CONFIG_FILE and -d URL list SCOPE as patronictl -c FILE list SCOPE', async () => {
    await waitHealthy(ha.members.node1!.restPort, 3)
    const reference = theirs('patronictl', ['-c', ha.config, 'list', ha.scope, '-f', 'json'])
    expect(reference).toHaveLength(3)
    expect(await ours(['-c', ha.config, 'list', ha.scope, '-f', 'json'])).toEqual(reference) // the very same words
    expect(await ours(['-c', ha.config, 'list', '-f', 'json'])).toEqual(reference)
    expect(await ours(['-k', '--config-file', ha.config, 'list', '-f', 'json'])).toEqual(reference)
    expect(await ours(['list', '-f', 'json'], {PATRONICTL_CONFIG_FILE: ha.config})).toEqual(reference)
    // patronictl 3.0.2's -d refuses etcd3 ("Unknown dcs scheme"): Debian 12 users reach it through -c
    expect(await ours(['-d', dcsUrl, 'list', ha.scope, '-f', 'json'])).toEqual(reference)
    expect(await ours(['list', ha.scope, '-f', 'json'], {DCS_URL: dcsUrl})).toEqual(reference)
  })

  it("Patroni 4.0.7 (15/pgpt_v4): -d URL list SCOPE as its patronictl, and a scope through another config's DCS", async () => {
    await waitHealthy(v4.members.node1!.restPort, 3)
    const viaDcs = ['-d', dcsUrl, 'list', v4.scope, '-f', 'json']
    const reference = theirs(v4.patronictl, viaDcs)
    expect(reference).toHaveLength(3)
    expect(theirs(v4.patronictl, ['-c', v4.config, 'list', v4.scope, '-f', 'json'])).toEqual(reference)
    expect(await ours(viaDcs)).toEqual(reference) // the very same words
    expect(await ours(['-c', v4.config, 'list', '-f', 'json'])).toEqual(reference)
    expect(await ours(['-c', ha.config, 'list', v4.scope, '-f', 'json'])).toEqual(reference) // ha's config, v4's scope
  })

  it('a scope that is not in the DCS is exit 3 for both -d and -c FILE SCOPE', async () => {
    for (const args of [
      ['-d', dcsUrl, 'list', '15-pgpt_nope'],
      ['-c', ha.config, 'list', '15-pgpt_nope'],
    ]) {
      const result = await runCli(args, {env})
      expect({args, code: result.code, stderr: result.stderr}).toEqual({
        args,
        code: 3,
        stderr: `Error: 15-pgpt_nope: no such cluster in the DCS etcd3 ${etcd} (no keys under ${namespace}15-pgpt_nope/)\n`,
      })
    }
  })
})
