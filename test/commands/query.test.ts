import {chmodSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'

import {outputShows, runCli, startCli} from '../helpers/cli.js'
import {type FakeServer, clusterBody, patroniStatus, startFakePatroni} from '../helpers/fake-patroni.js'
import {fakeHost} from '../helpers/fake-host.js'
import {debianYaml} from '../helpers/host-tree.js'

// A fake psql records what it was given and answers as psql --csv does; FAKE_PSQL picks the answer.
const FAKE_PSQL = `#!/bin/sh
printf '%s\\n' "$@" > "$PSQL_LOG/args"
env > "$PSQL_LOG/env"
cat > "$PSQL_LOG/stdin"
nonce=$(sed -n 's/^\\\\pset null \\(pgpt[0-9a-f]*\\)N$/\\1/p' "$PSQL_LOG/stdin")
case "$FAKE_PSQL" in
  ok) printf 'a,b\\n1,%sN\\n2,""\\n%sD\\nColumn,Type\\na,integer\\nb,text\\n' "$nonce" "$nonce" ;;
  sqlerror) echo 'psql:<stdin>:3: ERROR:  division by zero' >&2; exit 3 ;;
  down) echo 'psql: error: connection to server on socket "/run/x/.s.PGSQL.1" failed: No such file or directory' >&2; exit 2 ;;
  role) echo "\${nonce}R" >&2 ;;
esac
`

describe('query against a fake Patroni and a fake psql', () => {
  const host = fakeHost('pgpt-query-')
  const {configDir, root, servers} = host
  const log = join(root, 'log')
  mkdirSync(log)
  writeFileSync(join(root, 'psql'), FAKE_PSQL)
  chmodSync(join(root, 'psql'), 0o755)
  const env = {...host.env, PGPASSWORD: '', PGPATRONICTL_PSQL: join(root, 'psql'), PSQL_LOG: log}

  async function fake(): Promise<FakeServer> {
    let url = ''
    const server = await startFakePatroni({
      'GET /cluster': () => ({body: clusterBody([url, 'http://127.0.0.1:1'])}),
      'GET /patroni': {body: patroniStatus('15-main')},
    })
    url = server.url
    servers.push(server)
    mkdirSync(configDir, {recursive: true})
    const socket = '  parameters:\n    unix_socket_directories: /run/pgpt-test-sock\n'
    writeFileSync(join(configDir, '15-main.yml'), debianYaml('15', 'main', server.port) + socket)
    return server
  }
  const cli = (answer: string, ...args: string[]) =>
    runCli(['query', ...args, '--config-dir', configDir], {env: {...env, FAKE_PSQL: answer}})
  const psqlArgs = () => readFileSync(join(log, 'args'), 'utf8').trim().split('\n')

  it("runs -c SQL on the leader, this host's member, through its socket directory; every format", async () => {
    const server = await fake()
    const tsv = await cli('ok', '15/main', '-c', 'select 1 as a')
    expect(tsv).toMatchObject({code: 0, stderr: '', stdout: 'a\tb\n1\tNone\n2\t\n'})
    expect(psqlArgs()).toEqual(
      expect.arrayContaining([
        '-X',
        '--csv',
        '-w',
        '-h',
        '/run/pgpt-test-sock',
        '-p',
        String(server.port - 2576),
        '-f',
        '-',
      ]),
    )
    expect(readFileSync(join(log, 'stdin'), 'utf8')).toContain('SELECT $q$select 1 as a$q$ \\gexec')
    expect(readFileSync(join(log, 'env'), 'utf8')).toMatch(/^PGCONNECT_TIMEOUT=5$/m)
    expect(JSON.parse((await cli('ok', '15/main', '-c', 'x', '--format', 'json')).stdout)).toEqual([
      {a: 1, b: null},
      {a: 2, b: ''},
    ])
    expect((await cli('ok', '15/main', '-c', 'x', '--format', 'yml')).stdout).toBe(
      "- a: 1\n  b: null\n- a: 2\n  b: ''\n", // yaml.safe_dump's quotes
    )
    expect((await cli('ok', '15/main', '-c', 'x', '--format', 'tsv', '--delimiter', ',')).stdout).toBe(
      'a,b\n1,None\n2,\n',
    )
    expect((await cli('ok', '15/main', '-c', 'x', '--format', 'pretty')).stdout).toContain('| 1 | None |')
  })

  it('-m/-r choose another member, at its TCP address, with -U and -d; -f reads a file', async () => {
    await fake()
    const file = join(root, 'q.sql')
    writeFileSync(file, 'select 2 as b')
    expect((await cli('ok', '15/main', '-m', 'node2', '-U', 'report', '-d', 'app', '-f', file)).code).toBe(0)
    expect(psqlArgs()).toEqual(expect.arrayContaining(['-h', '127.0.0.1', '-p', '55433', '-U', 'report', '-d', 'app']))
    expect(readFileSync(join(log, 'stdin'), 'utf8')).toContain('$q$select 2 as b$q$')
    expect((await cli('ok', '15/main', '-r', 'replica', '-c', 'x')).code).toBe(0)
    expect(readFileSync(join(log, 'stdin'), 'utf8')).toContain('\\if :pgpt_in_recovery\n\\else')
  })

  it('exit codes: SQL error 1, no connection 4, wrong role 1, usage 2', async () => {
    await fake()
    const sql = await cli('sqlerror', '15/main', '-c', 'select 1/0')
    expect(sql).toMatchObject({code: 1, stderr: 'Error: 15-main node1: ERROR:  division by zero\n', stdout: ''})
    expect((await cli('down', '15/main', '-c', 'x')).code).toBe(4)
    const role = await cli('role', '15/main', '-r', 'replica', '-c', 'x')
    expect(role).toMatchObject({code: 1, stderr: 'Error: 15-main node2 does not have the role asked for\n'})
    const neither = await cli('ok', '15/main')
    expect(neither).toMatchObject({code: 2, stderr: 'Error: You need to specify either --command or --file\n'})
    expect((await cli('ok', '15/main', '-c', 'x', '--group', '1')).stderr).toBe(
      'Error: --group: Citus groups are not supported\n',
    )
    const password = await cli('ok', '15/main', '-c', 'x', '--password')
    expect(password).toMatchObject({code: 2, stderr: expect.stringContaining('--password needs a terminal')})
    const missing = await runCli(['query', '15/main', '-c', 'x', '--config-dir', configDir], {
      env: {...env, PGPATRONICTL_PSQL: join(root, 'no-such-psql')},
    })
    expect(missing).toMatchObject({code: 3, stderr: expect.stringContaining('not found: install postgresql-client')})
  })

  it('-w SECONDS runs it again until Ctrl-C; an error is printed and the watch goes on', async () => {
    await fake()
    const args = ['query', '15/main', '-c', 'x', '-w', '0.2', '--config-dir', configDir]
    const watch = startCli(args, {env: {...env, FAKE_PSQL: 'ok'}})
    await outputShows(watch, (out) => (out.stdout.match(/^a\tb$/gm) ?? []).length >= 2)
    watch.child.kill('SIGINT') // our own child, by its handle
    expect((await watch.done).code).toBe(0)
    const failing = startCli(args, {env: {...env, FAKE_PSQL: 'sqlerror'}})
    await outputShows(failing, (out) => (out.stderr.match(/division by zero/g) ?? []).length >= 2)
    failing.child.kill('SIGINT')
    expect((await failing.done).code).toBe(1) // the last run failed
  })
})
