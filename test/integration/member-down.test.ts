import {execFileSync} from 'node:child_process'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {runCli} from '../helpers/cli.js'
import {announceSkip, patronictlJson, pidOf, testCluster, waitHealthy} from '../helpers/test-cluster.js'

const {cluster: lab, skip} = testCluster()
announceSkip('list with a member down', skip)

// up.sh is idempotent: it restarts exactly the daemons that are missing
const repair = () => execFileSync('bash', ['test/cluster/up.sh'], {stdio: 'pipe', timeout: 120_000})

describe.skipIf(!lab)('list when a member of the real cluster is down', () => {
  const {configDir, instances} = lab!
  const ha = instances.ha
  const haPort = ha.members.node1!.restPort
  let cache: string
  const list = (...args: string[]) =>
    runCli(['list', '--config-dir', configDir, ...args], {env: {XDG_CACHE_HOME: cache}})

  beforeAll(async () => {
    cache = mkdtempSync(join(tmpdir(), 'pgpt-down-'))
    await waitHealthy(haPort, 3)
  })
  afterAll(async () => {
    repair()
    await waitHealthy(haPort, 3)
    rmSync(cache, {force: true, recursive: true})
  })

  it('a replica whose Patroni was stopped leaves the member list, as patronictl shows it', async () => {
    process.kill(pidOf(ha.members.node3!), 'SIGTERM')
    const deadline = Date.now() + 30_000
    while (patronictlJson(ha.config, ha.scope).length !== 2 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 300))
    const ours = JSON.parse((await list(ha.name, '-f', 'json')).stdout) as {Member: string; Role: string}[]
    expect(ours.map((r) => r.Member)).toEqual(patronictlJson(ha.config, ha.scope).map((r) => r.Member))
    expect(ours.map((r) => r.Member)).toEqual(['node1', 'node2'])
    const host = JSON.parse((await list('-f', 'json')).stdout) as Record<string, unknown>[]
    expect(host.find((r) => r.instance === ha.name)).toMatchObject({
      members_running: 2,
      members_total: 2,
      role: 'Leader',
    })
    repair()
    await waitHealthy(haPort, 3)
  })

  it("this host's Patroni killed: says so, answers from another member, exits 0; host view too", async () => {
    expect((await list(ha.name)).code).toBe(0) // remembers the other members
    process.kill(pidOf(ha.members.node1!), 'SIGKILL') // its postgres keeps running; ttl is 20 s
    try {
      const started = Date.now()
      const cluster = await list(ha.name, '-f', 'json')
      const host = await list('-f', 'json')
      expect(Date.now() - started).toBeLessThan(8000)
      expect(cluster.code).toBe(0)
      expect(cluster.stderr).toMatch(
        new RegExp(
          `^Warning: ${ha.name}: this host's REST API \\(127\\.0\\.0\\.1:${haPort}\\) did not answer \\(connection refused\\); data from 127\\.0\\.0\\.1:280(09|10)\n$`,
        ),
      )
      expect((JSON.parse(cluster.stdout) as {Member: string}[]).map((r) => r.Member)).toEqual([
        'node1',
        'node2',
        'node3',
      ])
      const row = (JSON.parse(host.stdout) as Record<string, unknown>[]).find((r) => r.instance === ha.name)!
      expect(row.leader).toBe('node1')
      expect(row.error).toMatch(
        /^this host's REST API did not answer \(connection refused\); data from 127\.0\.0\.1:(28009|28010)$/,
      )
      const pretty = await list(ha.name, '--timeout', '2')
      expect(pretty.stdout).toContain('| node1  |')
    } finally {
      repair() // well inside the 20 s ttl: Patroni comes back and adopts its running postgres
    }
    await waitHealthy(haPort, 3)
    expect(patronictlJson(ha.config, ha.scope).find((m) => m.Member === 'node1')).toMatchObject({Role: 'Leader'})
  })
})
