import {isDeepStrictEqual} from 'node:util'
import {execFileSync} from 'node:child_process'
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it, vi} from 'vitest'

import {isoWithOffset} from '../../src/lib/operations/switchover-plan.js'
import {runCli} from '../helpers/cli.js'
import {announceSkip, node1Leads, restCluster, testCluster, type TestMember} from '../helpers/test-cluster.js'

const {cluster: lab, skip} = testCluster()
announceSkip("Patroni's own features replayed with pgpatronictl against the real cluster", skip)
// a step waits for restarts, a reinit and switchovers, each bounded below
vi.setConfig({testTimeout: 300_000})

/**
 * The steps of Patroni's features/patroni_api.feature and basic_replication.feature that run
 * `patronictl.py`, replayed with pgpatronictl on a 3-member scope of each Patroni version, with the
 * checks the feature makes (postgres-0 is node1, postgres-1 is node2, batman the instance).
 * The steps run in order and each starts from the state the previous one left, as in behave.
 */
describe.skipIf(!lab).each([
  {key: 'ha', version: '3.0.2'},
  {key: 'v4', version: '4.0.7'},
] as const)('features replayed on Patroni $version', ({key}) => {
  const {configDir, instances} = lab!
  const inst = instances[key]
  const patronictl = key === 'v4' ? instances.v4.patronictl : undefined
  const member = (name: string): TestMember => inst.members[name]!
  const cli = (...args: string[]) => runCli([...args, '--config-dir', configDir], {timeoutMs: 180_000})
  const get = async (name: string, path: string) => {
    const response = await fetch(`http://127.0.0.1:${member(name).restPort}${path}`, {
      signal: AbortSignal.timeout(5000),
    })
    return {body: (await response.json().catch(() => ({}))) as Record<string, unknown>, status: response.status}
  }
  const send = (method: string, path: string, body: object) =>
    fetch(`http://127.0.0.1:${member('node3').restPort}${path}`, {
      body: JSON.stringify(body),
      method,
      signal: AbortSignal.timeout(60_000),
    })
  const post = (name: string, path: string, body: object) =>
    fetch(`http://127.0.0.1:${member(name).restPort}${path}`, {
      body: JSON.stringify(body),
      method: 'POST',
      signal: AbortSignal.timeout(90_000),
    }).catch(() => undefined)
  const psql = (name: string, sql: string) =>
    execFileSync(
      'runuser',
      ['-u', 'postgres', '--', 'psql', '-XAtq', '-h', '/var/run/postgresql', '-p', String(member(name).pgPort)],
      {cwd: '/', encoding: 'utf8', input: sql, timeout: 10_000}, // postgres cannot enter a 0700 clone
    ).trim()
  /** node3 keeps its postgres in every step: the REST view of the DCS every check reads. */
  const roles = async () =>
    Object.fromEntries((await restCluster(member('node3').restPort)).members.map((m) => [m.name, m.role]))
  const dcsState = async (name: string) =>
    (JSON.parse((await cli('list', inst.name, '-f', 'json')).stdout) as {Member: string; State: string}[]).find(
      (m) => m.Member === name,
    )?.State
  const showConfig = async () => JSON.parse((await cli('show-config', inst.name, '-f', 'json')).stdout) as Config
  let original: Config

  /** "replication works from X to Y after N seconds": a row written on X is read on Y. */
  const replicationWorks = async (from: string, to: string, seconds = 30) => {
    const id = `${from}-${to}-${Date.now()}`
    psql(from, `insert into pgpt_features_replay values ('${id}')`)
    await until(
      () => {
        try {
          return psql(to, `select count(*) from pgpt_features_replay where id = '${id}'`) === '1'
        } catch {
          return false // still starting
        }
      },
      seconds,
      `row ${id} written on ${from} visible on ${to}`,
    )
  }
  /**
   * Every member applies the new configuration in its own next HA loop (loop_wait 5 s): the step
   * starts once each one's GET /patroni says pending_restart, while the DCS may not say so yet.
   */
  const everyMemberPending = async () => {
    for (const name of Object.keys(inst.members))
      await until(async () => (await get(name, '/patroni')).body.pending_restart === true, 15, `${name} pending`)
  }
  /** Restarts, through REST, whatever member is pending within `seconds` (a step that failed halfway). */
  const settlePending = async (seconds: number) => {
    const deadline = Date.now() + seconds * 1000
    do {
      for (const name of Object.keys(inst.members))
        if ((await get(name, '/patroni')).body.pending_restart) await post(name, '/restart', {restart_pending: true})
      await new Promise((resolve) => setTimeout(resolve, 1000))
    } while (Date.now() < deadline)
  }
  /** restart --pending at once, as the feature: Patroni decides which members are pending (restart_pending). */
  const restartPendingEverywhere = async () => {
    const restarted = await cli('restart', inst.name, '--pending', '--force')
    expect(restarted.stderr).toBe('')
    expect(restarted.code).toBe(0)
    expect(restarted.stdout).toMatch(/^node1: restarted /m) // node1 reported pending before this ran
    for (const name of Object.keys(inst.members))
      await until(async () => !(await get(name, '/patroni')).body.pending_restart, 15, `${name} not pending`)
  }

  beforeAll(async () => {
    await node1Leads(inst, configDir, patronictl)
    await settlePending(0) // left pending by an earlier run: the step needs a change of its own
    original = await showConfig()
    psql('node1', 'create table if not exists pgpt_features_replay (id text primary key)')
  }, 180_000)

  afterAll(async () => {
    await send('PATCH', '/config', {pause: null})
    for (const name of Object.keys(inst.members))
      if ((await get(name, '/patroni').catch(() => ({body: {} as Record<string, unknown>}))).body.state !== 'running')
        await post(name, '/restart', {}) // a step failed with its postgres down
    if (JSON.stringify(await showConfig()) !== JSON.stringify(original)) await send('PUT', '/config', original)
    await settlePending(12) // members apply a restored configuration in their next HA loop
    await node1Leads(inst, configDir, patronictl)
    psql('node1', 'drop table if exists pgpt_features_replay')
    expect(await showConfig()).toEqual(original)
  }, 240_000)

  it('patroni_api "stand-alone server": switchover --leader node1 --candidate node1 is refused (exit 1), nothing changes', async () => {
    // The feature runs `switchover batman --primary postgres-0 --force` with no replica at all
    // ("No candidates found to switchover to"). A 3-member scope always has candidates unless
    // replicas are stopped; the same refusal without a possible candidate: the leader itself.
    const result = await cli('switchover', inst.name, '--leader', 'node1', '--candidate', 'node1', '--force')
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(/^Error: [^\n]*node1[^\n]* leader[^\n]*\n$/) // one line, naming why
    expect(await roles()).toEqual({node1: 'leader', node2: 'replica', node3: 'replica'})
  })

  it('patroni_api "scheduled restart": edit-config --pg, pending_restart, restart --pending clears it everywhere', async () => {
    const edited = await cli('edit-config', inst.name, '-p', 'superuser_reserved_connections=6', '--force')
    expect(edited.stderr).toBe('')
    expect(edited.code).toBe(0)
    expect(edited.stdout).toMatch(/^\+\s+superuser_reserved_connections: 6$/m)
    await everyMemberPending()
    await restartPendingEverywhere()
    expect(psql('node1', 'show superuser_reserved_connections')).toBe('6')
    expect((await get('node1', '/patroni')).body.role).toMatch(/^(master|primary)$/)

    // back to the configuration found, and restarted again so nothing stays pending
    // PUT (--replace) of the configuration read first: a PATCH cannot bring back `parameters: null`
    const dir = mkdtempSync(join(tmpdir(), 'pgpt-features-'))
    writeFileSync(join(dir, 'config.json'), JSON.stringify(original))
    const replaced = await cli('edit-config', inst.name, '--replace', join(dir, 'config.json'), '--force')
    rmSync(dir, {force: true, recursive: true})
    expect(replaced.code).toBe(0)
    // GET /config answers from the member's view of the DCS, which catches up within a loop (4.x)
    const same = async () => isDeepStrictEqual(await showConfig(), original)
    await until(same, 15, 'the original configuration back')
    await everyMemberPending()
    await restartPendingEverywhere()
    expect(psql('node1', 'show superuser_reserved_connections')).toBe(
      String(original.postgresql?.parameters?.superuser_reserved_connections ?? 3),
    )
  })

  it('patroni_api "pause mode": postmaster killed on node2, restart node2, reinit node2, restart node1', async () => {
    await replicationWorks('node1', 'node2')
    // as patronictl: pause asks nothing, even without a terminal
    // --wait: node2 must know it is paused before its postmaster dies, or its Patroni starts it again
    const paused = await cli('pause', inst.name, '--wait')
    expect(paused.code).toBe(0)
    killPostmaster(member('node2'))
    await until(async () => (await get('node2', '/replica')).status === 503, 10, 'node2 /replica 503')
    await until(async () => (await dcsState('node2')) === 'stopped', 20, 'members/node2 state=stopped')

    const restarted = await cli('restart', inst.name, 'node2', '--force')
    expect(restarted.stderr).toBe('')
    expect(restarted.code).toBe(0)
    expect(restarted.stdout).toMatch(/^node2: restarted /m)
    await replicationWorks('node1', 'node2')
    await until(async () => (await get('node2', '/replica')).status === 200, 10, 'node2 /replica 200')
    expect((await get('node2', '/replica')).body).toMatchObject({role: 'replica', state: 'running'})

    // --from-leader (the feature's) exists since Patroni 4.1: refused on 3.0.2 and 4.0.7 with the reason
    const fromLeader = await cli('reinit', inst.name, 'node2', '--force', '--from-leader', '--wait')
    expect(fromLeader.code).toBe(1)
    expect(fromLeader.stderr).toMatch(/^Error: --from-leader needs Patroni 4\.1 or later; node2 runs [34]\.0\.\d+\n$/)
    const reinit = await cli('reinit', inst.name, 'node2', '--force', '--wait')
    expect(reinit.stderr).toBe('')
    expect(reinit.code).toBe(0)
    expect(reinit.stdout).toMatch(/^node2: reinitialized, replicating again after [\d.]+s$/m)
    await until(async () => (await roles()).node2 === 'replica', 30, 'node2 replica')
    await replicationWorks('node1', 'node2')

    const leader = await cli('restart', inst.name, 'node1', '--force')
    expect(leader.stderr).toBe('')
    expect(leader.code).toBe(0)
    expect(leader.stdout).toMatch(/^node1: restarted /m)
    await until(
      async () => /^(master|primary)$/.test(String((await get('node1', '/patroni')).body.role)),
      10,
      'node1 primary',
    )
  })

  it('patroni_api "switchover in the pause mode": switchover --candidate node2 while paused', async () => {
    const result = await cli('switchover', inst.name, '--leader', 'node1', '--candidate', 'node2', '--force')
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    await until(async () => (await roles()).node2 === 'leader', 10, 'node2 leader')
    await until(async () => (await get('node1', '/replica')).status === 200, 20, 'node1 /replica 200')
    await replicationWorks('node2', 'node1')
    await until(async () => /running|streaming/.test(String(await dcsState('node1'))), 10, 'members/node1 running')
    expect((await get('node1', '/primary')).status).toBe(503)
    expect((await get('node2', '/primary')).status).toBe(200)
    expect((await get('node2', '/replica')).status).toBe(503)
  })

  it('patroni_api "scheduled switchover": refused while paused; after resume, node1 leads again at the time given', async () => {
    const inTenSeconds = () => isoWithOffset(new Date(Date.now() + 10_000))
    const scheduled = () =>
      cli(
        'switchover',
        inst.name,
        '--leader',
        'node2',
        '--candidate',
        'node1',
        '--scheduled',
        inTenSeconds(),
        '--force',
      )
    const refused = await scheduled()
    expect(refused.code).toBe(1)
    expect(refused.stderr).toMatch(/^Error: [^\n]*paused[^\n]*\n$/) // Patroni: "Can't schedule switchover in the paused state"
    expect(await roles()).toMatchObject({node1: 'replica', node2: 'leader'})

    expect((await cli('resume', inst.name, '--wait')).code).toBe(0)
    const accepted = await scheduled()
    expect(accepted.stderr).toBe('')
    expect(accepted.code).toBe(0)
    expect(await roles()).toMatchObject({node2: 'leader'}) // not before its time
    await until(async () => (await roles()).node1 === 'leader', 40, 'node1 leader')
    await until(async () => (await get('node2', '/replica')).status === 200, 20, 'node2 /replica 200')
    await replicationWorks('node1', 'node2')
    expect((await get('node1', '/primary')).status).toBe(200)
    expect((await get('node1', '/replica')).status).toBe(503)
    expect((await get('node2', '/primary')).status).toBe(503)
  })

  it('basic_replication "failover in synchronous mode": pause and resume exit 0', async () => {
    // The feature shuts postgres-0 down between the two to see a failover; that scenario needs
    // synchronous mode and a leader's death, outside what pgpatronictl drives: only its patronictl steps.
    const paused = await cli('pause', inst.name)
    expect(paused.code).toBe(0)
    expect(paused.stdout).toMatch(new RegExp(`^cluster management of ${inst.scope} is paused$`, 'm'))
    await until(async () => (await get('node1', '/patroni')).body.pause === true, 15, 'node1 paused')
    const resumed = await cli('resume', inst.name)
    expect(resumed.code).toBe(0)
    await until(async () => (await get('node1', '/patroni')).body.pause === undefined, 15, 'node1 resumed')
    expect(await roles()).toEqual({node1: 'leader', node2: 'replica', node3: 'replica'})
  })
})

interface Config {
  postgresql?: {parameters?: Record<string, unknown> | null}
}

/** SIGKILL to the postmaster of a member's data directory, only if it is that postgres. */
function killPostmaster(member: TestMember): void {
  const pid = Number.parseInt(readFileSync(`${member.dataDir}/postmaster.pid`, 'utf8').split('\n')[0]!, 10)
  const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')
  if (!command.includes(member.dataDir!)) throw new Error(`pid ${pid} is not the postmaster of ${member.dataDir}`)
  process.kill(pid, 'SIGKILL')
}

async function until(test: () => boolean | Promise<boolean>, seconds: number, what: string): Promise<void> {
  const deadline = Date.now() + seconds * 1000
  while (!(await Promise.resolve(test()).catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`not within ${seconds} s: ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 500))
  }
}
