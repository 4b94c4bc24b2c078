import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, beforeEach, describe, expect, it} from 'vitest'

import {runCli} from '../helpers/cli.js'
import {Terminal} from '../helpers/terminal.js'
import {
  announceSkip,
  node1Leads as node1LeadsIn,
  patronictlJson,
  pidOf,
  restCluster,
  testCluster,
  waitHealthy,
} from '../helpers/test-cluster.js'

const {cluster: lab, skip} = testCluster()
announceSkip('switchover, failover and restart against the real cluster', skip)

describe.skipIf(!lab)('operations on the real Patroni test cluster', () => {
  const {configDir, instances} = lab!
  const ha = instances.ha
  const haPort = ha.members.node1!.restPort
  const cli = (...args: string[]) => runCli([...args, '--config-dir', configDir])
  const roles = () => Object.fromEntries(patronictlJson(ha.config, ha.scope).map((m) => [m.Member, m.Role]))
  const timeline = () => patronictlJson(ha.config, ha.scope).find((m) => m.Role === 'Leader')!.TL as number
  const startTimes = async () => {
    const entries = await Promise.all(
      Object.entries(ha.members).map(async ([name, m]) => {
        const status = (await (await fetch(`http://127.0.0.1:${m.restPort}/patroni`)).json()) as {
          postmaster_start_time: string
        }
        return [name, status.postmaster_start_time] as const
      }),
    )
    return Object.fromEntries(entries)
  }
  /** Puts node1 back in the lead, so every test starts from the cluster up.sh made. */
  const node1Leads = () => node1LeadsIn(ha, configDir)

  beforeAll(node1Leads, 120_000)
  afterAll(node1Leads, 120_000)

  it('switches over to node2 and back: waits for the new leader, timelines move on, patronictl agrees', async () => {
    const tl = timeline()
    const there = await cli('switchover', ha.name, '--candidate', 'node2', '--force')
    expect(there.stderr).toBe('')
    expect(there.code).toBe(0)
    expect(there.stdout).toContain('Successfully switched over to "node2"')
    expect(roles().node2).toBe('Leader') // already leading when the command returned
    expect(timeline()).toBe(tl + 1)
    await waitHealthy(haPort, 3)
    const back = await cli(
      'switchover',
      ha.name.replace('/', '-'),
      '--leader',
      'node2',
      '--candidate',
      'node1',
      '--force',
    )
    expect(back.code).toBe(0)
    expect(roles()).toEqual({node1: 'Leader', node2: 'Replica', node3: 'Replica'})
    expect(timeline()).toBe(tl + 2)
  })

  it.each([
    [
      ['--candidate', 'node9'],
      /^Error: node9 is not a member of cluster 15-pgpt_ha \(members: node1, node2, node3\)\n$/,
    ],
    [['--candidate', 'node1'], /^Error: node1 is already the leader of cluster 15-pgpt_ha\n$/],
    [
      ['--leader', 'node3', '--candidate', 'node2'],
      /^Error: node3 is not the leader of cluster 15-pgpt_ha \(the leader is node1\)\n$/,
    ],
  ])('refuses %j before sending anything: exit 1, leader and timeline unchanged', async (flags, message) => {
    const tl = timeline()
    const result = await cli('switchover', ha.name, ...flags, '--force')
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(message)
    expect(roles().node1).toBe('Leader')
    expect(timeline()).toBe(tl)
  })

  it('never changes anything without a terminal or --force (exit 2), and --dry-run shows the request', async () => {
    const result = await cli('switchover', ha.name, '--candidate', 'node2')
    expect(result.code).toBe(2)
    expect(result.stderr).toBe(
      'Error: switchover changes the cluster and needs a confirmation: run it on a terminal, or pass --force\n',
    )
    const dry = await cli('switchover', ha.name, '--candidate', 'node2', '--dry-run')
    expect(dry.code).toBe(0)
    expect(dry.stdout).toContain(`POST http://127.0.0.1:${haPort}/switchover {"leader":"node1","candidate":"node2"}`)
    expect((await cli('restart', ha.name, 'node3')).code).toBe(2)
    expect((await cli('switchover')).stderr).toMatch(/^Error: no instance given and several on this host; /)
    expect(roles().node1).toBe('Leader')
  })

  it('failover with a running leader needs a candidate and --force in a script', async () => {
    const result = await cli('failover', ha.name, '--force')
    expect(result.code).toBe(2)
    expect(result.stderr).toBe('Error: failover needs --candidate (healthy replicas: node2, node3)\n')
    const dry = await cli('failover', ha.name, '--candidate', 'node3', '--dry-run')
    // the leader it saw is named, so Patroni refuses the request once another member leads
    expect(dry.stdout).toContain(`POST http://127.0.0.1:${haPort}/failover {"leader":"node1","candidate":"node3"}`)
  })

  it('fails over to node3 with --force and waits until it leads', async () => {
    const tl = timeline()
    const result = await cli('failover', ha.name, '--candidate', 'node3', '--force')
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('Successfully failed over to "node3"')
    expect(roles().node3).toBe('Leader')
    expect(timeline()).toBe(tl + 1)
    await node1Leads()
  })

  it('restarts one replica: only its postgres starts again', async () => {
    const before = await startTimes()
    const result = await cli('restart', ha.name, 'node3', '--force')
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(/^node3: restarted \(running again after [\d.]+s\)$/m)
    const after = await startTimes()
    expect(after.node3).not.toBe(before.node3)
    expect([after.node1, after.node2]).toEqual([before.node1, before.node2])
  })

  it('restarts every member one at a time, replicas first, never two down at once', async () => {
    const before = await startTimes()
    let sampling = true
    let mostDown = 0
    const sampler = (async () => {
      while (sampling) {
        try {
          const {members} = await restCluster(ha.members.node2!.restPort)
          mostDown = Math.max(mostDown, members.filter((m) => m.state !== 'running' && m.state !== 'streaming').length)
        } catch {
          // a member restarting may not answer
        }
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
    })()
    const result = await cli('restart', ha.name, '--force')
    sampling = false
    await sampler
    expect(result.code).toBe(0)
    expect(
      result.stdout
        .split('\n')
        .filter((l) => / restarted /.test(l))
        .map((l) => l.split(':')[0]),
    ).toEqual(['node2', 'node3', 'node1'])
    const after = await startTimes()
    for (const name of ['node1', 'node2', 'node3']) expect(after[name]).not.toBe(before[name])
    expect(mostDown).toBeLessThanOrEqual(1)
    expect(roles().node1).toBe('Leader')
  })

  describe('REST basic auth on restart (15/pgpt_auth)', () => {
    const auth = instances.auth
    let dir: string
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'pgpt-auth-'))
    })
    afterAll(() => rmSync(dir, {force: true, recursive: true}))
    const withConfig = (text: string) => {
      writeFileSync(join(dir, '15-pgpt_auth.yml'), text)
      return runCli(['restart', auth.name, '--force', '--config-dir', dir])
    }
    const original = () => readFileSync(auth.config, 'utf8')

    it('a wrong password: 401, exit 1, the password never printed', async () => {
      const result = await withConfig(original().replaceAll(auth.password, 'wrong-password-123'))
      expect(result.code).toBe(1)
      expect(result.stdout).toMatch(/^node1: failed \(127\.0\.0\.1:28018: 401 not authenticated\)$/m)
      expect(result.stdout + result.stderr).not.toMatch(/wrong-password-123|pgpt-rest-secret/)
    })

    it('no password: 401 no auth header received, exit 1', async () => {
      const result = await withConfig(
        original()
          .replace(/\n {2}authentication:\n {4}username: \S+\n {4}password: \S+/g, '')
          .replace(/\nctl:\n {2}authentication:[\s\S]*$/, '\n'),
      )
      expect(result.code).toBe(1)
      expect(result.stdout).toMatch(/^node1: failed \(127\.0\.0\.1:28018: 401 no auth header received\)$/m)
    })

    it('the right password: restarted', async () => {
      const result = await runCli(['restart', auth.name, '--force', '--config-dir', configDir])
      expect(result.code).toBe(0)
      expect(result.stdout).toMatch(/^node1: restarted /m)
      expect(result.stdout + result.stderr).not.toContain(auth.password)
    })
  })

  it('a frozen member (kill -STOP) cannot prove itself within --timeout: nothing is sent to it, exit 4; the cluster stays healthy', async () => {
    const pid = pidOf(ha.members.node3!)
    const before = await startTimes()
    process.kill(pid, 'SIGSTOP')
    try {
      const result = await cli('restart', ha.name, 'node3', '--force', '--timeout', '3')
      expect(result.code).toBe(4)
      expect(result.stdout).toMatch(
        /^node3: failed \(nothing sent to node3 of 15-pgpt_ha: 127\.0\.0\.1:28010: no answer within 3s\)$/m,
      )
      expect(result.ms).toBeLessThan(9000)
    } finally {
      process.kill(pid, 'SIGCONT')
    }
    // no request was left waiting in its socket: woken up, it does not restart
    await waitHealthy(haPort, 3)
    await new Promise((r) => setTimeout(r, 3000))
    expect((await startTimes()).node3).toBe(before.node3)
    expect(roles().node1).toBe('Leader')
  })

  describe('on a terminal (tmux)', () => {
    const env = {PGPATRONICTL_CONFIG_DIR: configDir}
    let term: Terminal | undefined
    beforeEach(() => waitHealthy(haPort, 3))
    afterAll(() => Terminal.closeAll())

    it('switchover with no instance shows the chooser, then candidate, time and confirmation; "no" changes nothing (exit 5)', async () => {
      term = Terminal.start(['switchover'], env)
      const chooser = await term.waitFor(/Which instance\?[\s\S]*15\/pgpt_ha +leader node1, 3\/3 running/)
      expect(chooser).toMatch(/15\/pgpt_auth +leader node1, 1\/1 running/)
      expect(chooser).not.toMatch(/pgpt_plain|pgpt_new|pgpt_orphan/) // not Patroni clusters that can switch over
      term.keys('Down', 'Enter')
      await term.waitFor(/Candidate[\s\S]*node2 \(running, lag 0 MB\)[\s\S]*any healthy replica/)
      term.keys('Enter')
      await term.waitFor(/When should the switchover take place/)
      term.keys('Enter')
      await term.waitFor(/Switch over cluster 15-pgpt_ha to node2, demoting current leader node1\?/)
      term.type('n')
      term.keys('Enter')
      expect(await term.exitCode()).toBe(5)
      expect(term.screen()).toContain('Error: aborted, nothing changed')
      expect(roles().node1).toBe('Leader')
      term.close()
    })

    it('walks through a real switchover and returns once the new leader runs', async () => {
      term = Terminal.start(['switchover', ha.name], env)
      await term.waitFor(/Candidate/)
      term.keys('Enter') // node2
      await term.waitFor(/When should/)
      term.keys('Enter')
      await term.waitFor(/Switch over cluster/)
      term.type('y')
      term.keys('Enter')
      expect(await term.exitCode()).toBe(0)
      expect(term.screen()).toContain('Successfully switched over to "node2"')
      expect(roles().node2).toBe('Leader')
      term.close()
      await node1Leads()
    })

    it('Escape at the member checkbox of restart, and Ctrl-C at the chooser, exit 5 with nothing changed', async () => {
      const before = await startTimes()
      term = Terminal.start(['restart', ha.name], env)
      await term.waitFor(/Members to restart[\s\S]*node2 \(replica, running\)/)
      term.keys('Escape')
      expect(await term.exitCode()).toBe(5)
      term.close()
      term = Terminal.start(['restart'], env)
      await term.waitFor(/Which instance\?/)
      term.keys('C-c')
      expect(await term.exitCode()).toBe(5)
      expect(await startTimes()).toEqual(before)
    })
  })
})
