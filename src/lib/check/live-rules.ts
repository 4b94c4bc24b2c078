import type {Finding, Severity} from './findings.js'
import type {HostInstance} from '../instances/discovery.js'
import {ExitCode, PgpError} from '../errors.js'
import {formatInstance, instanceStem} from '../instances/names.js'
import {lagInMb} from '../output/member-table.js'
import {RestError, endpointOf} from '../rest/client.js'
import {type ClusterState, type Member, dataSource, isRunning, leaderOf, memberBaseUrl} from '../rest/cluster.js'
import {type ConnectOptions, PatroniInstance} from '../rest/instance.js'
import {IdentityError, type WarningKind} from '../rest/verified-read.js'
import {saysLeader} from '../rest/member-status.js'

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
  const findings: Finding[] = []
  let patroni: PatroniInstance | undefined
  try {
    patroni = await PatroniInstance.open(label, configFile, {...options, warn: identityFindings(label, findings)})
    return [...findings, ...(await observedFindings(patroni, instance, unit, options.timeoutMs))]
  } catch (error) {
    if (!(error instanceof PgpError)) throw error
    return [...findings, ...unreadFindings(error, instance, unit, configFile)]
  } finally {
    await patroni?.close()
  }
}

/** A remembered or DCS address that answers for another cluster: ignored by the read, and worth a finding. */
function identityFindings(label: string, findings: Finding[]): (line: string, kind: WarningKind) => void {
  return (line, kind) => {
    const problem = line.replace(`${label}: `, '')
    if (kind !== 'ignored' || findings.some((f) => f.problem === problem)) return
    const fix = 'nothing to do if that address was reused; pgpatronictl forgets it'
    findings.push({check: 'member-identity', fix, instance: label, problem, severity: 'warning', where: label})
  }
}

/** What the cluster looks like (looked at twice when it seems to be changing). */
async function observedFindings(
  patroni: PatroniInstance,
  instance: HostInstance,
  unit: string,
  timeoutMs: number,
): Promise<Finding[]> {
  const where = endpointOf(patroni.client.access.baseUrl)
  let snapshot = await observe(patroni)
  const findings: Finding[] = []
  if (!patroni.answeredLocally(snapshot.cluster)) {
    const why = snapshot.cluster.localFailure ?? 'no answer'
    if (instance.kind === 'not_bootstrapped') return [notStarted(patroni.label, unit, why, where)]
    const problem = `this host's REST API did not answer (${why}); data from ${dataSource(snapshot.cluster)}`
    findings.push(unreachable(patroni.label, unit, problem, where))
  }
  let consistency = clusterFindings(patroni.label, snapshot)
  if (consistency.some((f) => TRANSIENT.has(f.check))) {
    await new Promise((resolve) => setTimeout(resolve, Math.min(2000, timeoutMs)))
    snapshot = await observe(patroni)
    consistency = clusterFindings(patroni.label, snapshot)
  }
  return [...findings, ...consistency]
}

/** Nothing could be read: a config Patroni cannot use either, an instance not started yet, or one that does not answer. */
function unreadFindings(error: PgpError, instance: HostInstance, unit: string, configFile: string): Finding[] {
  const label = formatInstance(instance)
  if (!(error instanceof RestError) && error.exitCode === ExitCode.config) {
    // restapi.listen a list, a bad port, an unusable TLS key: not "not started yet"
    const fix = 'fix the file: Patroni cannot start with it either'
    return [{check: 'config-read', fix, instance: label, problem: error.message, severity: 'error', where: configFile}]
  }
  const reason = error instanceof RestError ? error.reason : error.message
  const where = error instanceof RestError ? error.endpoint : configFile
  if (instance.kind === 'not_bootstrapped') return [notStarted(label, unit, reason, where)]
  return [unreachable(label, unit, `REST API unreachable: ${reason}`, where)]
}

const unreachable = (instance: string, unit: string, problem: string, where: string): Finding => ({
  check: 'rest-reachable',
  fix: `systemctl status ${unit}; journalctl -u ${unit}`,
  instance,
  key: 'GET /cluster',
  problem,
  severity: 'error',
  where,
})

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

/** A finding about the cluster as one look saw it; `where` defaults to the source of that look. */
interface LiveFinding {
  severity: Severity
  check: string
  key: string
  problem: string
  fix: string
  where?: string
}

function clusterFindings(instance: string, snapshot: Snapshot): Finding[] {
  const {cluster} = snapshot
  const where = cluster.source === 'dcs' ? dataSource(cluster) : endpointOf(cluster.answeredBy)
  const logs = `journalctl -u patroni@${cluster.scope} on each member's host`
  const found = [
    ...leaderFindings(snapshot, logs),
    ...stateFindings(cluster, logs),
    ...timelineFindings(snapshot, instance),
    ...lagFindings(snapshot, logs),
    ...settingFindings(cluster, instance),
  ]
  return found.map((f) => ({
    check: f.check,
    fix: f.fix,
    instance,
    key: f.key,
    problem: f.problem,
    severity: f.severity,
    where: f.where ?? where,
  }))
}

/** No leader; each member's own word against the DCS: another cluster's API, silence, split brain. */
function leaderFindings({cluster, statuses}: Snapshot, logs: string): LiveFinding[] {
  const scope = cluster.scope
  const leader = leaderOf(cluster)
  const found: LiveFinding[] = []
  if (!leader) {
    const fix = `check the DCS and the members' logs (${logs})`
    found.push({check: 'leader', fix, key: 'GET /cluster', problem: 'the cluster has no leader', severity: 'error'})
  }
  for (const status of statuses) {
    const at = {key: 'GET /patroni', where: status.endpoint}
    if (status.foreign) {
      const problem = `member ${status.name}'s REST API answers for another cluster: ${status.foreign}`
      const fix = `check restapi.connect_address on ${status.name}'s host: its api_url in the DCS leads elsewhere`
      found.push({...at, check: 'member-identity', fix, problem, severity: 'error'})
    } else if (status.error) {
      const problem = `member ${status.name} does not answer (${status.error})`
      const fix = `check patroni@${scope} on ${status.name}'s host, and that its restapi.connect_address is reachable from here`
      found.push({...at, check: 'member-reachable', fix, problem, severity: 'warning'})
    } else if (status.role && saysLeader(status.role) && status.name !== leader?.name) {
      const problem = `member ${status.name} says it is ${status.role} but the DCS leader is ${leader?.name ?? 'nobody'}: split brain`
      const fix = `stop Patroni on ${status.name} (systemctl stop patroni@${scope} on its host) and check the DCS`
      found.push({...at, check: 'leader', fix, problem, severity: 'error'})
    } else if (status.role && !saysLeader(status.role) && status.name === leader?.name) {
      const problem = `member ${status.name} holds the leader key but says it is ${status.role}`
      found.push({...at, check: 'leader', fix: `check ${status.name}'s log (${logs})`, problem, severity: 'error'})
    }
  }
  return found
}

function stateFindings(cluster: ClusterState, logs: string): LiveFinding[] {
  const down = cluster.members.filter((m) => !isRunning(m))
  if (down.length === 0) return []
  const problem = down.map((m) => `${m.name} is ${m.state}`).join(', ')
  const fix = `check PostgreSQL and Patroni on those members (${logs})`
  return [{check: 'member-state', fix, key: 'GET /cluster', problem, severity: 'warning'}]
}

/** Running members on different timelines (each member's own word first, else the DCS's). */
function timelineFindings({cluster, statuses}: Snapshot, instance: string): LiveFinding[] {
  const timelines = new Map<string, number>()
  for (const member of cluster.members.filter(isRunning)) {
    const timeline = statuses.find((s) => s.name === member.name)?.timeline ?? member.timeline
    if (timeline !== undefined) timelines.set(member.name, timeline)
  }
  if (new Set(timelines.values()).size <= 1) return []
  const listed = [...timelines].map(([name, tl]) => `${name} TL ${tl}`).join(', ')
  const newest = Math.max(...timelines.values())
  const behind = [...timelines].filter(([, tl]) => tl < newest).map(([name]) => name)
  const stay = `stay${behind.length === 1 ? 's' : ''}`
  const fix = `if ${behind.join(', ')} ${stay} behind, rewind or re-clone: pgpatronictl reinit ${instance} ${behind.join(' ')}`
  return [
    {
      check: 'timeline',
      fix,
      key: 'GET /patroni',
      problem: `members are on different timelines: ${listed}`,
      severity: 'warning',
    },
  ]
}

/** Replicas too far behind to be failover candidates; a dynamic config that could not be read to say how far. */
function lagFindings({cluster, configError, maximumLag}: Snapshot, logs: string): LiveFinding[] {
  const found: LiveFinding[] = []
  const lagging = cluster.members.filter((m) => typeof m.lagBytes === 'number' && m.lagBytes > maximumLag)
  if (lagging.length > 0) {
    const behind = lagging.map((m) => `${m.name} is ${lagInMb(m.lagBytes!)} MB behind`).join(', ')
    const problem = `${behind}, above maximum_lag_on_failover (${lagInMb(maximumLag)} MB): not a failover candidate`
    const fix =
      'find what slows replay on those members (network, disk, long queries); raise maximum_lag_on_failover only if losing that much is acceptable'
    found.push({check: 'lag', fix, key: 'GET /cluster', problem, severity: 'warning'})
  }
  if (configError) {
    const problem = `the dynamic configuration cannot be read (${configError}); lag is compared with Patroni's default`
    found.push({
      check: 'dynamic-config',
      fix: `check the DCS (${logs})`,
      key: 'GET /config',
      problem,
      severity: 'warning',
    })
  }
  return found
}

/** What an admin left on: pending restarts, maintenance mode. */
function settingFindings(cluster: ClusterState, instance: string): LiveFinding[] {
  const found: LiveFinding[] = []
  const pending = cluster.members.filter((m) => m.pendingRestart)
  if (pending.length > 0) {
    const problem = `${pending.map((m) => m.name).join(', ')} must restart PostgreSQL to apply changed settings`
    found.push({
      check: 'pending-restart',
      fix: `pgpatronictl restart ${instance} --pending`,
      key: 'GET /cluster',
      problem,
      severity: 'warning',
    })
  }
  if (cluster.paused) {
    const problem = 'the cluster is paused (maintenance mode): Patroni will not fail over'
    found.push({
      check: 'paused',
      fix: `pgpatronictl resume ${instance} when maintenance is done`,
      key: 'GET /cluster',
      problem,
      severity: 'warning',
    })
  }
  return found
}
