import {fetchClusterOrDcs} from './dcs-fallback.js'
import {ExitCode, PgpError} from './errors.js'
import {MemberCache} from './member-cache.js'
import {PatroniClient} from './patroni-client.js'
import {type ClusterState, memberBaseUrl, withThisMember} from './patroni-cluster.js'
import {type PatroniConfig, loadPatroniConfig} from './patroni-config.js'

export interface ConnectOptions {
  timeoutMs: number
  insecure?: boolean
  env?: NodeJS.ProcessEnv
  log?: (line: string) => void
  cache?: MemberCache
}

/** One Patroni instance as seen from this host: its config, a REST client, and its members. */
export class PatroniInstance {
  private constructor(
    readonly label: string, // 15/main, or the config file given with -c
    readonly config: PatroniConfig,
    readonly scope: string,
    readonly client: PatroniClient,
    private readonly options: ConnectOptions,
  ) {}

  static async open(label: string, configFile: string, options: ConnectOptions): Promise<PatroniInstance> {
    const config = await loadPatroniConfig(configFile, {env: options.env, insecure: options.insecure})
    if (!config.rest) throw new PgpError(`${configFile}: ${config.restError ?? 'no REST API address'}`, ExitCode.config)
    const client = await PatroniClient.create(config.rest, {log: options.log, timeoutMs: options.timeoutMs})
    return new PatroniInstance(label, config, config.scope ?? label, client, options)
  }

  /** This host's REST endpoint, then the members remembered from the last answer. */
  get endpoints(): string[] {
    return [this.client.access.baseUrl, ...this.cache.read(this.cacheKey)]
  }

  /**
   * GET /cluster from this host's member, else the remembered ones, else the members the DCS
   * names, else the DCS keys themselves. `showSelf` (listings only): when this host's member did
   * not answer and is not in the cluster (a stopped Patroni deletes its key), show it unreachable.
   */
  async cluster(options: {showSelf?: boolean} = {}): Promise<ClusterState> {
    const timeoutMs = this.options.timeoutMs
    const state = await fetchClusterOrDcs(this.client, this.endpoints, this.scope, {
      dcs: this.config.dcs,
      dcsError: this.config.dcsError,
      hedgeMs: Math.min(1000, timeoutMs / 3),
      insecure: this.options.insecure,
      log: this.options.log,
      namespace: this.config.namespace,
      timeoutMs,
    })
    const urls = state.members.map(memberBaseUrl).filter((u): u is string => u !== undefined)
    this.cache.write(this.cacheKey, urls)
    return options.showSelf && !this.answeredLocally(state) ? withThisMember(state, this.config.memberName, this.config.pgConnectAddress) : state
  }

  /** The system identifier of a cluster read by cluster(): the DCS gives it, else the member that answered. */
  async clusterSystemId(cluster: ClusterState): Promise<string | undefined> {
    return cluster.systemId ?? (cluster.source === 'dcs' ? undefined : this.systemId(cluster.answeredBy))
  }

  /** The database system identifier, for the table title; absent when the member cannot say. */
  async systemId(baseUrl = this.client.access.baseUrl): Promise<string | undefined> {
    try {
      const status = await this.client.getObject<{database_system_identifier?: unknown}>('/patroni', baseUrl)
      return typeof status.database_system_identifier === 'string' ? status.database_system_identifier : undefined
    } catch {
      return undefined
    }
  }

  /** Whether the answer came from this host's member or from another one (fallback). */
  answeredLocally(state: ClusterState): boolean {
    return state.answeredBy === this.client.access.baseUrl
  }

  close(): Promise<void> {
    return this.client.close()
  }

  private get cache(): MemberCache {
    return this.options.cache ?? MemberCache.default(this.options.env)
  }

  private get cacheKey(): string {
    return `${this.config.namespace ?? '/service/'}${this.scope}`
  }
}
