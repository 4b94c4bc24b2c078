import {execFileSync} from 'node:child_process'
import {existsSync, readFileSync} from 'node:fs'

import {runCli} from './cli.js'

/** What test/cluster/up.sh writes to $STATE/cluster.json: the facts integration tests rely on. */
export interface TestMember {
  pgPort: number
  restPort: number
  config: string
  pidFile: string
  dataDir?: string
}

export interface TestCluster {
  configDir: string
  etcd: string
  namespace: string
  instances: {
    ha: {name: string; scope: string; config: string; members: Record<string, TestMember>}
    auth: {
      name: string
      scope: string
      config: string
      username: string
      password: string
      members: Record<string, TestMember>
    }
    tls: {
      name: string
      scope: string
      config: string
      caFile: string
      certFile: string
      keyFile: string
      keyPassword: string
      members: Record<string, TestMember>
    }
    /** Run by Debian 13's Patroni 4.0.7 (unpacked); `patronictl` is its own patronictl, to compare with. */
    v4: {
      name: string
      scope: string
      config: string
      patroniVersion: string
      debianVersion: string
      patroni: string
      patronictl: string
      members: Record<string, TestMember>
    }
    plain: {name: string; port: number}
    new: {name: string; config: string; pgPort: number; restPort: number}
    orphan: {name: string; config: string}
  }
}

export const STATE_DIR = process.env.PGPT_TEST_STATE ?? '/var/lib/pgpatronictl-test'
const ci = process.env.CI === 'true' || process.env.CI === '1'

/**
 * The running test cluster, or why there is none. Under CI a missing cluster is an error, so
 * integration tests can never pass by being skipped there.
 */
export function testCluster(): {cluster?: TestCluster; skip?: string} {
  const file = `${STATE_DIR}/cluster.json`
  if (process.getuid?.() !== 0) return {skip: 'integration tests need root (they drive the real test cluster)'}
  if (!existsSync(file)) {
    const why = `no test cluster (${file} missing; npm test runs test/cluster/up.sh as root)`
    if (ci) throw new Error(why)
    return {skip: why}
  }
  return {cluster: JSON.parse(readFileSync(file, 'utf8')) as TestCluster}
}

/** Prints why a suite is skipped, so a skip is never silent. */
export function announceSkip(suite: string, reason: string | undefined): void {
  if (reason) process.stderr.write(`[skip] ${suite}: ${reason}\n`)
}

/**
 * patronictl's own view, the reference for roles, states and timelines: Debian 12's 3.0.2, or
 * another one (`instances.v4.patronictl`, 4.0.7).
 */
export function patronictlJson(config: string, scope: string, patronictl = 'patronictl'): Record<string, unknown>[] {
  const out = execFileSync(patronictl, ['-c', config, 'list', scope, '-f', 'json'], {encoding: 'utf8', timeout: 30_000})
  return JSON.parse(out) as Record<string, unknown>[]
}

export function patronictlPretty(config: string, scope: string, patronictl = 'patronictl'): string {
  return execFileSync(patronictl, ['-c', config, 'list', scope], {encoding: 'utf8', timeout: 30_000})
}

export async function restCluster(
  port: number,
): Promise<{members: {name: string; role: string; state: string; timeline?: number; lag?: unknown}[]}> {
  const response = await fetch(`http://127.0.0.1:${port}/cluster`, {signal: AbortSignal.timeout(5000)})
  return (await response.json()) as never
}

export const pidOf = (member: TestMember): number => Number.parseInt(readFileSync(member.pidFile, 'utf8'), 10)

/**
 * node1 leads again and every member is healthy: the cluster up.sh made, which each test starts
 * from and leaves. `patronictl`: the one of the scope's Patroni version.
 */
export async function node1Leads(
  instance: {name: string; scope: string; config: string; members: Record<string, TestMember>},
  configDir: string,
  patronictl?: string,
): Promise<void> {
  const port = instance.members.node1!.restPort
  const members = Object.keys(instance.members).length
  await waitHealthy(port, members)
  if (
    patronictlJson(instance.config, instance.scope, patronictl).find((m) => m.Role === 'Leader')?.Member !== 'node1'
  ) {
    const result = await runCli([
      'switchover',
      instance.name,
      '--candidate',
      'node1',
      '--force',
      '--config-dir',
      configDir,
    ])
    if (result.code !== 0)
      throw new Error(`${instance.name}: the switchover back to node1 failed (exit ${result.code}): ${result.stderr}`)
  }
  await waitHealthy(port, members)
}

/**
 * Waits until every member runs, one leads and the replicas have caught up: the state tests start from.
 * `replicaStates`: 3.0.2's /cluster calls a streaming replica `running`; 4.x says `streaming`.
 */
export async function waitHealthy(
  port: number,
  expectedMembers: number,
  timeoutMs = 60_000,
  replicaStates: readonly string[] = ['running', 'streaming'],
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  let last = ''
  while (Date.now() < deadline) {
    try {
      const {members} = await restCluster(port)
      last = JSON.stringify(members)
      const leaders = members.filter((m) => m.role === 'leader')
      const healthy = members.every((m) =>
        m.role === 'leader' ? m.state === 'running' || m.state === 'streaming' : replicaStates.includes(m.state),
      )
      const lagKnown = members.filter((m) => m.role !== 'leader').every((m) => m.lag === 0)
      if (members.length === expectedMembers && leaders.length === 1 && healthy && lagKnown) return
    } catch (error) {
      last = String(error)
    }
    await new Promise((resolve) => setTimeout(resolve, 500))
  }
  throw new Error(`cluster on REST port ${port} not healthy after ${timeoutMs} ms: ${last}`)
}

/**
 * Other test files switch over and restart the same clusters while one reads them: a comparison
 * (ours against patronictl's) may straddle a change, so it is retried and must hold once in a few tries.
 */
export async function eventually(compare: () => Promise<void>, attempts = 5): Promise<void> {
  for (let i = 1; ; i++) {
    try {
      return await compare()
    } catch (error) {
      if (i >= attempts) throw error
      await new Promise((resolve) => setTimeout(resolve, 1000))
    }
  }
}
