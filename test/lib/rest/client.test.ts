import {createServer} from 'node:net'
import type {AddressInfo, Socket} from 'node:net'

import {afterEach, describe, expect, it} from 'vitest'

import {ExitCode} from '../../../src/lib/errors.js'
import {MAX_ANSWER_BYTES, PatroniClient, RestError, plainText} from '../../../src/lib/rest/client.js'
import {type FakeServer, fixture, freePort, startBlackHole, startFakePatroni} from '../../helpers/fake-patroni.js'

describe('PatroniClient', () => {
  const servers: FakeServer[] = []
  const clients: PatroniClient[] = []
  afterEach(async () => {
    await Promise.all([...clients.splice(0).map((c) => c.close()), ...servers.splice(0).map((s) => s.close())])
  })
  const client = async (
    baseUrl: string,
    options: {auth?: {password: string; username: string}; timeoutMs?: number} = {},
  ) => {
    const logged: string[] = []
    const c = await PatroniClient.create(
      {auth: options.auth, baseUrl},
      {log: (l) => logged.push(l), timeoutMs: options.timeoutMs ?? 2000},
    )
    clients.push(c)
    return {c, logged}
  }
  const serve = async (routes: Parameters<typeof startFakePatroni>[0]) => {
    const server = await startFakePatroni(routes)
    servers.push(server)
    return server
  }
  const failure = (promise: Promise<unknown>) =>
    promise.then(
      () => expect.unreachable('should fail'),
      (e: unknown) => e as RestError,
    )

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
    expect(server.requests[0]!.headers.authorization).toBe(
      `Basic ${Buffer.from('patroni:s3cret-pw').toString('base64')}`,
    )
    expect(server.requests[0]!.body).toBe('{}')
    expect(logged.join('\n')).toMatch(/POST http:\/\/127\.0\.0\.1:\d+\/restart -> 200/)
    expect(logged.join('\n')).not.toContain('s3cret')
    expect(logged.join('\n')).not.toContain(Buffer.from('patroni:s3cret-pw').toString('base64'))
  })

  it.each([
    [401, 'no auth header received'],
    [401, 'not authenticated'],
    [403, 'Access is denied'],
  ])("turns %d into an auth error with Patroni's text (exit 1)", async (status, text) => {
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
    // several requests in a row: undici's coarse timers (~0.5 s ticks) fired early on some
    for (let attempt = 0; attempt < 3; attempt++) {
      const started = performance.now()
      const error = await failure(c.getJson('/cluster'))
      const elapsed = performance.now() - started
      expect(error).toMatchObject({exitCode: ExitCode.unreachable, kind: 'timeout', reason: 'no answer within 0.7s'})
      expect(elapsed).toBeGreaterThanOrEqual(695)
      expect(elapsed).toBeLessThan(2000)
      await new Promise((resolve) => setTimeout(resolve, 300 * attempt))
    }
  })

  it('gives up on a body that never ends', async () => {
    const server = await serve({'GET /cluster': {body: '', delayMs: 5000}})
    const {c} = await client(server.url, {timeoutMs: 500})
    expect(await failure(c.getJson('/cluster'))).toMatchObject({kind: 'timeout'})
  })

  /** A server that writes raw bytes: what http.createServer would not send. */
  const raw = async (onRequest: (socket: Socket) => void) => {
    const sockets = new Set<Socket>()
    const server = createServer((socket) => {
      sockets.add(socket)
      socket.once('data', () => onRequest(socket))
      socket.on('error', () => {})
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const {port} = server.address() as AddressInfo
    const fake = {
      close: () =>
        new Promise<void>((resolve) => {
          for (const socket of sockets) socket.destroy()
          server.close(() => resolve())
        }),
      port,
      requests: [],
      url: `http://127.0.0.1:${port}`,
    }
    servers.push(fake)
    return fake
  }

  it('reports a connection that breaks off mid-answer as broken (exit 4); after a change request, Patroni may act on it', async () => {
    const server = await raw((socket) => {
      socket.write('HTTP/1.1 200 OK\r\ncontent-length: 5000\r\n\r\n{"members": [')
      setTimeout(() => socket.destroy(), 50)
    })
    const {c} = await client(server.url)
    const read = await failure(c.getJson('/cluster'))
    expect(read).toMatchObject({exitCode: ExitCode.unreachable, isDown: true, kind: 'broken', maybeCarriedOut: false})
    expect(read.message).toMatch(
      /^127\.0\.0\.1:\d+: connection (closed in the middle of the answer|closed before the answer was complete|reset)$/,
    )
    const change = await failure(c.request('POST', '/switchover', {body: {leader: 'node1'}}))
    expect(change).toMatchObject({exitCode: ExitCode.unreachable, kind: 'broken', maybeCarriedOut: true})
    expect(change.message).toMatch(/\(the request may still be carried out: check before repeating it\)$/)
  })

  it(`refuses an answer over ${MAX_ANSWER_BYTES / 1024 / 1024} MiB (exit 1) instead of holding it in memory`, async () => {
    const server = await raw((socket) => {
      socket.write(`HTTP/1.1 200 OK\r\ncontent-length: ${MAX_ANSWER_BYTES + 1}\r\n\r\n`)
      const chunk = Buffer.alloc(1024 * 1024, 0x20)
      let sent = 0
      const more = () => {
        while (sent <= MAX_ANSWER_BYTES && !socket.destroyed) {
          sent += chunk.length
          if (!socket.write(chunk)) return void socket.once('drain', more)
        }
      }
      more()
    })
    const {c} = await client(server.url, {timeoutMs: 10_000})
    expect(await failure(c.getJson('/config'))).toMatchObject({
      exitCode: ExitCode.failed,
      kind: 'malformed',
      reason: 'answer larger than 16 MiB, refused',
    })
  })

  it('never repeats our credentials from an error page that echoes them', async () => {
    const token = Buffer.from('patroni:echo-secret-pw').toString('base64')
    const server = await serve({
      'POST /reload': {body: `bad credentials: Basic ${token} (password echo-secret-pw)`, status: 401},
    })
    const {c} = await client(server.url, {auth: {password: 'echo-secret-pw', username: 'patroni'}})
    const error = await failure(c.request('POST', '/reload'))
    expect(error.message).toBe(`127.0.0.1:${server.port}: 401 bad credentials: Basic *** (password ***)`)
  })

  it('keeps a hostile error text short, fast and free of terminal control sequences', () => {
    const started = performance.now()
    expect(plainText('<'.repeat(400_000))).toHaveLength(200)
    expect(plainText('<title>'.repeat(100_000)).length).toBeLessThanOrEqual(200)
    expect(performance.now() - started).toBeLessThan(500)
    expect(plainText('\u001B[2J\u001B[31mboom\u001B]0;pwned\u0007 \u009B1m')).toBe('[2J [31mboom ]0;pwned 1m')
  })

  it.each(['null', '[]', '42', '"text"'])('refuses %s where a JSON object is due (exit 1)', async (body) => {
    const server = await serve({'GET /config': {body}})
    const {c} = await client(server.url)
    expect(await failure(c.getObject('/config'))).toMatchObject({
      exitCode: ExitCode.failed,
      kind: 'malformed',
      reason: 'malformed answer to GET /config (not a JSON object)',
    })
  })

  it('refuses an answer nested too deep to print', async () => {
    const server = await serve({
      'GET /config': {body: `${'{"a":'.repeat(3000)}1${'}'.repeat(3000)}`},
      'GET /history': {body: '[[1, 2, "x", "t", "n"]]'},
    })
    const {c} = await client(server.url)
    expect(await failure(c.getJson('/config'))).toMatchObject({
      kind: 'malformed',
      reason: 'malformed answer (nested deeper than 64 levels)',
    })
    expect(await c.getJson('/history')).toEqual([[1, 2, 'x', 't', 'n']])
  })

  it('never sends credentials meant for https over a plain http api_url', async () => {
    const server = await serve({'GET /patroni': {body: '{}'}, 'POST /reload': {body: 'ok'}})
    const c = await PatroniClient.create(
      {auth: {password: 'tls-only-pw', username: 'patroni'}, baseUrl: 'https://127.0.0.1:1'},
      {timeoutMs: 2000},
    )
    clients.push(c)
    expect(await c.getJson('/patroni', server.url)).toEqual({})
    expect(server.requests[0]!.headers.authorization).toBeUndefined()
    expect(await failure(c.request('POST', '/reload', {baseUrl: server.url}))).toMatchObject({
      exitCode: ExitCode.unreachable,
      kind: 'tls',
    })
    expect(server.requests).toHaveLength(1)
  })

  it('keeps error text to one readable line', () => {
    expect(
      plainText(
        '<html>\n<head><title>Error response</title></head>\n<body><h1>Error response</h1><p>Error code: 400</p>\n</body></html>',
      ),
    ).toBe('Error response Error code: 400')
    expect(plainText('x'.repeat(500))).toHaveLength(200)
  })

  it("turns http.server's error page (Patroni's send_error) into its message and reason", () => {
    // Python 3.11 http.server.DEFAULT_ERROR_MESSAGE, as Patroni 3.0.2 sends it for a 409 to PATCH /config
    const page = `<!DOCTYPE HTML>\n<html lang="en">\n    <head>\n        <meta charset="utf-8">\n        <title>Error response</title>\n    </head>\n    <body>\n        <h1>Error response</h1>\n        <p>Error code: 409</p>\n        <p>Message: Conflict.</p>\n        <p>Error code explanation: 409 - Request conflict.</p>\n    </body>\n</html>\n`
    expect(plainText(page)).toBe('Conflict (Request conflict)')
    expect(plainText(page.replace('Request conflict', 'Conflict'))).toBe('Conflict')
  })
})
