import {afterEach, describe, expect, it} from 'vitest'

import {namespacePrefix, parseEtcd2Keys, parseEtcd3Range, readDcs} from '../../../src/lib/dcs/reader.js'
import type {DcsSettings} from '../../../src/lib/config/dcs-settings.js'
import {RestError} from '../../../src/lib/rest/client.js'
import {type FakeServer, freePort, startBlackHole, startFakePatroni} from '../../helpers/fake-patroni.js'

const b64 = (s: string) => Buffer.from(s).toString('base64')
const range = (keys: Record<string, string>) =>
  JSON.stringify({
    count: String(Object.keys(keys).length),
    kvs: Object.entries(keys).map(([key, value]) => ({key: b64(key), lease: '7587', value: b64(value)})),
  })

describe('readDcs for a whole namespace', () => {
  const servers: FakeServer[] = []
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()))
  })
  const etcd3 = async (keys: Record<string, string> = {'/ns/15-main/leader': 'node1'}) => {
    const server = await startFakePatroni({'POST /v3/kv/range': {body: range(keys)}})
    servers.push(server)
    return server
  }
  const settings = (...urls: string[]): DcsSettings => ({endpoints: urls, kind: 'etcd3'})

  it('hedged: a healthy first endpoint is the only one asked', async () => {
    const [a, b, c] = [await etcd3(), await etcd3(), await etcd3()]
    const snapshot = await readDcs(settings(a.url, b.url, c.url), '/ns/', {hedgeMs: 500, timeoutMs: 5000})
    expect(snapshot.keys).toEqual(new Map([['15-main/leader', 'node1']]))
    expect([a.requests.length, b.requests.length, c.requests.length]).toEqual([1, 0, 0])
  })

  it('hedged: a refused endpoint passes on at once, a silent one after hedgeMs; all at once without hedgeMs', async () => {
    const hole = await startBlackHole()
    servers.push(hole)
    const [good, other] = [await etcd3(), await etcd3()]
    const refused = `http://127.0.0.1:${await freePort()}`
    let started = performance.now()
    expect(
      (await readDcs(settings(refused, good.url, other.url), '/ns/', {hedgeMs: 2000, timeoutMs: 5000})).baseUrl,
    ).toBe(good.url)
    expect(performance.now() - started).toBeLessThan(1900) // not the 2 s hedge
    started = performance.now()
    expect((await readDcs(settings(hole.url, good.url), '/ns/', {hedgeMs: 300, timeoutMs: 5000})).baseUrl).toBe(
      good.url,
    )
    expect(performance.now() - started).toBeGreaterThanOrEqual(290)
    expect(other.requests).toHaveLength(0)
    await readDcs(settings(good.url, other.url), '/ns/', {timeoutMs: 5000})
    expect(other.requests).toHaveLength(1) // the DCS fallback's way: every endpoint at once
  })

  it('takes answers up to maxBytes, and refuses larger ones', async () => {
    const big = await etcd3({'/ns/15-main/history': 'x'.repeat(20 * 1024 * 1024)})
    expect(
      (await readDcs(settings(big.url), '/ns/', {maxBytes: 64 * 1024 * 1024, timeoutMs: 10_000})).keys.get(
        '15-main/history',
      ),
    ).toHaveLength(20 * 1024 * 1024)
    await expect(readDcs(settings(big.url), '/ns/', {timeoutMs: 10_000})).rejects.toThrow(
      new RestError('malformed', `DCS etcd3 127.0.0.1:${big.port}`, 'answer larger than 16 MiB, refused'),
    )
  })

  it('collects etcd3 leases and etcd v2 TTLs when asked, and namespaces as Patroni writes them', () => {
    const leases = new Map<string, string>()
    parseEtcd3Range(JSON.parse(range({'/ns/a/members/n1': '{}'})), '/ns/', leases)
    expect(leases).toEqual(new Map([['a/members/n1', '7587']]))
    const ttls = new Map<string, number>()
    const tree = {
      node: {
        dir: true,
        key: '/ns',
        nodes: [
          {
            dir: true,
            key: '/ns/a',
            nodes: [
              {key: '/ns/a/leader', ttl: 17, value: 'n1'},
              {key: '/ns/a/config', value: '{}'},
            ],
          },
        ],
      },
    }
    expect(parseEtcd2Keys(tree, '/ns/', ttls)).toEqual(
      new Map([
        ['a/leader', 'n1'],
        ['a/config', '{}'],
      ]),
    )
    expect(ttls).toEqual(new Map([['a/leader', 17]]))
    expect([
      namespacePrefix('postgresql-common'),
      namespacePrefix('/postgresql-common/'),
      namespacePrefix(undefined),
      namespacePrefix('//a//b'),
    ]).toEqual(['/postgresql-common/', '/postgresql-common/', '/service/', '/a/b/'])
  })
})
