import {join} from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {ExitCode, PgpError} from '../../../src/lib/errors.js'
import {MemberCache} from '../../../src/lib/rest/member-cache.js'
import {RestError} from '../../../src/lib/rest/client.js'
import {PatroniInstance} from '../../../src/lib/rest/instance.js'
import type {WarningKind} from '../../../src/lib/rest/verified-read.js'
import {
  FAKE_SYSTEM_ID,
  type FakeAnswer,
  type FakeServer,
  clusterBody,
  fixture,
  freePort,
  patroniStatus,
  startBlackHole,
  startFakePatroni,
} from '../../helpers/fake-patroni.js'
import {HostTree, TEST_NAMESPACE, debianYaml} from '../../helpers/host-tree.js'
import {patroniKeys} from '../../helpers/private-etcd.js'

const OTHER_SYSTEM_ID = '7999999999999999999'

// The one read path, through PatroniInstance as every command uses it: this host's member first,
// then remembered members and the DCS, and an answer only from a member that proves the cluster.
describe('verified reads (fake members)', () => {
  const servers: FakeServer[] = []
  const open: PatroniInstance[] = []
  let tree: HostTree
  let cache: MemberCache
  let warnings: [string, WarningKind][]
  beforeEach(() => {
    tree = new HostTree()
    cache = new MemberCache(join(tree.root, 'cache'))
    warnings = []
  })
  afterEach(async () => {
    await Promise.all(open.splice(0).map((i) => i.close()))
    await Promise.all(servers.splice(0).map((s) => s.close()))
    tree.remove()
  })
  const track = <T extends FakeServer>(s: T) => (servers.push(s), s)
  const dead = async () => `http://127.0.0.1:${await freePort()}`

  /** A member of `scope` (system id `systemId`): GET /patroni proves it, GET /cluster lists `cluster()`. */
  async function member(
    scope = '15-main',
    systemId: string | null = FAKE_SYSTEM_ID,
    routes: Record<string, FakeAnswer> = {},
  ) {
    let self = ''
    const server = track(
      await startFakePatroni({
        'GET /cluster': () => ({body: clusterBody([self])}),
        'GET /patroni': {body: patroniStatus(scope, {systemId})},
        ...routes,
      }),
    )
    self = server.url
    return server
  }

  /** 15/main, its REST API at `localUrl`, its DCS section `dcs` (none reachable by default). */
  async function instance(localUrl: string, options: {dcs?: string; timeoutMs?: number} = {}) {
    const port = Number(new URL(localUrl).port)
    let yaml = debianYaml('15', 'main', port)
    if (options.dcs !== undefined) yaml = yaml.replace('etcd3:\n  hosts: 127.0.0.1:1\n', options.dcs)
    const patroni = await PatroniInstance.open('15/main', tree.patroniConfig('15-main', yaml), {
      cache,
      timeoutMs: options.timeoutMs ?? 2000,
      warn: (line, kind) => warnings.push([line, kind]),
    })
    open.push(patroni)
    return patroni
  }
  const key = () => ({
    configFile: join(tree.paths.configDir, '15-main.yml'),
    namespace: TEST_NAMESPACE,
    scope: '15-main',
  })
  const remember = (...apiUrls: string[]) => cache.write(key(), {apiUrls, systemId: FAKE_SYSTEM_ID})
  const failure = (promise: Promise<unknown>) =>
    promise.then(
      () => expect.unreachable('should fail'),
      (error: unknown) => error as PgpError,
    )

  it("asks this host's member, proves it with GET /patroni, and remembers the members with the system id", async () => {
    const local = await member()
    const other = await member()
    remember(other.url)
    const cluster = await (await instance(local.url)).cluster()
    expect(cluster).toMatchObject({answeredBy: local.url, scope: '15-main', systemId: FAKE_SYSTEM_ID})
    expect(local.requests.map((r) => r.path).sort()).toEqual(['/cluster', '/patroni'])
    expect(other.requests).toHaveLength(0)
    expect(warnings).toEqual([])
    expect(cache.read(key())).toEqual({apiUrls: [local.url], systemId: FAKE_SYSTEM_ID})
  })

  it("refuses this host's address when it answers for another cluster (exit 3), and asks nobody else", async () => {
    const local = await member('15-reporting')
    const other = await member()
    remember(other.url)
    const error = await failure((await instance(local.url)).cluster())
    expect(error).toMatchObject({exitCode: ExitCode.config})
    expect(error.message).toBe(
      `127.0.0.1:${local.port} (this host's REST API, from ${key().configFile}): it belongs to cluster 15-reporting, not 15-main; does another instance's config use the same restapi.connect_address?`,
    )
    expect(other.requests).toHaveLength(0)
  })

  it('does not take an answer from a member that does not say which cluster it is', async () => {
    const local = track(
      await startFakePatroni({
        'GET /cluster': {body: fixture('cluster-3.0.2.json')},
        'GET /patroni': {body: '{"state": "running"}'},
      }),
    )
    expect((await failure((await instance(local.url)).cluster())).message).toMatch(
      /it does not say which cluster it belongs to/,
    )
  })

  it("falls through to a remembered member that proves itself when this host's is down, and says so", async () => {
    const other = await member()
    remember(other.url)
    const local = await dead()
    const cluster = await (await instance(local)).cluster()
    expect(cluster).toMatchObject({answeredBy: other.url, localFailure: 'connection refused', systemId: FAKE_SYSTEM_ID})
    expect(warnings).toEqual([
      [
        `15/main: this host's REST API (127.0.0.1:${new URL(local).port}) did not answer (connection refused); data from 127.0.0.1:${other.port}`,
        'fallback',
      ],
    ])
  })

  it('ignores, forgets and names a remembered address that belongs to another scope; nothing proven is exit 4', async () => {
    const foreign = await member('15-reporting')
    remember(foreign.url)
    const local = await dead()
    const error = await failure((await instance(local)).cluster())
    expect(error).toBeInstanceOf(RestError)
    expect(error.exitCode).toBe(ExitCode.unreachable)
    expect(error.message).toBe(
      `127.0.0.1:${new URL(local).port}: connection refused; no other member proved to be 15-main; no DCS fallback: DCS etcd3 127.0.0.1:1: connection refused`.replace(
        'no DCS fallback: ',
        '',
      ),
    )
    expect(warnings).toEqual([
      [
        `15/main: ignored 127.0.0.1:${foreign.port} (a member remembered from an earlier run): it belongs to cluster 15-reporting, not 15-main`,
        'ignored',
      ],
    ])
    expect(foreign.requests.map((r) => r.path).sort()).toEqual(['/cluster', '/patroni']) // read, never used
    expect(cache.read(key())?.apiUrls).toEqual([])
  })

  it('ignores a remembered member of another cluster with the same scope (another system identifier)', async () => {
    const twin = await member('15-main', OTHER_SYSTEM_ID)
    remember(twin.url)
    await failure((await instance(await dead())).cluster())
    expect(warnings).toEqual([
      [
        `15/main: ignored 127.0.0.1:${twin.port} (a member remembered from an earlier run): its system identifier is ${OTHER_SYSTEM_ID}, not ${FAKE_SYSTEM_ID}: another cluster named 15-main`,
        'ignored',
      ],
    ])
  })

  it("treats 401, 403 and other 4xx of this host's member as its answer (exit 1), never skipped", async () => {
    for (const [status, text] of [
      [401, 'not authenticated'],
      [403, 'Access is denied'],
      [404, 'nothing here'],
    ] as const) {
      const local = track(
        await startFakePatroni({
          'GET /cluster': {body: text, status},
          'GET /patroni': {body: patroniStatus('15-main')},
        }),
      )
      const other = await member()
      remember(other.url)
      const error = await failure((await instance(local.url)).cluster())
      expect(error).toMatchObject({exitCode: ExitCode.failed, message: `127.0.0.1:${local.port}: ${status} ${text}`})
      expect(other.requests).toHaveLength(0)
    }
  })

  it("passes over a 5xx of this host's member (it is failing, not answering)", async () => {
    const local = track(
      await startFakePatroni({
        'GET /cluster': {body: 'DCS unreachable', status: 503},
        'GET /patroni': {body: patroniStatus('15-main')},
      }),
    )
    const other = await member()
    remember(other.url)
    expect((await (await instance(local.url)).cluster()).answeredBy).toBe(other.url)
    expect(warnings[0]?.[0]).toMatch(/did not answer \(503 DCS unreachable\); data from/)
  })

  it('does not wait out a black-holed member before asking the others', async () => {
    const hole = track(await startBlackHole())
    const other = await member()
    remember(other.url)
    const started = performance.now()
    const cluster = await (await instance(hole.url, {timeoutMs: 3000})).cluster()
    expect(cluster.answeredBy).toBe(other.url)
    expect(cluster.localFailure).toBe('no answer within 1000 ms')
    expect(performance.now() - started).toBeLessThan(2000)
  })

  it("reports this host's failure first, then the others, within the deadline", async () => {
    const hole = track(await startBlackHole())
    const down = await dead()
    remember(down)
    const started = performance.now()
    const error = await failure((await instance(hole.url, {timeoutMs: 800})).cluster())
    expect(performance.now() - started).toBeLessThan(1500)
    expect(error).toMatchObject({exitCode: ExitCode.unreachable, kind: 'timeout'})
    expect(error.message).toMatch(
      new RegExp(
        `^127\\.0\\.0\\.1:${hole.port}: no answer within 0\\.8s; other members: 127\\.0\\.0\\.1:\\d+: connection refused; DCS etcd3 127\\.0\\.0\\.1:1: connection refused$`,
      ),
    )
  })

  it('reads /history and /config through the same path', async () => {
    const other = await member('15-main', FAKE_SYSTEM_ID, {
      'GET /history': {body: '[[1, 100, "no recovery target specified", "2026-11-24T01:49:45+00:00", "node2"]]'},
    })
    remember(other.url)
    const patroni = await instance(await dead())
    const answer = await patroni.read('/history', 'history', (body) => body)
    expect(answer).toMatchObject({
      answeredBy: other.url,
      source: 'rest',
      value: [[1, 100, 'no recovery target specified', '2026-11-24T01:49:45+00:00', 'node2']],
    })
    expect(warnings.map(([, kind]) => kind)).toEqual(['fallback'])
  })

  it('proves a member before a change (once per run) and refuses one that answers for another cluster', async () => {
    const local = await member()
    const foreign = await member('15-reporting')
    const patroni = await instance(local.url)
    const cluster = await patroni.cluster()
    const [self] = cluster.members
    expect(await patroni.proven(self!)).toBe(local.url)
    expect(local.requests.filter((r) => r.path === '/patroni')).toHaveLength(1) // the read proved it already
    const impostor = {...self!, apiUrl: `${foreign.url}/patroni`, name: 'node2'}
    const error = await failure(patroni.proven(impostor))
    expect(error).toMatchObject({
      exitCode: ExitCode.failed,
      message: `nothing sent to node2 of 15-main: 127.0.0.1:${foreign.port}: it belongs to cluster 15-reporting, not 15-main`,
    })
    expect(foreign.requests.map((r) => r.method)).toEqual(['GET'])
  })

  it('refuses a member with another system identifier, or none, before a change; reinit may take one without', async () => {
    const local = await member()
    const twin = await member('15-main', OTHER_SYSTEM_ID)
    const wiped = await member('15-main', null)
    const patroni = await instance(local.url)
    const [self] = (await patroni.cluster()).members
    const at = (server: FakeServer) => ({...self!, apiUrl: `${server.url}/patroni`, name: 'node2'})
    expect((await failure(patroni.proven(at(twin)))).message).toMatch(
      /its system identifier is 7999999999999999999, not 7000000000000000001: another cluster named 15-main$/,
    )
    expect((await failure(patroni.proven(at(wiped)))).message).toMatch(
      /it reports no system identifier, so it is not proven to be 15-main \(7000000000000000001\)$/,
    )
    expect(await patroni.proven(at(wiped), {allowNoSystemId: true})).toBe(wiped.url)
  })

  it('checks the member name where Patroni reports it (3.2+)', async () => {
    const local = await member()
    const renamed = track(
      await startFakePatroni({'GET /patroni': {body: patroniStatus('15-main', {patroni: {name: 'node7'}})}}),
    )
    const patroni = await instance(local.url)
    const [self] = (await patroni.cluster()).members
    expect(
      (await failure(patroni.proven({...self!, apiUrl: `${renamed.url}/patroni`, name: 'node2'}))).message,
    ).toMatch(/it is member node7, not node2$/)
  })

  describe('through the DCS', () => {
    const consulSection = (url: string) => `consul:\n  url: ${url}\n  token: consul-secret\n`
    const keysFor = (prefix: string, members: {name: string; restPort: number}[], extra: Record<string, string> = {}) =>
      patroniKeys(
        prefix,
        members.map((m, i) => ({...m, pgPort: 55433 + i, timeline: 3, xlog: 1000 - i * 100})),
        members[0]!.name,
        {[`${prefix}initialize`]: FAKE_SYSTEM_ID, [`${prefix}status`]: '{"optime":1000}', ...extra},
      )
    const consul = async (keys: Record<string, string>) => {
      const body = JSON.stringify(
        Object.entries(keys).map(([Key, value]) => ({
          Key: Key.replace(/^\//, ''),
          Value: Buffer.from(value).toString('base64'),
        })),
      )
      return track(await startFakePatroni({'GET /v1/kv/pgpt-test/15-main/?recurse': {body}}))
    }

    it('asks the members the DCS names, proven by the DCS initialize key', async () => {
      const other = await member()
      const dcs = await consul(keysFor('/pgpt-test/15-main/', [{name: 'node2', restPort: other.port}]))
      const cluster = await (await instance(await dead(), {dcs: consulSection(dcs.url)})).cluster()
      expect(cluster).toMatchObject({answeredBy: other.url, systemId: FAKE_SYSTEM_ID})
      expect(cluster.source).toBeUndefined()
      expect(dcs.requests[0]?.headers['x-consul-token']).toBe('consul-secret')
    })

    it('ignores a member the DCS names whose system identifier is not the initialize key, then uses the keys themselves', async () => {
      const twin = await member('15-main', OTHER_SYSTEM_ID)
      const dcs = await consul(
        keysFor('/pgpt-test/15-main/', [
          {name: 'node2', restPort: twin.port},
          {name: 'node3', restPort: await freePort()},
        ]),
      )
      const local = await dead()
      const cluster = await (await instance(local, {dcs: consulSection(dcs.url)})).cluster()
      expect(cluster).toMatchObject({
        dcs: `consul 127.0.0.1:${dcs.port}`,
        localFailure: 'connection refused',
        source: 'dcs',
        systemId: FAKE_SYSTEM_ID,
      })
      expect(cluster.members.map((m) => [m.name, m.role, m.port, m.lagBytes])).toEqual([
        ['node2', 'leader', 55433, undefined],
        ['node3', 'replica', 55434, 100],
      ])
      expect(warnings).toEqual([
        [
          `15/main: ignored 127.0.0.1:${twin.port} (a member named in the DCS): its system identifier is ${OTHER_SYSTEM_ID}, not ${FAKE_SYSTEM_ID}: another cluster named 15-main`,
          'ignored',
        ],
        [
          `15/main: this host's REST API (127.0.0.1:${new URL(local).port}) did not answer (connection refused); data from the DCS (consul 127.0.0.1:${dcs.port})`,
          'fallback',
        ],
      ])
    })

    it('reads /config and /history from the DCS keys when no member answers', async () => {
      const dcs = await consul(
        keysFor('/pgpt-test/15-main/', [{name: 'node2', restPort: await freePort()}], {
          '/pgpt-test/15-main/history': '[[1, 100, "x", "2026-01-01T00:00:00+00:00", "node2"]]',
        }),
      )
      const patroni = await instance(await dead(), {dcs: consulSection(dcs.url)})
      expect((await patroni.read('/config', 'config', (b) => b)).value).toEqual({
        loop_wait: 5,
        retry_timeout: 5,
        ttl: 20,
      })
      expect((await patroni.read('/history', 'history', (b) => b)).value).toEqual([
        [1, 100, 'x', '2026-01-01T00:00:00+00:00', 'node2'],
      ])
    })

    it('reads etcd v2 with basic auth, and asks the members it names', async () => {
      const other = await member()
      const keys = keysFor('/pgpt-test/15-main/', [{name: 'node2', restPort: other.port}])
      const tree2 = {
        action: 'get',
        node: {
          dir: true,
          key: '/pgpt-test/15-main',
          nodes: Object.entries(keys).map(([k, value]) => ({key: k, value})),
        },
      }
      const etcd = track(
        await startFakePatroni({'GET /v2/keys/pgpt-test/15-main/?recursive=true': {body: JSON.stringify(tree2)}}),
      )
      const section = `etcd:\n  hosts: 127.0.0.1:${await freePort()},127.0.0.1:${etcd.port}\n  username: u\n  password: pw\n`
      expect((await (await instance(await dead(), {dcs: section})).cluster()).answeredBy).toBe(other.url)
      expect(etcd.requests[0]?.headers.authorization).toBe(`Basic ${Buffer.from('u:pw').toString('base64')}`)
    })

    it('reads the etcd3 range of the scope only; a never bootstrapped scope (no keys) says so', async () => {
      const etcd = track(await startFakePatroni({'POST /v3/kv/range': {body: '{"header":{"revision":"3"}}'}}))
      const error = await failure(
        (await instance(await dead(), {dcs: `etcd3:\n  hosts: 127.0.0.1:${etcd.port}\n`})).cluster(),
      )
      expect(error.message).toMatch(
        /: connection refused; DCS etcd3 127\.0\.0\.1:\d+: no keys under \/pgpt-test\/15-main\/$/,
      )
      const b64 = (text: string) => Buffer.from(text).toString('base64')
      expect(JSON.parse(etcd.requests[0]!.body)).toEqual({
        key: b64('/pgpt-test/15-main/'),
        range_end: b64('/pgpt-test/15-main0'),
      })
    })

    it("does not read the DCS when this host's member answers, or refuses (401)", async () => {
      const etcd = track(await startFakePatroni({}))
      const section = `etcd3:\n  hosts: 127.0.0.1:${etcd.port}\n`
      const good = await member()
      const locked = track(
        await startFakePatroni({
          'GET /cluster': {body: 'not authenticated', status: 401},
          'GET /patroni': {body: patroniStatus('15-main')},
        }),
      )
      expect((await (await instance(good.url, {dcs: section})).cluster()).answeredBy).toBe(good.url)
      expect(await failure((await instance(locked.url, {dcs: section})).cluster())).toMatchObject({kind: 'auth'})
      await new Promise((r) => setTimeout(r, 800)) // past the hedge
      expect(etcd.requests).toHaveLength(0)
    })

    it('says why the DCS did not help: nothing under the scope, or not readable', async () => {
      const empty = await consul({})
      const local = await dead()
      const port = new URL(local).port
      expect((await failure((await instance(local, {dcs: consulSection(empty.url)})).cluster())).message).toBe(
        `127.0.0.1:${port}: connection refused; DCS consul 127.0.0.1:${empty.port}: no keys under /pgpt-test/15-main/`,
      )
      const deadDcs = await dead()
      expect((await failure((await instance(local, {dcs: consulSection(deadDcs)})).cluster())).message).toBe(
        `127.0.0.1:${port}: connection refused; DCS consul 127.0.0.1:${new URL(deadDcs).port}: connection refused`,
      )
    })
  })
})
