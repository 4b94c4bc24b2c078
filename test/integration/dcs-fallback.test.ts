import {execFileSync} from 'node:child_process'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {runCli} from '../helpers/cli.js'
import {announceSkip, patronictlJson, pidOf, testCluster, waitHealthy} from '../helpers/test-cluster.js'

const {cluster: lab, skip} = testCluster()
announceSkip("list from the DCS when this host's Patroni is stopped", skip)

// up.sh is idempotent: it restarts exactly the daemons that are missing
const repair = () => execFileSync('bash', ['test/cluster/up.sh'], {stdio: 'pipe', timeout: 120_000})

type Row = {Member: string; Host?: string; Role: string; State: string; TL?: number}

describe.skipIf(!lab)("list when this host's Patroni of the real cluster is stopped (DCS fallback)", () => {
  const {configDir, etcd, instances, namespace} = lab!
  const ha = instances.ha
  const haPort = ha.members.node1!.restPort
  const caches: string[] = []
  /** Every run with a new, empty member cache: no other member's REST address is known. */
  const list = (...args: string[]) => {
    const cache = mkdtempSync(join(tmpdir(), 'pgpt-dcs-int-'))
    caches.push(cache)
    return runCli(['list', '--config-dir', configDir, ...args], {env: {XDG_CACHE_HOME: cache}})
  }
  const roles = () => Object.fromEntries(patronictlJson(ha.config, ha.scope).map((m) => [m.Member, m.Role]))
  // read-only: is node1's member key still in etcd?
  const node1Key = () =>
    execFileSync(
      'etcdctl',
      [`--endpoints=${etcd}`, 'get', '--print-value-only', `${namespace}${ha.scope}/members/node1`],
      {encoding: 'utf8', env: {...process.env, ETCDCTL_API: '3'}},
    ).trim()

  beforeAll(() => waitHealthy(haPort, 3), 120_000)
  afterAll(async () => {
    // node1 back, then back in the lead: the other suites expect the cluster up.sh made
    repair()
    await waitHealthy(haPort, 3, 90_000)
    if (roles().node1 !== 'Leader')
      expect(
        (await runCli(['switchover', ha.name, '--candidate', 'node1', '--force', '--config-dir', configDir])).code,
      ).toBe(0)
    await waitHealthy(haPort, 3, 90_000)
    expect(roles().node1).toBe('Leader')
    for (const cache of caches) rmSync(cache, {force: true, recursive: true})
  }, 240_000)

  it('shows node2 and node3 from the members the DCS names, and node1 unreachable', async () => {
    process.kill(pidOf(ha.members.node1!), 'SIGTERM') // graceful: demotes, stops postgres, deletes its member key
    const deadline = Date.now() + 60_000
    const settled = () => {
      const members = patronictlJson(ha.config, ha.scope)
      return (
        node1Key() === '' &&
        members.length === 2 &&
        members.some((m) => m.Role === 'Leader') &&
        members.every((m) => m.State === 'running' || m.State === 'streaming')
      )
    }
    while (!settled()) {
      if (Date.now() > deadline)
        throw new Error(`node1 did not leave the cluster: ${JSON.stringify(patronictlJson(ha.config, ha.scope))}`)
      await new Promise((resolve) => setTimeout(resolve, 500))
    }

    const result = await list(ha.name, '-f', 'json', '--debug')
    expect(result.code).toBe(0)
    const rows = JSON.parse(result.stdout) as Row[]
    expect(rows.map((r) => r.Member)).toEqual(['node1', 'node2', 'node3'])
    expect(rows[0]).toEqual({
      Cluster: ha.scope,
      Host: `127.0.0.1:${ha.members.node1!.pgPort}`,
      Member: 'node1',
      Role: '',
      State: 'unreachable',
    })
    expect(rows.filter((r) => r.Role === 'Leader').map((r) => r.Member)).toEqual([expect.stringMatching(/^node[23]$/)])
    // the other rows are what patronictl (which reads the DCS) shows
    const strip = (r: Row | Record<string, unknown>) => ({Member: r.Member, Role: r.Role, State: r.State, TL: r.TL})
    expect(rows.slice(1).map(strip)).toEqual(patronictlJson(ha.config, ha.scope).map(strip))
    // the way there: this host's REST API refused, the DCS was read, a member it names answered
    expect(result.stderr).toContain(`debug: GET http://127.0.0.1:${haPort}/cluster -> connection refused`)
    expect(result.stderr).toMatch(new RegExp(`debug: POST http://${etcd.replaceAll('.', '\\.')}/v3/kv/range -> 200`))
    expect(result.stderr).toMatch(
      new RegExp(
        `^Warning: ${ha.name}: this host's REST API \\(127\\.0\\.0\\.1:${haPort}\\) did not answer \\(connection refused\\); data from 127\\.0\\.0\\.1:280(09|10)$`,
        'm',
      ),
    )

    const pretty = await list(ha.name)
    expect(pretty.code).toBe(0)
    expect(pretty.stdout).toMatch(
      new RegExp(
        `^\\| node1 +\\| 127\\.0\\.0\\.1:${ha.members.node1!.pgPort} \\| +\\| unreachable \\| +\\| +\\|$`,
        'm',
      ),
    )
  })

  it('fills the host-wide row of 15/pgpt_ha the same way, exit 0', async () => {
    const result = await list('-f', 'json')
    expect(result.code).toBe(0)
    const row = (JSON.parse(result.stdout) as Record<string, unknown>[]).find((r) => r.instance === ha.name)!
    expect(row).toMatchObject({member: 'node1', members_running: 2, members_total: 3, role: '', state: 'unreachable'})
    expect(row.leader).toMatch(/^node[23]$/)
    expect(row.error).toMatch(
      /^this host's REST API did not answer \(connection refused\); data from 127\.0\.0\.1:280(09|10)$/,
    )
  })
})
