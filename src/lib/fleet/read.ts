import {closeSync, existsSync, openSync, readSync} from 'node:fs'
import {hostname} from 'node:os'
import {join} from 'node:path'

import {namespacePrefix, readDcs} from '../dcs/reader.js'
import {type DcsSettings, parseDcsUrl, resolveDcs} from '../config/dcs-settings.js'
import type {HostPaths} from '../instances/discovery.js'
import {ExitCode, PgpError, configError, describeFsError, usageError} from '../errors.js'
import {type FleetCluster, type LocalMember, fleetCluster, splitScopes} from './fleet.js'
import {formatInstance} from '../instances/names.js'
import {endpointOf} from '../rest/client.js'
import {
  type PatroniConfig,
  listInstanceConfigFiles,
  loadPatroniConfig,
  parseYamlMapping,
} from '../config/patroni-config.js'
import {readRegularFile} from '../config/files.js'

/** Debian's template puts every instance of every host here (and Patroni's own default is /service/). */
const DEBIAN_NAMESPACE = '/postgresql-common/'

/** A fleet read can be large (every scope of a namespace): up to this, memory grows with it. */
const FLEET_MAX_BYTES = 256 * 1024 * 1024

/** One DCS and namespace to read: one request (and a login for etcd with a password). */
export interface FleetSource {
  dcs: DcsSettings
  namespace: string // normalised: '/postgresql-common/'
  label: string // 'etcd3 127.0.0.1:2379': endpoints, never credentials
}

/** What this host knows: its members by namespace and scope, from its instance configs. */
export interface LocalFacts {
  members: Map<string, LocalMember[]> // `${namespace}${scope}` -> members here
  hostname?: string
}

export interface FleetRequest {
  paths: HostPaths
  dcsUrl?: string // -d/--dcs-url
  namespaces: string[] // --namespace
  configFile?: string // -c: one Patroni YAML (or a file with just a DCS section and a namespace)
  env?: NodeJS.ProcessEnv
  insecure?: boolean
}

/**
 * Where to read, and who lives here. `-d` names the DCS (its namespace, --namespace, or
 * Debian's); `-c` a file with a DCS section; otherwise every instance config on this host, one
 * read per distinct DCS and namespace, and when none can be read, Debian's dcs.yml. Configs that
 * cannot be read are warnings as long as there is something to read.
 */
export async function fleetSources(
  request: FleetRequest,
): Promise<{sources: FleetSource[]; local: LocalFacts; warnings: string[]}> {
  const env = request.env ?? process.env
  const override = request.namespaces.map(namespacePrefix)
  const {configs, failures} = await readInstanceConfigs(request, env)
  const explicit = request.configFile
    ? await loadPatroniConfig(request.configFile, {env, insecure: request.insecure})
    : undefined
  if (explicit) configs.push({config: explicit})
  const local = localFacts(configs)
  const namespacesOr = (own: string | undefined) => (override.length > 0 ? override : [namespacePrefix(own)])
  let sources: FleetSource[]
  let warnings: string[] = []
  if (request.dcsUrl) {
    let parsed: ReturnType<typeof parseDcsUrl>
    try {
      parsed = parseDcsUrl(request.dcsUrl, env)
    } catch (error) {
      throw usageError(`--dcs-url: ${(error as Error).message}`)
    }
    sources = namespacesOr(parsed.namespace ?? DEBIAN_NAMESPACE).map((namespace) => source(parsed.dcs, namespace))
  } else if (explicit) {
    if (!explicit.dcs) throw configError(`${request.configFile}: ${explicit.dcsError}`)
    sources = namespacesOr(explicit.namespace).map((namespace) => source(explicit.dcs!, namespace))
  } else {
    ;({sources, warnings} = await hostSources(request, env, configs, failures, override))
  }
  const unique = new Map(sources.map((s) => [sourceKey(s), s]))
  return {local, sources: [...unique.values()], warnings}
}

/** Every instance config of this host; those that cannot be read are kept as failures. */
async function readInstanceConfigs(
  request: FleetRequest,
  env: NodeJS.ProcessEnv,
): Promise<{configs: {instance?: string; config: PatroniConfig}[]; failures: PgpError[]}> {
  const configs: {instance?: string; config: PatroniConfig}[] = []
  const failures: PgpError[] = []
  for (const file of listInstanceConfigFiles(request.paths.configDir)) {
    try {
      const config = await loadPatroniConfig(file.file, {env, insecure: request.insecure})
      configs.push({config, instance: formatInstance(file)})
    } catch (error) {
      if (!(error instanceof PgpError)) throw error
      failures.push(error)
    }
  }
  return {configs, failures}
}

/** The DCS and namespace of each instance config, else Debian's dcs.yml; what could not be used, as warnings. */
async function hostSources(
  request: FleetRequest,
  env: NodeJS.ProcessEnv,
  configs: {instance?: string; config: PatroniConfig}[],
  failures: PgpError[],
  override: string[],
): Promise<{sources: FleetSource[]; warnings: string[]}> {
  const sources: FleetSource[] = []
  const unusable: string[] = []
  for (const {config, instance} of configs) {
    if (!config.dcs) {
      unusable.push(`${instance}: ${config.dcsError}`)
      continue
    }
    for (const namespace of override.length > 0 ? override : [namespacePrefix(config.namespace)])
      sources.push(source(config.dcs, namespace))
  }
  if (sources.length > 0) {
    const warnings = failures.map((failure) => `${failure.message}; its DCS and members are not known`)
    return {sources, warnings: [...warnings, ...unusable.map((why) => `${why}; its DCS is not read`)]}
  }
  const fromFragment = await dcsFragment(request.paths.configDir, env, override)
  if (!fromFragment) {
    const why =
      failures[0]?.message ?? unusable[0] ?? `no Patroni instance configs and no dcs.yml in ${request.paths.configDir}`
    const hint = 'give -d/--dcs-url DCS://HOST:PORT or -c FILE'
    throw new PgpError(`no DCS to read: ${why}; ${hint}`, failures[0]?.exitCode ?? ExitCode.config)
  }
  if (failures.length === 0) return {sources: fromFragment, warnings: []}
  const which = failures.length === 1 ? 'an instance config' : `${failures.length} instance configs`
  const dcsYml = join(request.paths.configDir, 'dcs.yml')
  const warning = `${which} could not be read (${failures[0]!.message}): the DCS is read from ${dcsYml}, and members on this host are known by host name only`
  return {sources: fromFragment, warnings: [warning]}
}

function source(dcs: DcsSettings, namespace: string): FleetSource {
  return {dcs, label: `${dcs.kind} ${dcs.endpoints.map(endpointOf).join(',')}`, namespace}
}

/** Same DCS (credentials included) and namespace: read once. The key never leaves this module. */
const sourceKey = (s: FleetSource): string =>
  JSON.stringify([
    s.namespace,
    s.dcs.kind,
    [...s.dcs.endpoints].sort(),
    s.dcs.username,
    s.dcs.password,
    s.dcs.token,
    s.dcs.tls,
  ])

/** Debian's /etc/patroni/dcs.yml: the DCS section pg_createconfig_patroni copies into each new config. */
async function dcsFragment(
  configDir: string,
  env: NodeJS.ProcessEnv,
  override: string[],
): Promise<FleetSource[] | undefined> {
  const file = join(configDir, 'dcs.yml')
  if (!existsSync(file)) return undefined
  let text: string
  try {
    text = readRegularFile(file, 'utf8')
  } catch (error) {
    throw configError(describeFsError(error, file))
  }
  const doc = await parseYamlMapping(text, file)
  const {dcs, error} = resolveDcs(doc, env)
  if (!dcs) throw configError(`${file}: ${error}`)
  const namespace = typeof doc.namespace === 'string' ? doc.namespace : DEBIAN_NAMESPACE
  return (override.length > 0 ? override : [namespacePrefix(namespace)]).map((ns) => source(dcs, ns))
}

function localFacts(configs: {instance?: string; config: PatroniConfig}[]): LocalFacts {
  const members = new Map<string, LocalMember[]>()
  for (const {config, instance} of configs) {
    if (!config.scope || !config.memberName) continue
    const key = namespacePrefix(config.namespace) + config.scope
    const member: LocalMember = {name: config.memberName}
    if (instance) member.instance = instance
    const systemId = config.dataDir ? readSystemId(config.dataDir) : undefined
    if (systemId) member.systemId = systemId
    members.set(key, [...(members.get(key) ?? []), member])
  }
  const short = hostname().split('.')[0]
  return short ? {hostname: short, members} : {members}
}

/**
 * The database system identifier: the first 8 bytes of global/pg_control, little-endian (x86,
 * arm64). Readable by root and postgres only; anyone else simply gets no system-id check.
 */
function readSystemId(dataDir: string): string | undefined {
  let fd: number | undefined
  try {
    fd = openSync(join(dataDir, 'global', 'pg_control'), 'r')
    const bytes = Buffer.alloc(8)
    if (readSync(fd, bytes, 0, 8, 0) !== 8) return undefined
    const id = bytes.readBigUInt64LE(0)
    return id === 0n ? undefined : id.toString()
  } catch {
    return undefined
  } finally {
    if (fd !== undefined) closeSync(fd)
  }
}

export interface FleetRead {
  clusters: FleetCluster[]
  failures: PgpError[] // sources that could not be read: one line each
}

/** --watch: per cluster, when each member's key was last seen. */
export type WatchMemory = Map<string, Map<string, string>>

const MEMBER_KEY = /(?:^|\/)members\/[^/]+$/
// the failover history grows with every failover (max_timelines_history is unlimited by default) and is not shown
const HISTORY_KEY = /^[^/]+\/(?:\d+\/)?history$/

/**
 * Reads every source at once (one request each), never writes. `ttl`: also each member key's
 * time to live where that costs extra requests (etcd3 leases). With `memory` (a watch), members
 * seen before and missing now are marked gone.
 */
export async function readFleet(
  sources: FleetSource[],
  local: LocalFacts,
  options: {
    timeoutMs: number
    insecure?: boolean
    log?: (line: string) => void
    ttl?: boolean
    memory?: WatchMemory
    now?: Date
  },
): Promise<FleetRead> {
  const reads = await Promise.allSettled(
    sources.map((s) =>
      readDcs(s.dcs, s.namespace, {
        hedgeMs: Math.max(250, options.timeoutMs / (s.dcs.endpoints.length + 1)),
        insecure: options.insecure,
        leaseRequests: options.ttl,
        log: options.log,
        maxBytes: FLEET_MAX_BYTES,
        skip: (key) => HISTORY_KEY.test(key),
        timeoutMs: options.timeoutMs,
        ttlOf: (key) => MEMBER_KEY.test(key),
      }),
    ),
  )
  const clusters: FleetCluster[] = []
  const failures: PgpError[] = []
  const at = (options.now ?? new Date()).toTimeString().slice(0, 8)
  for (const [i, read] of reads.entries()) {
    const s = sources[i]!
    if (read.status === 'rejected') {
      if (!(read.reason instanceof PgpError)) throw read.reason
      failures.push(read.reason)
      continue
    }
    for (const entry of splitScopes(read.value.keys, read.value.ttls)) {
      const id = `${s.label}\u0000${s.namespace}\u0000${entry.scope}\u0000${entry.group ?? ''}`
      const seen = options.memory?.get(id)
      const cluster = fleetCluster(entry, {
        baseUrl: read.value.baseUrl,
        hostname: local.hostname,
        local: local.members.get(s.namespace + entry.scope),
        namespace: s.namespace,
        seen,
        source: s.label,
      })
      clusters.push(cluster)
      if (options.memory) {
        const next = new Map([...(seen ?? [])].filter(([name]) => cluster.gone.includes(name)))
        for (const member of cluster.state.members) next.set(member.name, at)
        options.memory.set(id, next)
      }
    }
  }
  return {clusters: clusters.sort(compareClusters), failures}
}

/** By namespace, then pg-common order for Debian scopes (9.6-main before 15-main), else by name. */
function compareClusters(a: FleetCluster, b: FleetCluster): number {
  const key = (c: FleetCluster) => `${c.source}\u0000${c.namespace}`
  if (key(a) !== key(b)) return key(a) < key(b) ? -1 : 1
  const version = (c: FleetCluster) => (c.instance ? Number.parseFloat(c.instance) : Number.POSITIVE_INFINITY)
  const byVersion = version(a) - version(b)
  if (byVersion !== 0 && !Number.isNaN(byVersion)) return byVersion
  if (a.scope !== b.scope) return a.scope < b.scope ? -1 : 1
  return (a.group ?? -1) - (b.group ?? -1)
}
