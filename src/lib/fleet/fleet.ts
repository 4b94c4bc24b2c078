import {type DcsParsed, clusterFromDcs} from '../dcs/reader.js'
import {formatInstance, instanceOfStem} from '../instances/names.js'
import {lagInMb} from '../output/member-table.js'
import {type ClusterState, type Member, isRunning, leaderOf, normaliseCluster} from '../rest/cluster.js'
import {saysLeader} from '../rest/member-status.js'

/** Patroni's defaults when the dynamic config does not set them. */
const DEFAULT_MAXIMUM_LAG = 1_048_576 // maximum_lag_on_failover, bytes
const DEFAULT_LOOP_WAIT = 10 // seconds

/** Stable names for scripts and monitoring (`-f json`); the text is for people. */
export type ProblemKind =
  'expiring' | 'gone' | 'lag' | 'member-state' | 'no-leader' | 'split-brain' | 'system-id' | 'timeline'

export interface FleetProblem {
  kind: ProblemKind
  member?: string
  text: string
}

/** A member of a scope that lives on this host, from its instance config. */
export interface LocalMember {
  name: string
  instance?: string // 15/main
  systemId?: string // from its data directory's pg_control, when readable
}

/** One Patroni cluster as its DCS keys show it, with what is wrong with it. */
export interface FleetCluster {
  source: string // the DCS, e.g. "etcd3 127.0.0.1:2379"
  namespace: string // '/postgresql-common/'
  scope: string
  group?: number // Citus group
  instance?: string // the pg-common name, when the scope maps to one
  state: ClusterState
  ttls: Map<string, number> // member name -> seconds before its key expires, where known
  gone: string[] // members (or, from Patroni 4's retained slots, slot names) whose key is gone
  thisHost: string[] // members that live on this host
  problems: FleetProblem[]
}

/** The keys of one scope (or Citus group), relative to it. */
export interface ScopeKeys {
  scope: string
  group?: number
  keys: Map<string, string>
  ttls?: Map<string, number>
}

// the keys Patroni writes below <namespace><scope>/; anything else under the namespace is not a cluster's
const PATRONI_KEYS = new Set([
  'leader',
  'config',
  'initialize',
  'status',
  'history',
  'sync',
  'failover',
  'failsafe',
  'optime/leader',
])
const isPatroniKey = (key: string): boolean =>
  PATRONI_KEYS.has(key) ||
  (key.startsWith('members/') && key.length > 'members/'.length && key.indexOf('/', 'members/'.length) < 0)
const CITUS_KEY = /^(\d+)\/(.+)$/

/**
 * Splits the keys of a namespace (relative to it: `15-main/leader`) by scope, and by group for
 * Citus (`scope/0/leader`), in one pass. Keys that are not Patroni's are left out.
 */
export function splitScopes(keys: Map<string, string>, ttls?: Map<string, number>): ScopeKeys[] {
  const byId = new Map<string, ScopeKeys>()
  for (const [key, value] of keys) {
    const slash = key.indexOf('/')
    if (slash <= 0) continue
    const scope = key.slice(0, slash)
    let rest = key.slice(slash + 1)
    let group: number | undefined
    if (!isPatroniKey(rest)) {
      const citus = CITUS_KEY.exec(rest)
      if (!citus || !isPatroniKey(citus[2]!)) continue
      group = Number(citus[1])
      rest = citus[2]!
    }
    const id = group === undefined ? scope : `${scope}/${group}`
    let entry = byId.get(id)
    if (!entry) {
      entry = group === undefined ? {keys: new Map(), scope} : {group, keys: new Map(), scope}
      byId.set(id, entry)
    }
    entry.keys.set(rest, value)
    const ttl = ttls?.get(key)
    if (ttl !== undefined) (entry.ttls ??= new Map()).set(rest, ttl)
  }
  return [...byId.values()]
}

export interface FleetContext {
  source: string
  namespace: string
  baseUrl: string // the DCS endpoint that answered
  local?: LocalMember[] // this host's members of this scope
  hostname?: string // this host's short name: Debian's template names the member after it
  seen?: Map<string, string> // --watch: member -> when its key was last seen
}

/**
 * One cluster from its keys: the members as GET /cluster would show them (clusterFromDcs, the
 * same computation as Patroni's), and its problems: no leader, a second member that says it is
 * primary, members not running, keys about to expire or gone, replicas behind more than
 * maximum_lag_on_failover, members on another timeline, and a data directory on this host whose
 * system identifier is not the scope's (two clusters sharing one scope).
 */
export function fleetCluster(entry: ScopeKeys, context: FleetContext): FleetCluster {
  const raw = clusterFromDcs(entry.keys)
  const state = normaliseCluster(raw, entry.scope, context.baseUrl)
  state.source = 'dcs'
  state.dcs = context.source
  if (raw.systemId) state.systemId = raw.systemId
  const names = new Set(state.members.map((m) => m.name))
  const ttls = new Map<string, number>()
  for (const [key, ttl] of entry.ttls ?? []) if (key.startsWith('members/')) ttls.set(key.slice('members/'.length), ttl)
  const {gone, problems} = findProblems(entry, raw, state, context, ttls)

  const thisHost = new Set((context.local ?? []).map((l) => l.name))
  if (context.hostname && names.has(context.hostname)) thisHost.add(context.hostname)
  const cluster: FleetCluster = {
    gone: [...gone.keys()],
    namespace: context.namespace,
    problems,
    scope: entry.scope,
    source: context.source,
    state,
    thisHost: [...thisHost].sort(),
    ttls,
  }
  if (entry.group !== undefined) cluster.group = entry.group
  const instance = context.local?.find((l) => l.instance)?.instance ?? instanceOfScope(entry.scope)
  if (instance && entry.group === undefined) cluster.instance = instance
  return cluster
}

type Add = (kind: ProblemKind, text: string, member?: string) => void

/** The health checks of one cluster, in the order they are shown. */
function findProblems(
  entry: ScopeKeys,
  raw: ReturnType<typeof clusterFromDcs>,
  state: ClusterState,
  context: FleetContext,
  ttls: Map<string, number>,
): {gone: Map<string, string>; problems: FleetProblem[]} {
  const {config} = raw.parsed
  const problems: FleetProblem[] = []
  const add: Add = (kind, text, member) => problems.push(member === undefined ? {kind, text} : {kind, member, text})
  leaderProblems(entry, raw, state, add)
  memberProblems(state, ttls, setting(config.loop_wait) ?? DEFAULT_LOOP_WAIT, add)
  const gone = goneMembers(raw.parsed, state, context, new Set(state.members.map((m) => m.name)))
  for (const [name, why] of gone) add('gone', why, name)
  replicationProblems(state, setting(config.maximum_lag_on_failover) ?? DEFAULT_MAXIMUM_LAG, add)
  for (const local of context.local ?? []) {
    if (local.systemId && state.systemId && local.systemId !== state.systemId) {
      const two = `two clusters share scope ${entry.scope}`
      add(
        'system-id',
        `this host's ${local.instance ?? local.name} has system identifier ${local.systemId}, the scope ${state.systemId}: ${two}`,
        local.name,
      )
    }
  }
  return {gone, problems}
}

/** No leader (or a leader key naming a member without a key); a member whose own key says primary beside the leader. */
function leaderProblems(entry: ScopeKeys, raw: ReturnType<typeof clusterFromDcs>, state: ClusterState, add: Add): void {
  const leader = leaderOf(state)
  const leaderKey = entry.keys.get('leader')?.trim()
  if (!leader) {
    if (leaderKey) add('no-leader', `no leader: the leader key names ${leaderKey}, which has no member key`)
    else add('no-leader', state.members.length === 0 ? 'no leader, no member' : 'no leader')
    return
  }
  for (const member of state.members) {
    const own = raw.parsed.memberData.get(member.name)?.role
    if (member !== leader && typeof own === 'string' && saysLeader(own)) {
      add('split-brain', `${member.name} says it is ${own}, but ${leader.name} holds the leader key`, member.name)
    }
  }
}

/** Members not running, and keys about to expire (within one loop_wait: Patroni renews them each loop). */
function memberProblems(state: ClusterState, ttls: Map<string, number>, loopWait: number, add: Add): void {
  for (const member of state.members) {
    if (!isRunning(member)) add('member-state', `${member.name} is ${member.state || 'in no known state'}`, member.name)
    const ttl = ttls.get(member.name)
    if (ttl !== undefined && ttl <= loopWait) {
      add('expiring', `${member.name}'s key expires in ${ttl} s (Patroni renews it every ${loopWait} s)`, member.name)
    }
  }
}

/** Replicas behind more than maximum_lag_on_failover; running members on another timeline than the leader (else the newest). */
function replicationProblems(state: ClusterState, maximumLag: number, add: Add): void {
  for (const member of state.members) {
    if (typeof member.lagBytes === 'number' && member.lagBytes > maximumLag) {
      const limit = `maximum_lag_on_failover (${lagInMb(maximumLag)} MB)`
      add('lag', `${member.name} is ${lagInMb(member.lagBytes)} MB behind, above ${limit}`, member.name)
    }
  }
  const leader = leaderOf(state)
  const timelines = state.members.filter((m) => isRunning(m) && m.timeline !== undefined)
  const leaderTimeline = leader && isRunning(leader) ? leader.timeline : undefined
  const reference = leaderTimeline ?? Math.max(...timelines.map((m) => m.timeline!))
  for (const member of timelines) {
    if (member.timeline === reference) continue
    const whose = leader?.timeline === reference ? 'the leader' : 'the newest'
    add('timeline', `${member.name} is on timeline ${member.timeline}, ${whose} on ${reference}`, member.name)
  }
}

/**
 * Members that should have a key and have none: named as synchronous standby, this host's
 * member (its instance config names it), a member seen in the previous refresh of a watch, or a
 * replication slot Patroni 4 retains for an absent member (status.retain_slots, by slot name).
 * The leader key naming a member without a key is reported as "no leader".
 */
function goneMembers(
  parsed: DcsParsed,
  state: ClusterState,
  context: FleetContext,
  names: Set<string>,
): Map<string, string> {
  const gone = new Map<string, string>()
  const note = (name: string, why: string) => {
    if (!names.has(name) && !gone.has(name)) gone.set(name, why)
  }
  for (const name of parsed.syncMembers) note(name, `${name} is a synchronous standby but has no member key`)
  for (const local of context.local ?? []) {
    note(
      local.name,
      `${local.name} (this host${local.instance ? `, ${local.instance}` : ''}) has no member key: is its Patroni running?`,
    )
  }
  for (const [name, at] of context.seen ?? []) note(name, `${name}'s member key is gone (last seen ${at})`)
  const retained = parsed.status?.retain_slots
  if (Array.isArray(retained)) {
    const slots = new Set(state.members.map((m) => slotName(m.name)))
    for (const slot of retained) {
      if (typeof slot === 'string' && !slots.has(slot))
        note(
          slot,
          `the member of replication slot ${slot} has no member key (Patroni keeps its slot for member_slots_ttl)`,
        )
    }
  }
  return gone
}

/** Patroni's slot_name_from_member_name: lower case, - and . to _, other characters as uNNNN. */
export function slotName(member: string): string {
  return member
    .toLowerCase()
    .replaceAll(/[^a-z0-9_]/gu, (c) => (c === '-' || c === '.' ? '_' : `u${String(c.codePointAt(0)).padStart(4, '0')}`))
    .slice(0, 63)
}

/** Debian's scope V-C is the pg-common instance V/C. */
export function instanceOfScope(scope: string): string | undefined {
  const name = instanceOfStem(scope)
  return name && formatInstance(name)
}

/** The member records shown for a cluster, with a row for each member whose key is gone. */
export function membersWithGone(cluster: FleetCluster): Member[] {
  if (cluster.gone.length === 0) return cluster.state.members
  const gone: Member[] = cluster.gone.map((name) => ({name, pendingRestart: false, role: '', state: 'gone'}))
  return [...cluster.state.members, ...gone].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
}

/** A number from the dynamic config, where Patroni also accepts it as a string. */
function setting(value: unknown): number | undefined {
  const n =
    typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : Number.NaN
  return Number.isFinite(n) && n >= 0 ? n : undefined
}
