import {afterEach, describe, expect, it} from 'vitest'

import {ExitCode} from '../../src/lib/errors.js'
import {PatroniClient, RestError, plainText} from '../../src/lib/patroni-client.js'
import {type FakeServer, fixture, freePort, startBlackHole, startFakePatroni} from '../helpers/fake-patroni.js'

describe('PatroniClient', () => {
  const servers: FakeServer[] = []
  const clients: PatroniClient[] = []
  afterEach(async () => {
    await Promise.all([...clients.splice(0).map((c) => c.close()), ...servers.splice(0).map((s) => s.close())])
  })
  const client = async (baseUrl: string, options: {auth?: {password: string; username: string}; timeoutMs?: number} = {}) => {
    const logged: string[] = []
    const c = await PatroniClient.create({auth: options.auth, baseUrl}, {log: (l) => logged.push(l), timeoutMs: options.timeoutMs ?? 2000})
    clients.push(c)
    return {c, logged}
  }
  const serve = async (routes: Parameters<typeof startFakePatroni>[0]) => {
    const server = await startFakePatroni(routes)
    servers.push(server)
    return server
  }
  const failure = (promise: Promise<unknown>) => promise.then(() => expect.unreachable('should fail'), (e: unknown) => e as RestError)

  it('reads a recorded /cluster answer', async () => {
    const server = await serve({'GET /cluster': {body: fixture('cluster-3.0.2.json')}})
    const {c} = await client(server.url)
    const body = await c.getJson<{members: unknown[]}>('/cluster')
    expect(body.members).toHaveLength(3)
  })

  it('sends basic auth, and never logs it', async () => {
    const server = await serve({'POST /restart': {body: 'restarted successfully'}})
    const {c, logged} = await client(server.url, {auth: {password: 's3cret-pw', username: 'patroni'}})
    const response = await c.request('POST', '/restart', {body: {}})
    expect(response).toEqual({status: 200, text: 'restarted successfully'})
    expect(server.requests[0]!.headers.authorization).toBe(`Basic ${Buffer.from('patroni:s3cret-pw').toString('base64')}`)
    expect(server.requests[0]!.body).toBe('{}')
    expect(logged.join('\n')).toMatch(/POST http:\/\/127\.0\.0\.1:\d+\/restart -> 200/)
    expect(logged.join('\n')).not.toContain('s3cret')
    expect(logged.join('\n')).not.toContain(Buffer.from('patroni:s3cret-pw').toString('base64'))
  })

  it.each([
    [401, 'no auth header received'],
    [401, 'not authenticated'],
    [403, 'Access is denied'],
  ])('turns %d into an auth error with Patroni\'s text (exit 1)', async (status, text) => {
    const server = await serve({'POST /switchover': {body: text, status}})
    const {c} = await client(server.url)
    const error = await failure(c.request('POST', '/switchover', {body: {leader: 'a'}}))
    expect(error).toBeInstanceOf(RestError)
    expect(error).toMatchObject({exitCode: ExitCode.failed, kind: 'auth', status})
    expect(error.message).toBe(`127.0.0.1:${server.port}: ${status} ${text}`)
  })

  it.each([
    ['garbage', {body: '{"members": [tru'}, 'malformed'],
    ['a 503 page', {body: '<html><title>Error</title><body><p>Error code: 503</p></body></html>', status: 503}, 'http'],
  ])('reports %s from GET', async (_, answer, kind) => {
    const server = await serve({'GET /cluster': answer})
    const {c} = await client(server.url)
    expect(await failure(c.getJson('/cluster'))).toMatchObject({exitCode: ExitCode.failed, kind})
  })

  it('says "connection refused" for a port with nothing behind it (exit 4)', async () => {
    const {c} = await client(`http://127.0.0.1:${await freePort()}`)
    const error = await failure(c.getJson('/cluster'))
    expect(error).toMatchObject({exitCode: ExitCode.unreachable, kind: 'unreachable', reason: 'connection refused'})
  })

  it('gives up on a socket that accepts and never answers, within the timeout', async () => {
    const hole = await startBlackHole()
    servers.push(hole)
    const {c} = await client(hole.url, {timeoutMs: 700})
    const started = performance.now()
    const error = await failure(c.getJson('/cluster'))
    const elapsed = performance.now() - started
    expect(error).toMatchObject({exitCode: ExitCode.unreachable, kind: 'timeout', reason: 'no answer within 0.7s'})
    expect(elapsed).toBeGreaterThanOrEqual(650)
    expect(elapsed).toBeLessThan(2000)
  })

  it('gives up on a body that never ends', async () => {
    const server = await serve({'GET /cluster': {body: '', delayMs: 5000}})
    const {c} = await client(server.url, {timeoutMs: 500})
    expect(await failure(c.getJson('/cluster'))).toMatchObject({kind: 'timeout'})
  })

  it('keeps error text to one readable line', () => {
    expect(plainText('<html>\n<head><title>Error response</title></head>\n<body><h1>Error response</h1><p>Error code: 400</p>\n</body></html>')).toBe(
      'Error response Error code: 400',
    )
    expect(plainText('x'.repeat(500))).toHaveLength(200)
  })
})
