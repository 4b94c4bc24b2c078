import {execFileSync} from 'node:child_process'
import {readFileSync} from 'node:fs'
import {describe, expect, it} from 'vitest'
import {parse} from 'yaml'

import {runCli} from '../helpers/cli.js'
import {announceSkip, eventually, testCluster} from '../helpers/test-cluster.js'

const {cluster: lab, skip} = testCluster()
announceSkip('query against the real cluster', skip)

const SQL = `select 1 as a, null::text as n, true as b, 1.5::float8 as f, 'x,y'::text as s, '{"k": [1]}'::jsonb as j, pg_is_in_recovery() as r`

describe.skipIf(!lab)('query against the real Patroni test cluster (3.0.2 and 4.0.7)', () => {
  const {configDir, instances} = lab!
  // the replication user has a password (md5 over TCP), as patronictl needs: both connect the same way
  const password = (config: string) =>
    (parse(readFileSync(config, 'utf8')) as {postgresql: {authentication: {replication: {password: string}}}})
      .postgresql.authentication.replication.password

  for (const key of ['ha', 'v4'] as const) {
    const instance = instances[key]
    const env = {PGPASSWORD: password(instance.config)}
    const patronictl = (...args: string[]) =>
      execFileSync(
        'patronictl' in instance ? instance.patronictl : 'patronictl',
        ['-c', instance.config, 'query', instance.scope, '-U', 'replicator', '-d', 'postgres', ...args],
        {encoding: 'utf8', env: {...process.env, ...env}, timeout: 30_000},
      )
    const ours = (...args: string[]) =>
      runCli(
        ['query', instance.name, '-U', 'replicator', '-d', 'postgres', '--tcp', ...args, '--config-dir', configDir],
        {
          env,
        },
      )

    it(`${instance.name}: the same JSON, YAML, TSV and table as its own patronictl query`, async () => {
      await eventually(async () => {
        const json = await ours('-c', SQL, '--format', 'json')
        expect(json).toMatchObject({code: 0, stderr: ''})
        expect(JSON.parse(json.stdout)).toEqual(JSON.parse(patronictl('-c', SQL, '--format', 'json')))
        expect(JSON.parse(json.stdout)).toEqual([{a: 1, b: true, f: 1.5, j: {k: [1]}, n: null, r: false, s: 'x,y'}])
      })
      await eventually(async () => {
        expect(parse((await ours('-c', SQL, '--format', 'yaml')).stdout)).toEqual(
          parse(patronictl('-c', SQL, '--format', 'yaml')),
        )
      })
      const plain = 'select 1 as a, null::text as n, true as b, $$x$$ as s'
      await eventually(async () => {
        expect((await ours('-c', plain)).stdout).toBe(patronictl('-c', plain))
        expect((await ours('-c', plain, '--delimiter', ';')).stdout).toBe(patronictl('-c', plain, '--delimiter', ';'))
        expect((await ours('-c', plain, '--format', 'pretty')).stdout).toBe(
          patronictl('-c', plain, '--format', 'pretty'),
        )
      })
    })

    it(`${instance.name}: -r replica runs on a replica; a SQL error exits 1`, async () => {
      const replica = await ours('-r', 'replica', '-c', 'select pg_is_in_recovery() as r', '--format', 'json')
      expect(replica).toMatchObject({code: 0, stdout: '[{"r":true}]\n'})
      const failed = await ours('-c', 'select 1/0')
      expect(failed).toMatchObject({code: 1, stderr: expect.stringMatching(/ERROR: +division by zero\n$/), stdout: ''})
    })

    it(`${instance.name}: as postgres, node1 through the socket directory with peer authentication, no password`, async () => {
      const sql = 'select current_user as u, inet_server_addr() is null as unix_socket'
      const result = await runCli(
        ['query', instance.name, '-m', 'node1', '-c', sql, '-f', '-', '--config-dir', configDir],
        {
          asUser: 'postgres',
          env: {PGPASSWORD: ''},
        },
      ).catch((error: unknown) => error)
      // -c and -f together are refused, as patronictl
      expect(result).toMatchObject({code: 2})
      const peer = await runCli(
        ['query', instance.name, '-m', 'node1', '-c', sql, '--format', 'json', '--config-dir', configDir],
        {
          asUser: 'postgres',
          env: {PGPASSWORD: ''},
        },
      )
      expect(peer).toMatchObject({code: 0, stderr: '', stdout: '[{"u":"postgres","unix_socket":true}]\n'})
    })
  }
})
