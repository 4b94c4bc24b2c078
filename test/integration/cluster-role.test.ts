import {describe, expect, it} from 'vitest'

import {runCli} from '../helpers/cli.js'
import {announceSkip, testCluster} from '../helpers/test-cluster.js'

const {cluster: lab, skip} = testCluster()
announceSkip('demote-cluster/promote-cluster against the real cluster', skip)

// Demoting a real scope needs a remote primary of the same system and a rebuild afterwards: only
// --dry-run here (the leader it would PATCH, on both Patroni versions); the change itself is tested with fakes.
describe.skipIf(!lab)('demote-cluster and promote-cluster --dry-run on the real cluster', () => {
  const {configDir, instances} = lab!
  for (const key of ['ha', 'v4'] as const) {
    const instance = instances[key]
    it(`${instance.name}: the PATCH it would send to the leader; promote: already no standby cluster`, async () => {
      const demote = await runCli([
        'demote-cluster',
        instance.name,
        '--host',
        '127.0.0.1',
        '--port',
        '1',
        '--dry-run',
        '--config-dir',
        configDir,
      ])
      expect(demote).toMatchObject({code: 0, stderr: ''})
      const ports = Object.values(instance.members).map((m) => m.restPort)
      const match =
        /PATCH http:\/\/127\.0\.0\.1:(\d+)\/config \{"standby_cluster":\{"host":"127\.0\.0\.1","port":1\}\}/.exec(
          demote.stdout,
        )
      expect(ports).toContain(Number(match?.[1]))
      const promote = await runCli(['promote-cluster', instance.name, '--dry-run', '--config-dir', configDir])
      expect(promote).toMatchObject({
        code: 0,
        stdout: `${instance.scope} is already no standby cluster; nothing to do\n`,
      })
    })
  }
})
