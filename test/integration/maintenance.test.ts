import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, beforeEach, describe, expect, it} from 'vitest'

import {isoWithOffset} from '../../src/lib/operations/switchover-plan.js'
import {runCli} from '../helpers/cli.js'
import {Terminal} from '../helpers/terminal.js'
import {announceSkip, restCluster, testCluster, waitHealthy} from '../helpers/test-cluster.js'

const {cluster: lab, skip} = testCluster()
announceSkip('reload, pause, edit-config, flush and reinit against the real cluster', skip)

describe.skipIf(!lab)('maintenance commands on the real Patroni test cluster', () => {
  const {configDir, instances} = lab!
  const ha = instances.ha
  const haPort = ha.members.node1!.restPort
  const cli = (...args: string[]) => runCli([...args, '--config-dir', configDir])
  const dynamicConfig = async () =>
    (await (await fetch(`http://127.0.0.1:${haPort}/config`)).json()) as Record<string, unknown>
  const patchConfig = (body: object) =>
    fetch(`http://127.0.0.1:${haPort}/config`, {body: JSON.stringify(body), method: 'PATCH'})
  const inAnHour = () => isoWithOffset(new Date(Date.now() + 3_600_000))
  let dir: string

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'pgpt-maint-'))
  })
  beforeEach(() => waitHealthy(haPort, 3))
  afterAll(async () => {
    Terminal.closeAll()
    await patchConfig({pause: null, ttl: 20})
    rmSync(dir, {force: true, recursive: true})
  })

  it('reload asks every member to re-read its configuration', async () => {
    const result = await cli('reload', ha.name, '--force')
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(/^node1: reload scheduled\nnode2: reload scheduled\nnode3: reload scheduled$/m)
  })

  it('pause --wait puts the cluster in maintenance mode, list shows it, resume --wait ends it', async () => {
    try {
      const paused = await cli('pause', ha.name, '--wait', '--force')
      expect(paused.code).toBe(0)
      // each member as it reports, in whatever order their HA loops see it
      const lines = paused.stdout.trimEnd().split('\n')
      expect(lines[0]).toBe('cluster management of 15-pgpt_ha is paused')
      expect(lines.slice(1, -1).sort()).toEqual([
        'node1 reports it is paused',
        'node2 reports it is paused',
        'node3 reports it is paused',
      ])
      expect(lines.at(-1)).toBe('every member reports it')
      expect((await cli('list', ha.name)).stdout).toContain(' Maintenance mode: on')
      expect(
        JSON.parse((await cli('list', '--json')).stdout).find((r: {instance: string}) => r.instance === ha.name).paused,
      ).toBe(true)
      expect((await cli('pause', ha.name, '--force')).stdout).toBe(
        'cluster 15-pgpt_ha is already paused; nothing to do\n',
      )
    } finally {
      const resumed = await cli('resume', ha.name, '--wait', '--force')
      expect(resumed.code).toBe(0)
    }
    expect((await cli('list', ha.name)).stdout).not.toContain('Maintenance mode')
  })

  it('edit-config --set changes only what it names, and says "not changed" the second time', async () => {
    try {
      const result = await cli('edit-config', ha.name, '--set', 'ttl=25', '--force')
      expect(result.code).toBe(0)
      expect(result.stdout).toMatch(/^-ttl: 20\n\+ttl: 25$/m)
      expect(await dynamicConfig()).toMatchObject({loop_wait: 5, retry_timeout: 5, ttl: 25})
      expect((await cli('edit-config', ha.name, '--set', 'ttl=25', '--force')).stdout).toBe('not changed\n')
    } finally {
      await patchConfig({ttl: 20})
    }
  })

  it('edit-config --apply with a YAML error names the file and line (exit 3); --dry-run sends nothing', async () => {
    const bad = join(dir, 'bad.yml')
    writeFileSync(bad, 'ttl: 25\nloop_wait: [5\n')
    const result = await cli('edit-config', ha.name, '--apply', bad, '--force')
    expect(result.code).toBe(3)
    expect(result.stderr).toMatch(new RegExp(`^Error: ${bad}:\\d+:\\d+: invalid YAML: `))
    const good = join(dir, 'good.yml')
    writeFileSync(good, 'postgresql:\n  parameters:\n    work_mem: 8MB\n')
    const dry = await cli('edit-config', ha.name, '--apply', good, '--dry-run')
    expect(dry.stdout).toContain(
      `PATCH http://127.0.0.1:${haPort}/config {"postgresql":{"parameters":{"work_mem":"8MB"}}}`,
    )
    expect(JSON.stringify(await dynamicConfig())).not.toContain('8MB')
  })

  it('edit-config on a terminal: a change made by someone else while it asks is kept, nothing applied (exit 1)', async () => {
    const term = Terminal.start(['edit-config', ha.name, '--set', 'ttl=25'], {PGPATRONICTL_CONFIG_DIR: configDir})
    try {
      await term.waitFor(/Apply these changes to cluster 15-pgpt_ha\?/)
      expect((await patchConfig({retry_timeout: 6})).status).toBe(200) // the other admin
      term.type('y')
      term.keys('Enter')
      expect(await term.exitCode()).toBe(1)
      expect(term.screen()).toContain(
        'Error: the configuration of 15-pgpt_ha was changed by someone else meanwhile; nothing applied: run edit-config again',
      )
      expect(await dynamicConfig()).toMatchObject({retry_timeout: 6, ttl: 20})
    } finally {
      term.close()
      await patchConfig({retry_timeout: 5})
    }
  })

  it('flush cancels a scheduled restart and a scheduled switchover', async () => {
    const scheduled = await cli('restart', ha.name, 'node3', '--scheduled', inAnHour(), '--force')
    expect(scheduled.stdout).toMatch(/^node3: scheduled \(Restart scheduled\)$/m)
    expect((await cli('list', ha.name, '-f', 'json')).stdout).toContain('"Scheduled restart"')
    const flushed = await cli('flush', ha.name, 'restart', '--force')
    expect(flushed.code).toBe(0)
    expect(flushed.stdout).toBe('node3: scheduled restart deleted\n')
    // the member key in the DCS says so after node3's next HA loop (loop_wait 5 s)
    const deadline = Date.now() + 15_000
    while ((await cli('list', ha.name, '-f', 'json')).stdout.includes('"Scheduled restart"') && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 500))
    expect((await cli('list', ha.name, '-f', 'json')).stdout).not.toContain('"Scheduled restart"')

    expect((await cli('switchover', ha.name, '--candidate', 'node2', '--scheduled', inAnHour(), '--force')).code).toBe(
      0,
    )
    expect((await cli('list', ha.name)).stdout).toMatch(/Switchover scheduled at: /)
    const cancelled = await cli('flush', ha.name, 'switchover', '--force')
    expect(cancelled.code).toBe(0)
    expect(cancelled.stdout).toBe('scheduled switchover deleted\n')
    expect((await cli('list', ha.name)).stdout).not.toMatch(/Switchover scheduled/)
    expect((await cli('flush', ha.name, 'switchover', '--force')).stdout).toBe(
      'no switchover is scheduled in cluster 15-pgpt_ha; nothing to do\n',
    )
  })

  it('reinit refuses the leader, and rebuilds a replica with --wait', async () => {
    const leader = await cli('reinit', ha.name, 'node1', '--force')
    expect(leader.code).toBe(1)
    expect(leader.stderr).toBe(
      'Error: node1 is the leader of 15-pgpt_ha and cannot be reinitialized; switch over first\n',
    )
    const before = (await (await fetch(`http://127.0.0.1:${ha.members.node3!.restPort}/patroni`)).json()) as {
      postmaster_start_time: string
    }
    const result = await cli('reinit', ha.name, 'node3', '--wait', '--force')
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(/^node3: reinitialized, replicating again after [\d.]+s$/m)
    const after = (await (await fetch(`http://127.0.0.1:${ha.members.node3!.restPort}/patroni`)).json()) as {
      postmaster_start_time: string
    }
    expect(after.postmaster_start_time).not.toBe(before.postmaster_start_time)
    const {members} = await restCluster(haPort)
    expect(members.find((m) => m.name === 'node3')).toMatchObject({role: 'replica', state: 'running'})
  })
})
