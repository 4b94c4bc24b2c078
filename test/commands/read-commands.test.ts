import {execFileSync} from 'node:child_process'
import {mkdirSync, symlinkSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'

import {runCli} from '../helpers/cli.js'
import {type FakeAnswer, freePort, patroniStatus, startBlackHole, startFakePatroni} from '../helpers/fake-patroni.js'
import {fakeHost} from '../helpers/fake-host.js'
import {debianYaml} from '../helpers/host-tree.js'

// history, show-config, topology, dsn, version and completion against a local fake Patroni.
describe('read-only commands against fake Patroni answers', () => {
  const {configDir, env, root, servers} = fakeHost('pgpt-read-')

  const clusterJson = (urls: string[]) =>
    JSON.stringify({
      members: urls.map((url, i) => ({
        api_url: `${url}/patroni`,
        host: '127.0.0.1',
        name: `node${i + 1}`,
        port: 55432 + i,
        role: i === 0 ? 'leader' : 'replica',
        state: 'running',
        timeline: 3,
        ...(i === 0 ? {} : {lag: i === 1 ? 2_000_000 : 0}),
      })),
    })
  const status = patroniStatus('15-main', {server_version: 150018})

  /** One fake plays this host's member; the others' api_urls are given. */
  async function fake(routes: Record<string, FakeAnswer | (() => FakeAnswer)>, otherUrls: string[] = []) {
    let url = ''
    const server = await startFakePatroni({
      'GET /cluster': () => ({body: clusterJson([url, ...otherUrls])}),
      'GET /patroni': {body: status},
      ...routes,
    })
    url = server.url
    servers.push(server)
    mkdirSync(configDir, {recursive: true})
    writeFileSync(
      join(configDir, '15-main.yml'),
      debianYaml('15', 'main', server.port, '  authentication:\n    username: patroni\n    password: read-secret-pw\n'),
    )
    return server
  }
  const cli = (...args: string[]) => runCli([...args, '--config-dir', configDir], {env})

  it('history: patronictl table; unreachable is exit 4, 401 and malformed JSON exit 1', async () => {
    await fake({
      'GET /history': {body: '[[1, 25165984, "no recovery target specified", "2026-01-02T03:04:05+00:00", "node2"]]'},
    })
    const ok = await cli('history', '15/main')
    expect(ok.stderr).toBe('')
    expect(ok.stdout).toContain(
      '|  1 | 25165984 | no recovery target specified | 2026-01-02T03:04:05+00:00 | node2      |',
    )
    expect(JSON.parse((await cli('history', '15/main', '--json')).stdout)).toEqual([
      {
        LSN: 25165984,
        'New Leader': 'node2',
        Reason: 'no recovery target specified',
        TL: 1,
        Timestamp: '2026-01-02T03:04:05+00:00',
      },
    ])

    await fake({'GET /history': {body: 'no auth header received', status: 401}})
    const denied = await cli('history', '15/main')
    expect(denied.code).toBe(1)
    expect(denied.stderr).toMatch(/^Error: 15\/main: 127\.0\.0\.1:\d+: 401 no auth header received\n$/)

    await fake({'GET /history': {body: '[[1, 2, "x"'}})
    const broken = await cli('history', '15/main')
    expect(broken.code).toBe(1)
    expect(broken.stderr).toMatch(/malformed answer \(not JSON\)/)

    mkdirSync(configDir, {recursive: true})
    writeFileSync(join(configDir, '15-main.yml'), debianYaml('15', 'main', await freePort()))
    const down = await cli('history', '15/main')
    expect(down.code).toBe(4)
    expect(down.stderr).toMatch(
      /^Error: 15\/main: 127\.0\.0\.1:\d+: connection refused; DCS etcd3 127\.0\.0\.1:1: connection refused\n$/,
    )
    const file = join(configDir, '15-main.yml')
    const downByFile = await cli('history', '-c', file)
    expect(downByFile.code).toBe(4)
    expect(downByFile.stderr).toMatch(
      new RegExp(
        `^Error: ${file.replaceAll('.', '\\.')}: 127\\.0\\.0\\.1:\\d+: connection refused; DCS etcd3 127\\.0\\.0\\.1:1: connection refused\n$`,
      ),
    )
  })

  it("history and show-config: another member answers when this host's does not, with a warning", async () => {
    const history = '[[1, 25165984, "no recovery target specified", "2026-01-02T03:04:05+00:00", "node2"]]'
    const other = await startFakePatroni({
      'GET /config': {body: '{"ttl": 30}'},
      'GET /history': {body: history},
      'GET /patroni': {body: status},
    })
    servers.push(other)
    const local = await fake({}, [other.url])
    expect((await cli('topology', '15/main')).code).toBe(0) // remembers the members' addresses
    await local.close()
    const result = await cli('history', '15/main', '--json')
    expect(result.code).toBe(0)
    expect(JSON.parse(result.stdout)[0].TL).toBe(1)
    expect(result.stderr).toBe(
      `Warning: 15/main: this host's REST API (127.0.0.1:${local.port}) did not answer (connection refused); data from 127.0.0.1:${other.port}\n`,
    )
    expect((await cli('show-config', '15/main')).stdout).toBe('ttl: 30\n')
  })

  it('show-config: YAML in Patroni key order, JSON with --json, 502 is exit 1', async () => {
    await fake({
      'GET /config': {
        body: '{"ttl": 30, "loop_wait": 10, "postgresql": {"parameters": {"max_connections": 100}, "use_pg_rewind": true}}',
      },
    })
    const yaml = await cli('show-config', '15/main')
    expect(yaml.stdout).toBe(
      'ttl: 30\nloop_wait: 10\npostgresql:\n  parameters:\n    max_connections: 100\n  use_pg_rewind: true\n',
    )
    expect(JSON.parse((await cli('show-config', '15/main', '-f', 'json')).stdout)).toEqual({
      loop_wait: 10,
      postgresql: {parameters: {max_connections: 100}, use_pg_rewind: true},
      ttl: 30,
    })
    expect((await cli('show-config', '15/main', '-f', 'tsv')).code).toBe(2)
    expect((await cli('show-config', '15/main', '--json', '-f', 'yaml')).code).toBe(2) // one or the other, as for history

    await fake({'GET /config': {body: 'Bad Gateway', status: 502}})
    const missing = await cli('show-config', '15/main')
    expect(missing.code).toBe(1)
    // a 5xx is a member failing, not an answer: the others it remembers and the DCS are asked too
    expect(missing.stderr).toMatch(
      /^Error: 15\/main: 127\.0\.0\.1:\d+: 502 Bad Gateway; .*DCS etcd3 127\.0\.0\.1:1: connection refused\n$/,
    )
  })

  it('topology: the member table as a tree', async () => {
    await fake({}, ['http://127.0.0.1:1', 'http://127.0.0.1:2'])
    const result = await cli('topology', '15/main')
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(/^\| node1   \| 127\.0\.0\.1:55432 \| Leader  \| running \|  3 \|           \|$/m)
    expect(result.stdout).toMatch(/^\| \+ node2 \| 127\.0\.0\.1:55433 \| Replica \| running \|  3 \|         2 \|$/m)
  })

  it("dsn: leader by default (this host's: its socket directory; --tcp its address), least lag for replica, no password; --member with --role is usage", async () => {
    const server = await fake({}, ['http://127.0.0.1:1', 'http://127.0.0.1:2'])
    // node1, the leader, is this host's member (the config's name): Debian's socket, the listen port
    expect((await cli('dsn', '15/main')).stdout).toBe(`host=/var/run/postgresql port=${server.port - 2576}\n`)
    expect((await cli('dsn', '15/main', '--tcp')).stdout).toBe('host=127.0.0.1 port=55432\n')
    expect((await cli('dsn', '15/main', '--role', 'replica', '-d', 'app', '-U', 'me')).stdout).toBe(
      'host=127.0.0.1 port=55434 dbname=app user=me\n',
    )
    expect((await cli('dsn', '15/main', '-m', 'node2')).stdout).toBe('host=127.0.0.1 port=55433\n')
    const both = await cli('dsn', '15/main', '-m', 'node2', '--role', 'leader')
    expect(both.code).toBe(2)
    const unknown = await cli('dsn', '15/main', '-m', 'node9')
    expect(unknown.code).toBe(1)
    expect(unknown.stderr).toBe('Error: node9 is not a member of 15-main (members: node1, node2, node3)\n')
    const all = [both, unknown].map((r) => r.stdout + r.stderr).join('')
    expect(all).not.toContain('read-secret-pw')
  })

  it('version: a member that does not answer is shown as such; exit 4 only when none answered', async () => {
    const hole = await startBlackHole()
    servers.push(hole)
    const refused = `http://127.0.0.1:${await freePort()}`
    await fake({}, [refused, hole.url])
    const started = Date.now()
    const result = await cli('version', '15/main', '--timeout', '1')
    expect(Date.now() - started).toBeLessThan(5000)
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(
      /^pgpatronictl version \d+\.\d+\.\d+\n\nnode1: Patroni 3\.0\.2 PostgreSQL 15\.18\nnode2: failed to get version: 127\.0\.0\.1:\d+: connection refused\nnode3: failed to get version: 127\.0\.0\.1:\d+: no answer within 1s\n$/,
    )

    let asked = 0 // the first GET /patroni proves the member; the one version sends fails
    await fake({'GET /patroni': () => (asked++ === 0 ? {body: status} : {body: 'oops', status: 500})}, [refused])
    const none = await cli('version', '15/main')
    expect(none.code).toBe(4)
    expect(none.stdout).toMatch(
      /node1: failed to get version: .*500 oops\nnode2: failed to get version: .*connection refused\n$/,
    )

    const own = await cli('version')
    expect(own).toMatchObject({code: 0, stderr: ''})
    expect(own.stdout).toMatch(/^pgpatronictl version \d+\.\d+\.\d+\n$/)
  })

  it('completion: scripts for bash and zsh; __complete lists instances without any REST call', async () => {
    const s = await fake({})
    const bash = await cli('completion', 'bash')
    expect(bash.code).toBe(0)
    expect(bash.stdout).toContain('complete -F _pgpatronictl pgpatronictl')
    const commandWords = /COMP_CWORD == 1 \)\); then\n\s+COMPREPLY=\(\$\(compgen -W '([^']*)'/
      .exec(bash.stdout)![1]!
      .split(' ')
    expect(commandWords).toEqual(
      expect.arrayContaining(['dsn', 'history', 'show-config', 'topology', 'version', 'completion']),
    )
    expect(commandWords).not.toContain('__complete') // hidden
    expect((await cli('completion', 'fish')).code).toBe(2)
    const words = await cli('__complete', 'instances')
    expect(words).toMatchObject({code: 0, stderr: '', stdout: '15/main\n'})
    expect(s.requests).toEqual([])
    expect((await runCli(['__complete', 'instances', '--config-dir', join(root, 'none')])).stdout).toBe('')
  })

  it.skipIf(!hasZsh())('zsh completes commands, option values and instances', async () => {
    await fake({})
    const bin = join(root, 'bin')
    mkdirSync(bin, {recursive: true})
    symlinkSync(join(import.meta.dirname, '..', '..', 'bin', 'pgpatronictl.cjs'), join(bin, 'pgpatronictl'))
    const script = join(root, '_pgpatronictl')
    writeFileSync(script, (await cli('completion', 'zsh')).stdout)
    const tab = (line: string) =>
      execFileSync('zsh', [join(import.meta.dirname, '..', 'helpers', 'zsh-complete.zsh'), script, line], {
        encoding: 'utf8',
        env: {...process.env, ...env, PATH: `${bin}:${process.env.PATH}`},
        timeout: 20_000,
      })
        .split(/\r?\n/)
        .filter(Boolean)
        .map((l) => l.split(' -- ')[0]!.trim())
    expect(tab('pgpatronictl topo')).toEqual(['topology'])
    expect(tab('pgpatronictl history --format ')).toEqual(['pretty', 'tsv', 'json', 'yaml', 'yml'])
    expect(tab(`pgpatronictl history --config-dir ${configDir} 15`)).toEqual(['15/main'])
  })
})

function hasZsh(): boolean {
  try {
    execFileSync('zsh', ['--version'], {stdio: 'ignore'})
    return true
  } catch {
    process.stderr.write('[skip] zsh completion: zsh is not installed\n')
    return false
  }
}
