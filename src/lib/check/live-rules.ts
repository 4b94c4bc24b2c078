import type {Finding, Severity} from './findings.js'
import type {HostInstance} from '../instances/discovery.js'
import {ExitCode, PgpError} from '../errors.js'
import {formatInstance, instanceStem} from '../instances/names.js'
import {lagInMb} from '../output/member-table.js'
import {RestError, endpointOf} from '../rest/client.js'
import {type ClusterState, type Member, dataSource, isRunning, leaderOf, memberBaseUrl} from '../rest/cluster.js'
import {type ConnectOptions, PatroniInstance} from '../rest/instance.js'
import {IdentityError, type WarningKind} from '../rest/verified-read.js'

/** Patroni's own default for maximum_lag_on_failover (bytes). */
const DEFAULT_MAXIMUM_LAG = 1_048_576

/** What one member says about itself (GET /patroni), or why it did not answer, or that it is another cluster's. */
interface MemberView {
  name: string
  endpoint?: string
  role?: string
  timeline?: number
  error?: string
  foreign?: string // it answers for another cluster
}

/** One look at a cluster: the DCS view of one member, each member's own view, the dynamic config. */
interface Snapshot {
  cluster: ClusterState
  statuses: MemberView[]
  maximumLag: number
  configError?: string
}

const LEADER_ROLES = new Set(['master', 'primary', 'standby_leader'])

/**
 * Live checks of one instance through its REST API, every request bounded by the timeout.
 * A leader change in progress looks like disagreement for a few seconds, so a cluster that
 * looks inconsistent is looked at a second time before anything is reported.
 */
export async function auditLive(
  instance: HostInstance,
  configFile: string,
  options: ConnectOptions,
): Promise<Finding[]> {
  const label = formatInstance(instance)
  const unit = `patroni@${instanceStem(instance)}`
  let patroni: PatroniInstance | undefined
  const findings: Finding[] = []
  // a remembered or DCS address that answers for another cluster: ignored, and worth a finding
  const warn = (line: string, kind: WarningKind) => {
    if (kind !== 'ignored') return
    const problem = line.replace(`${label}: `, '')
    if (!findings.some((f) => f.problem === problem))
      findings.push({
        check: 'member-identity',
        fix: 'nothing to do if that address was reused; pgpatronictl forgets it',
        instance: label,
        problem,
        severity: 'warning',
        where: label,
      })
  }
  try {
    patroni = await PatroniInstance.open(label, configFile, {...options, warn})
    const where = endpointOf(patroni.client.access.baseUrl)
    let snapshot = await observe(patroni)
    if (!patroni.answeredLocally(snapshot.cluster)) {
      const why = snapshot.cluster.localFailure ?? 'no answer'
      if (instance.kind === 'not_bootstrapped') return [...findings, notStarted(label, unit, why, where)]
      findings.push({
        check: 'rest-reachable',
        fix: `systemctl status ${unit}; journalctl -u ${unit}`,
        instance: label,
        key: 'GET /cluster',
        problem: `this host's REST API did not answer (${why}); data from ${dataSource(snapshot.cluster)}`,
        severity: 'error',
        where,
      })
    }
    let consistency = clusterFindings(label, snapshot)
    if (consistency.some((f) => TRANSIENT.has(f.check))) {
      await new Promise((resolve) => setTimeout(resolve, Math.min(2000, options.timeoutMs)))
      snapshot = await observe(patroni)
      consistency = clusterFindings(label, snapshot)
    }
    return [...findings, ...consistency]
  } catch (error) {
    if (!(error instanceof PgpError)) throw error
    if (!(error instanceof RestError) && error.exitCode === ExitCode.config) {
      // a config Patroni cannot use either (restapi.listen a list, a bad port, an unusable TLS key): not "not started yet"
      return [
        {
          check: 'config-read',
          fix: 'fix the file: Patroni cannot start with it either',
          instance: label,
          problem: error.message,
          severity: 'error',
          where: configFile,
        },
      ]
    }
    const reason = error instanceof RestError ? error.reason : error.message
    const where = error instanceof RestError ? error.endpoint : configFile
    if (instance.kind === 'not_bootstrapped') return [...findings, notStarted(label, unit, reason, where)]
    return [
      ...findings,
      {
        check: 'rest-reachable',
        fix: `systemctl status ${unit}; journalctl -u ${unit}`,
        instance: label,
        key: 'GET /cluster',
        problem: `REST API unreachable: ${reason}`,
        severity: 'error',
        where,
      },
    ]
  } finally {
    await patroni?.close()
  }
}

const TRANSIENT = new Set(['leader', 'member-state', 'timeline'])

const notStarted = (instance: string, unit: string, reason: string, where: string): Finding => ({
  check: 'rest-reachable',
  fix: `systemctl start ${unit} (it bootstraps, or clones from the leader)`,
  instance,
  key: 'GET /cluster',
  problem: `Patroni is not running (${reason}); normal until it is first started`,
  severity: 'info',
  where,
})

async function observe(patroni: PatroniInstance): Promise<Snapshot> {
  const cluster = await patroni.cluster()
  const view = async (member: Member): Promise<MemberView> => {
    const baseUrl = memberBaseUrl(member)
    if (!baseUrl) return {name: member.name}
    const endpoint = endpointOf(baseUrl)
    try {
      const {role, timeline} = await patroni.memberStatus(member)
      return {endpoint, name: member.name, role, timeline}
    } catch (error) {
      if (error instanceof IdentityError) return {endpoint, foreign: error.problem, name: member.name}
      if (error instanceof RestError) return {endpoint, error: error.reason, name: member.name}
      throw error
    }
  }
  const [statuses, config] = await Promise.all([
    Promise.all(cluster.members.map(view)),
    patroni
      .read('/config', 'config', (body) => body as {maximum_lag_on_failover?: unknown} | null)
      .then(
        ({value}) => ({
          maximumLag:
            typeof value?.maximum_lag_on_failover === 'number' ? value.maximum_lag_on_failover : DEFAULT_MAXIMUM_LAG,
        }),
        (error: unknown) => {
          if (!(error instanceof RestError)) throw error
          return {configError: error.reason, maximumLag: DEFAULT_MAXIMUM_LAG}
        },
      ),
  ])
  return {cluster, statuses, ...config}
}

function clusterFindings(instance: string, snapshot: Snapshot): Finding[] {
  const {cluster, statuses} = snapshot
  const where = cluster.source === 'dcs' ? dataSource(cluster) : endpointOf(cluster.answeredBy)
  const scope = cluster.scope
  const findings: Finding[] = []
  const add = (severity: Severity, check: string, key: string, problem: string, fix: string, at = where) =>
    findings.push({check, fix, instance, key, problem, severity, where: at})
  const logs = `journalctl -u patroni@${scope} on each member's host`

  const leader = leaderOf(cluster)
  if (!leader)
    add('error', 'leader', 'GET /cluster', 'the cluster has no leader', `check the DCS and the members' logs (${logs})`)
  for (const status of statuses) {
    if (status.foreign) {
      add(
        'error',
        'member-identity',
        'GET /patroni',
        `member ${status.name}'s REST API answers for another cluster: ${status.foreign}`,
        `check restapi.connect_address on ${status.name}'s host: its api_url in the DCS leads elsewhere`,
        status.endpoint,
      )
    } else if (status.error) {
      add(
        'warning',
        'member-reachable',
        'GET /patroni',
        `member ${status.name} does not answer (${status.error})`,
        `check patroni@${scope} on ${status.name}'s host, and that its restapi.connect_address is reachable from here`,
        status.endpoint,
      )
    } else if (status.role && LEADER_ROLES.has(status.role) && status.name !== leader?.name) {
      add(
        'error',
        'leader',
        'GET /patroni',
        `member ${status.name} says it is ${status.role} but the DCS leader is ${leader?.name ?? 'nobody'}: split brain`,
        `stop Patroni on ${status.name} (systemctl stop patroni@${scope} on its host) and check the DCS`,
        status.endpoint,
      )
    } else if (status.role && !LEADER_ROLES.has(status.role) && status.name === leader?.name) {
      add(
        'error',
        'leader',
        'GET /patroni',
        `member ${status.name} holds the leader key but says it is ${status.role}`,
        `check ${status.name}'s log (${logs})`,
        status.endpoint,
      )
    }
  }

  const down = cluster.members.filter((m) => !isRunning(m))
  if (down.length > 0) {
    add(
      'warning',
      'member-state',
      'GET /cluster',
      `${down.map((m) => `${m.name} is ${m.state}`).join(', ')}`,
      `check PostgreSQL and Patroni on those members (${logs})`,
    )
  }

  const timelines = new Map<string, number>()
  for (const member of cluster.members.filter(isRunning)) {
    const timeline = statuses.find((s) => s.name === member.name)?.timeline ?? member.timeline
    if (timeline !== undefined) timelines.set(member.name, timeline)
  }
  if (new Set(timelines.values()).size > 1) {
    const listed = [...timelines].map(([name, tl]) => `${name} TL ${tl}`).join(', ')
    const newest = Math.max(...timelines.values())
    const behind = [...timelines].filter(([, tl]) => tl < newest).map(([name]) => name)
    add(
      'warning',
      'timeline',
      'GET /patroni',
      `members are on different timelines: ${listed}`,
      `if ${behind.join(', ')} stay${behind.length === 1 ? 's' : ''} behind, rewind or re-clone: pgpatronictl reinit ${instance} ${behind.join(' ')}`,
    )
  }

  const lagging = cluster.members.filter((m) => typeof m.lagBytes === 'number' && m.lagBytes > snapshot.maximumLag)
  if (lagging.length > 0) {
    add(
      'warning',
      'lag',
      'GET /cluster',
      `${lagging.map((m) => `${m.name} is ${lagInMb(m.lagBytes!)} MB behind`).join(', ')}, above maximum_lag_on_failover (${lagInMb(snapshot.maximumLag)} MB): not a failover candidate`,
      'find what slows replay on those members (network, disk, long queries); raise maximum_lag_on_failover only if losing that much is acceptable',
    )
  }
  if (snapshot.configError) {
    add(
      'warning',
      'dynamic-config',
      'GET /config',
      `the dynamic configuration cannot be read (${snapshot.configError}); lag is compared with Patroni's default`,
      `check the DCS (${logs})`,
    )
  }

  const pending = cluster.members.filter((m) => m.pendingRestart)
  if (pending.length > 0) {
    add(
      'warning',
      'pending-restart',
      'GET /cluster',
      `${pending.map((m) => m.name).join(', ')} must restart PostgreSQL to apply changed settings`,
      `pgpatronictl restart ${instance} --pending`,
    )
  }
  if (cluster.paused) {
    add(
      'warning',
      'paused',
      'GET /cluster',
      'the cluster is paused (maintenance mode): Patroni will not fail over',
      `pgpatronictl resume ${instance} when maintenance is done`,
    )
  }
  return findings
}
