import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {runCli} from '../helpers/cli.js'
import {announceSkip, node1Leads, testCluster, waitHealthy} from '../helpers/test-cluster.js'

const {cluster: lab, skip} = testCluster()
announceSkip('restart --pending and --scheduled as patronictl decides them, against the real cluster', skip)

// A parameter that needs a restart and, unlike max_connections, no order between primary and
// replicas: its default is 1024.
const PARAMETER = 'track_activity_query_size'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Issue #16, section 4, on Patroni 3.0.2 (15/pgpt_ha) and 4.0.7 (15/pgpt_v4). */
describe.skipIf(!lab)('restart decided by Patroni, as patronictl 4.x, on the real cluster', () => {
  const {configDir, instances} = lab!
  const cli = (...args: string[]) => runCli([...args, '--config-dir', configDir])

  describe.each([
    ['3.0.2', instances.ha.name, instances.ha, undefined],
    ['4.0.7', instances.v4.name, instances.v4, instances.v4.patronictl],
  ] as const)('Patroni %s (%s)', (_version, _name, instance, patronictl) => {
    const urls = Object.values(instance.members).map((m) => `http://127.0.0.1:${m.restPort}`)
    const names = Object.keys(instance.members)
    const leaderUrl = urls[0]!
    const status = async (url: string) =>
      (await (await fetch(`${url}/patroni`, {signal: AbortSignal.timeout(5000)})).json()) as Record<string, unknown>
    const statuses = () => Promise.all(urls.map(status))
    const startTimes = async () => (await statuses()).map((s) => s.postmaster_start_time)
    const configText = async () => (await fetch(`${leaderUrl}/config`, {signal: AbortSignal.timeout(5000)})).text()
    /** Until every member's own Patroni says pending_restart (its HA loop saw the change). */
    const untilAllPending = async () => {
      const deadline = Date.now() + 30_000
      while (!(await statuses()).every((s) => s.pending_restart === true)) {
        if (Date.now() > deadline) throw new Error('not every member reports a pending restart after 30 s')
        await sleep(200)
      }
    }
    /** restart --pending --force right away; every member restarted, none pending after. */
    const restartPending = async () => {
      await untilAllPending()
      const before = await startTimes()
      const result = await cli('restart', instance.name, '--pending', '--force')
      expect(result.stderr).toBe('')
      expect(result.code).toBe(0)
      const outcomes = result.stdout.split('\n').filter((line) => /^node\d: (?!restarting)/.test(line))
      expect(outcomes.map((line) => line.replace(/ \(.*/, ''))).toEqual([
        'node2: restarted',
        'node3: restarted',
        'node1: restarted',
      ])
      const after = await startTimes()
      for (const i of names.keys()) expect(after[i], names[i]).not.toBe(before[i])
      for (const s of await statuses()) expect(s.pending_restart).toBeFalsy()
    }
    let original = ''

    beforeAll(async () => {
      await node1Leads(instance, configDir, patronictl)
      original = await configText()
      expect(original).not.toContain(PARAMETER)
    }, 120_000)
    afterAll(async () => {
      // as found: the original dynamic configuration, no pending restart, node1 leading
      if ((await configText()) !== original) {
        await fetch(`${leaderUrl}/config`, {body: original, method: 'PUT', signal: AbortSignal.timeout(10_000)})
        await untilAllPending()
        await cli('restart', instance.name, '--pending', '--force')
      }
      await node1Leads(instance, configDir, patronictl)
    }, 180_000)

    it(`edit-config --pg ${PARAMETER}=2048 --force, then restart --pending --force restarts every member Patroni reports pending; the original back the same way`, async () => {
      const edited = await cli('edit-config', instance.name, '--pg', `${PARAMETER}=2048`, '--force')
      expect(edited.code).toBe(0)
      await restartPending()
      expect(await configText()).toMatch(new RegExp(`"${PARAMETER}": "?2048"?`))

      // the original dynamic configuration, exactly (parameters: null), and a restart back to it
      const put = await fetch(`${leaderUrl}/config`, {
        body: original,
        method: 'PUT',
        signal: AbortSignal.timeout(10_000),
      })
      expect(put.status).toBe(200)
      await restartPending()
      expect(JSON.parse(await configText())).toEqual(JSON.parse(original))
      await waitHealthy(instance.members.node1!.restPort, names.length)
    }, 240_000)

    it('restart --scheduled --force over a scheduled restart replaces it (DELETE /restart first); flush cancels it', async () => {
      const node3 = urls[2]!
      const first = await cli('restart', instance.name, 'node3', '--scheduled', '2099-01-01', '--force')
      expect(first.stdout).toMatch(/^node3: scheduled \(Restart scheduled\)$/m)
      try {
        // once the DCS shows it, the replacement knows beforehand and cancels it first
        const deadline = Date.now() + 15_000
        while (!(await cli('list', instance.name, '-f', 'json')).stdout.includes('"Scheduled restart"')) {
          if (Date.now() > deadline) throw new Error('the scheduled restart never reached the DCS')
          await sleep(500)
        }
        const replaced = await cli('restart', instance.name, 'node3', '--scheduled', '2099-01-02 03:00', '--force')
        expect(replaced.stderr).toBe('')
        expect(replaced.code).toBe(0)
        expect(replaced.stdout).toMatch(/^node3: scheduled \(Restart scheduled\)$/m)
        expect((await status(node3)).scheduled_restart).toMatchObject({
          schedule: expect.stringMatching(/^2099-01-02T03:00:00/),
        })
        // right away again: the DCS still shows the old one or Patroni's 409 tells; either way it is replaced
        const again = await cli('restart', instance.name, 'node3', '--scheduled', '2099-01-03T04:00', '--force')
        expect(again.code).toBe(0)
        expect((await status(node3)).scheduled_restart).toMatchObject({
          schedule: expect.stringMatching(/^2099-01-03T04:00:00/),
        })
        const flushed = await cli('flush', instance.name, 'node3', 'restart', '--force')
        expect(flushed).toMatchObject({code: 0, stdout: 'node3: scheduled restart deleted\n'})
      } finally {
        expect((await fetch(`${node3}/restart`, {method: 'DELETE'})).status).toBeLessThan(500)
      }
      expect((await status(node3)).scheduled_restart).toBeUndefined()
    }, 60_000)
  })
})
