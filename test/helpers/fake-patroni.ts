import {readFileSync} from 'node:fs'
import {type IncomingHttpHeaders, createServer} from 'node:http'
import {type Socket, createServer as createTcpServer} from 'node:net'
import type {AddressInfo} from 'node:net'
import {join} from 'node:path'

export interface RecordedRequest {
  method: string
  path: string
  headers: IncomingHttpHeaders
  body: string
}

export interface FakeAnswer {
  status?: number
  body: string
  delayMs?: number
  truncate?: boolean // promise more body than is sent, then close the connection
}

export interface FakeServer {
  port: number
  url: string
  requests: RecordedRequest[]
  close(): Promise<void>
}

export const fixture = (name: string): string =>
  readFileSync(join(import.meta.dirname, '..', 'fixtures', 'rest', name), 'utf8')

/** A local HTTP server replaying recorded Patroni answers by "METHOD /path"; 404 otherwise. */
export async function startFakePatroni(
  routes: Record<string, FakeAnswer | ((req: RecordedRequest) => FakeAnswer)>,
): Promise<FakeServer> {
  const requests: RecordedRequest[] = []
  const server = createServer((req, res) => {
    let body = ''
    req.on('data', (chunk) => (body += chunk))
    req.on('end', () => {
      const recorded = {body, headers: req.headers, method: req.method ?? '', path: req.url ?? ''}
      requests.push(recorded)
      const route = routes[`${req.method} ${req.url}`]
      const answer = typeof route === 'function' ? route(recorded) : (route ?? {body: 'not found', status: 404})
      setTimeout(() => {
        if (answer.truncate) {
          res.socket?.end(
            `HTTP/1.1 ${answer.status ?? 200} OK\r\ncontent-length: ${answer.body.length + 100}\r\n\r\n${answer.body}`,
          )
          return
        }
        res.writeHead(answer.status ?? 200, {'content-type': 'text/html'})
        res.end(answer.body)
      }, answer.delayMs ?? 0)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const {port} = server.address() as AddressInfo
  return {
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
    port,
    requests,
    url: `http://127.0.0.1:${port}`,
  }
}

/** A TCP port that accepts connections and never answers: a frozen Patroni. */
export async function startBlackHole(): Promise<FakeServer> {
  const sockets = new Set<Socket>()
  const server = createTcpServer((socket) => {
    sockets.add(socket)
    socket.on('error', () => {})
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const {port} = server.address() as AddressInfo
  return {
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy()
        server.close(() => resolve())
      }),
    port,
    requests: [],
    url: `http://127.0.0.1:${port}`,
  }
}

/** A port with nothing listening (bound, then released). */
export async function freePort(): Promise<number> {
  const server = createTcpServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const {port} = server.address() as AddressInfo
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

/** The system identifier of the fake clusters; a real one is 19 digits too. */
export const FAKE_SYSTEM_ID = '7000000000000000001'

/**
 * GET /patroni as Patroni 3.0.2 answers it for a running leader. Its `patroni.scope` and
 * `database_system_identifier` are what prove a member belongs to the cluster asked for.
 */
export function patroniStatus(scope: string, extra: {systemId?: string | null; [key: string]: unknown} = {}): string {
  const {systemId = FAKE_SYSTEM_ID, ...rest} = extra
  return JSON.stringify({
    ...(systemId === null ? {} : {database_system_identifier: systemId}),
    role: 'master',
    server_version: 150020,
    state: 'running',
    timeline: 1,
    ...rest,
    patroni: {scope, version: '3.0.2', ...(rest.patroni as object | undefined)},
  })
}

/** GET /cluster of members named node1.., each with its api_url (a fake's base URL): node1 leads. */
export function clusterBody(apiUrls: string[], extra: {leader?: string; timeline?: number} = {}): string {
  const leader = extra.leader ?? 'node1'
  return JSON.stringify({
    members: apiUrls.map((url, i) => {
      const name = `node${i + 1}`
      return {
        api_url: `${url}/patroni`,
        host: '127.0.0.1',
        name,
        port: 55432 + i,
        role: name === leader ? 'leader' : 'replica',
        state: 'running',
        timeline: extra.timeline ?? 1,
        ...(name === leader ? {} : {lag: 0}),
      }
    }),
  })
}
