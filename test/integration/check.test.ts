import {chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import type {Finding} from '../../src/lib/check/findings.js'
import {type CliResult, runCli} from '../helpers/cli.js'
import {announceSkip, testCluster, waitHealthy} from '../helpers/test-cluster.js'

const {cluster: lab, skip} = testCluster()
announceSkip('check against the real cluster', skip)

/** Checks that ask a REST API: their result depends on what the shared cluster is doing right now. */
const LIVE_CHECKS = new Set([
  'rest-reachable',
  'leader',
  'member-reachable',
  'member-state',
  'timeline',
  'lag',
  'pending-restart',
  'paused',
  'dynamic-config',
])

describe.skipIf(!lab)('check against the real Patroni test cluster', () => {
  const {configDir, instances} = lab!
  const ha = instances.ha
  const haPort = ha.members.node1!.restPort
  const check = (dir: string, ...args: string[]) =>
    runCli(['check', '--config-dir', dir, '--systemd-dir', join(dir, 'systemd'), ...args])
  const findings = (result: CliResult) => JSON.parse(result.stdout) as Finding[]
  const summary = (list: Finding[]) => list.map((f) => `${f.severity} ${f.instance} ${f.check}`).sort()

  it('finds nothing false on the clean cluster: no errors, only the expected notes', async () => {
    let result = await check(configDir, '--json')
    // Other test files share this cluster and may be mid-switchover or have a member stopped:
    // a live error is only believed after the cluster is healthy again.
    if (findings(result).some((f) => f.severity === 'error' && LIVE_CHECKS.has(f.check))) {
      await waitHealthy(haPort, 3).catch(() => {})
      result = await check(configDir, '--json')
    }
    expect(result.stderr).toBe('')
    const all = findings(result)
    expect(all.filter((f) => f.severity === 'error')).toEqual([])
    expect(result.code).toBe(0)
    // what the clean cluster legitimately gets, and nothing else from the files
    expect(summary(all.filter((f) => !LIVE_CHECKS.has(f.check)))).toEqual([
      'info 13/pgpt_orphan inline-secret',
      'info 15/pgpt_auth inline-secret',
      'info 15/pgpt_ha inline-secret',
      'info 15/pgpt_new inline-secret',
      'info 15/pgpt_tls inline-secret',
      'info 15/pgpt_v4 inline-secret',
      'warning 13/pgpt_orphan orphan',
    ])
    expect(all).toContainEqual(
      expect.objectContaining({
        check: 'rest-reachable',
        instance: instances.new.name,
        severity: 'info',
        where: `127.0.0.1:${instances.new.restPort}`,
      }),
    )
    // REST on 127.0.0.1 is loopback: no authentication error, no TLS warning, for the instance without auth too
    expect(all.filter((f) => f.check.startsWith('rest-') && f.check !== 'rest-reachable')).toEqual([])
    expect(result.stdout).not.toContain(instances.auth.password)
    expect(result.stdout).not.toContain('rep-pass')
  })

  it('prints the same in pretty form, with a summary line', async () => {
    const result = await check(configDir, ha.name, instances.auth.name)
    expect(result.stdout).toMatch(
      /^info {4}15\/pgpt_ha {3}2 passwords are stored in the config file \[inline-secret\]$/m,
    )
    expect(result.stdout).toMatch(/^2 instances checked: \d+ errors?, \d+ warnings?, \d+ infos?$/m)
    expect(result.stdout + result.stderr).not.toContain(instances.auth.password)
  })

  describe('on broken copies of its configs', () => {
    let dir: string
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'pgpt-check-'))
      const copy = (from: string, stem: string, edit: (text: string) => string, mode = 0o660) => {
        const file = join(dir, `${stem}.yml`)
        writeFileSync(file, edit(readFileSync(from, 'utf8')))
        chmodSync(file, mode)
        return file
      }
      // world-readable, REST API on every interface without authentication
      copy(ha.config, '15-pgpt_ha', (t) => t.replace(/^( {2}listen: )127\.0\.0\.1:28008$/m, '$10.0.0.0:28008'), 0o644)
      // wrong namespace, and PostgreSQL on pgpt_ha's port
      copy(instances.auth.config, '15-pgpt_auth', (t) =>
        t
          .replace(/^namespace: .*$/m, 'namespace: "/service/"')
          .replace(/^( {2}listen: )"127\.0\.0\.1:\d+"$/m, '$1"127.0.0.1:25432"'),
      )
      // the scope of pgpt_ha: two configs, one cluster in the DCS
      copy(instances.new.config, '15-pgpt_new', (t) => t.replace(/^scope: .*$/m, 'scope: "15-pgpt_ha"'))
    })
    afterAll(() => rmSync(dir, {force: true, recursive: true}))

    it('finds every planted problem, with its fix', async () => {
      const result = await check(dir, '--no-live', '--json')
      expect(result.code).toBe(1)
      const found = findings(result)
      const one = (instance: string, check: string) => {
        const matching = found.filter((f) => f.instance === instance && f.check === check)
        expect(matching, `${instance} ${check} in ${summary(found).join('; ')}`).toHaveLength(1)
        return matching[0]!
      }
      const haFile = join(dir, '15-pgpt_ha.yml')
      expect(one(ha.name, 'config-access')).toMatchObject({
        fix: `chown postgres:postgres ${haFile} && chmod 0660 ${haFile} (as pg_createconfig_patroni does)`,
        key: 'mode 0644 root:root', // written by this test as root
        problem: expect.stringMatching(
          /^readable by every user and holds passwords \(postgresql\.authentication\.replication\.password/,
        ),
        severity: 'error',
      })
      expect(one(ha.name, 'rest-auth')).toMatchObject({
        fix: 'add restapi.authentication (username, password) and the same under ctl.authentication, or listen on 127.0.0.1 only',
        key: 'restapi.listen',
        line: 10,
        problem:
          'REST API listens on every interface (0.0.0.0:28008) without restapi.authentication: anyone who reaches it can POST /switchover, /restart, /reinitialize',
        severity: 'error',
        where: haFile,
      })
      expect(one(ha.name, 'rest-tls')).toMatchObject({severity: 'warning'})
      expect(one(instances.auth.name, 'namespace')).toMatchObject({
        fix: 'namespace: "/postgresql-common/" (with the cluster stopped: its DCS keys are under the old namespace)',
        key: 'namespace',
        line: 3,
        severity: 'warning',
      })
      expect(one(instances.auth.name, 'pg-port-collision')).toMatchObject({
        key: 'postgresql.listen',
        problem: `PostgreSQL port 25432 is also used by ${ha.name}`,
        severity: 'error',
      })
      expect(one(ha.name, 'pg-port-collision')).toMatchObject({
        problem: `PostgreSQL port 25432 is also used by ${instances.auth.name}`,
        severity: 'error',
      })
      expect(one(instances.auth.name, 'pg-port')).toMatchObject({
        fix: 'make postgresql.listen use port 25442, or set port = 25432 in /etc/postgresql/15/pgpt_auth/postgresql.base.conf',
        severity: 'warning',
      })
      expect(one(instances.new.name, 'duplicate-scope')).toMatchObject({
        fix: 'give each instance its own scope (Debian: VERSION-CLUSTER); two configs with one scope are one cluster in the DCS',
        problem: expect.stringContaining(`same namespace and scope as ${ha.name}`),
        severity: 'error',
      })
      expect(one(ha.name, 'duplicate-scope')).toMatchObject({severity: 'error'})
      expect(one(instances.new.name, 'scope')).toMatchObject({
        fix: 'scope: "15-pgpt_new" (on a bootstrapped cluster the DCS keys move with it: rename only with the cluster stopped)',
        severity: 'warning',
      })
      for (const f of found) expect(f.fix).toMatch(/\S/)
      expect(result.stdout).not.toContain(instances.auth.password)
    })

    it('keeps auditing live through the copies without crashing, within the timeout', async () => {
      const result = await check(dir, '--timeout', '2', '-f', 'tsv')
      expect(result.code).toBe(1)
      expect(result.stderr).toBe('')
      expect(result.ms).toBeLessThan(15_000)
      expect(result.stdout.split('\n')[0]).toBe('Severity\tInstance\tCheck\tWhere\tProblem\tFix')
    })
  })
})
