// Once per `npm test` run, before any test file:
// - a private XDG_CACHE_HOME (the member cache, code caches): no test reads or writes the
//   user's own, and no run sees another run's;
// - tripwires on the ports a real Debian Patroni host uses: a connection to one from this run
//   fails the run. The suite must pass on a host running a real 15/main with etcd, and never reach it.
import {randomBytes} from 'node:crypto'
import {mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync} from 'node:fs'
import {type Server, type Socket, createServer} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

/** PostgreSQL 5432-5434, Patroni REST 8008-8010, etcd 2379/2380, Consul 8500. */
export const REAL_HOST_PORTS = [5432, 5433, 5434, 8008, 8009, 8010, 2379, 2380, 8500]

/** Marks this run's processes (test workers, the CLIs they start, tmux sessions: see terminal.ts). */
export const RUN_MARK = 'PGPT_TEST_RUN'

export default async function setup(): Promise<() => Promise<void>> {
  const cacheHome = mkdtempSync(join(tmpdir(), 'pgpt-test-cache-'))
  const run = randomBytes(6).toString('hex')
  process.env.XDG_CACHE_HOME = cacheHome // test workers and the CLIs they start inherit both
  process.env[RUN_MARK] = run
  const hits: string[] = []
  const servers: Server[] = []
  const busy: string[] = []
  for (const host of ['127.0.0.1', '::1']) {
    for (const port of REAL_HOST_PORTS) {
      const server = await tripwire(host, port, run, (line) => hits.push(line))
      if (server) servers.push(server)
      else busy.push(`${host.includes(':') ? `[${host}]` : host}:${port}`)
    }
  }
  if (busy.length > 0) process.stderr.write(`[tripwire] in use here, so not guarded: ${busy.join(' ')}\n`)
  return async () => {
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))))
    rmSync(cacheHome, {force: true, recursive: true})
    if (hits.length > 0) {
      throw new Error(
        `[tripwire] tests connected to ports a real Patroni host uses (its cluster would have been reached):\n${hits.join('\n')}`,
      )
    }
  }
}

/**
 * A listener on `host:port` that records a connection from a process of run `run` (or from a
 * process it cannot attribute: better a false alarm than a miss); undefined if the port is taken.
 * Other processes on the machine (another developer's run) are told no and not counted.
 */
export function tripwire(
  host: string,
  port: number,
  run: string,
  hit: (line: string) => void,
): Promise<Server | undefined> {
  const server = createServer((socket: Socket) => {
    const from = `${socket.remoteAddress}:${socket.remotePort}`
    const owner = clientProcess(socket.remotePort ?? 0, port)
    const ours = owner === undefined || environOf(owner).includes(`${RUN_MARK}=${run}`)
    let first = ''
    socket.setTimeout(500, () => socket.destroy())
    socket.on('data', (chunk) => {
      first ||= chunk.toString('latin1').split('\r\n')[0]!.slice(0, 120)
      socket.destroy() // never play a server: the client sees a broken connection
    })
    socket.on('close', () => {
      if (ours)
        hit(
          `${new Date().toISOString()} ${host}:${port} <- ${from} (pid ${owner ?? 'unknown'})${first ? ` "${first}"` : ''}`,
        )
    })
    socket.on('error', () => {})
  })
  return new Promise((resolve) => {
    server.once('error', () => resolve(undefined))
    server.listen({exclusive: true, host, port}, () => resolve(server))
  })
}

/** The PID holding the client end (local port `clientPort`, remote port `serverPort`) of a loopback TCP connection. */
function clientProcess(clientPort: number, serverPort: number): number | undefined {
  const hex = (n: number) => n.toString(16).toUpperCase().padStart(4, '0')
  let inode: string | undefined
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    try {
      for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
        const f = line.trim().split(/\s+/)
        if (f[1]?.endsWith(`:${hex(clientPort)}`) && f[2]?.endsWith(`:${hex(serverPort)}`)) inode = f[9]
      }
    } catch {
      // no such table (no IPv6)
    }
  }
  if (!inode) return undefined
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      for (const fd of readdirSync(`/proc/${pid}/fd`)) {
        if (readlinkSync(`/proc/${pid}/fd/${fd}`) === `socket:[${inode}]`) return Number(pid)
      }
    } catch {
      // gone, or not ours to read
    }
  }
  return undefined
}

function environOf(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0')
  } catch {
    return []
  }
}
