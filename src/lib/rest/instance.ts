import {clusterFromDcs} from '../dcs/reader.js'
import {ExitCode, PgpError} from '../errors.js'
import {MemberCache} from './member-cache.js'
import type {MemberStatus} from './member-status.js'
import {PatroniClient} from './client.js'
import {type ClusterState, type Member, memberBaseUrl, normaliseCluster, withThisMember} from './cluster.js'
import {type PatroniConfig, loadPatroniConfig} from '../config/patroni-config.js'
import {type Via, remoteConfig} from '../config/remote.js'
import {type ReadSpec, type VerifiedAnswer, VerifiedReader, type Warn} from './verified-read.js'

export interface ConnectOptions {
  timeoutMs: number
  warn: Warn // fallbacks used and sources ignored: every command shows them
  insecure?: boolean
  env?: NodeJS.ProcessEnv
  log?: (line: string) => void
  cache?: MemberCache
}

/**
 * One Patroni instance as seen from this host: its config, a REST client, and a reader that
 * uses an answer only when it proves to come from this instance's cluster. Requests that change
 * something go only to members proven in the same run (`proven`).
 */
export class PatroniInstance {
  private constructor(
    readonly label: string, // 15/main, or the config file given with -c
    readonly config: PatroniConfig,
    readonly scope: string,
    readonly client: PatroniClient,
    private readonly reader: VerifiedReader,
  ) {}

  /** `via`: the cluster is reached by its scope through the DCS, not through this host's member. */
  static async open(label: string, configFile: string, options: ConnectOptions, via?: Via): Promise<PatroniInstance> {
    const loadOptions = {env: options.env, insecure: options.insecure}
    const config = via
      ? await remoteConfig(configFile, via, loadOptions)
      : await loadPatroniConfig(configFile, loadOptions)
    if (!config.rest) throw new PgpError(`${configFile}: ${config.restError ?? 'no REST API address'}`, ExitCode.config)
    const client = await PatroniClient.create(config.rest, {log: options.log, timeoutMs: options.timeoutMs})
    const scope = config.scope ?? label
    const reader = new VerifiedReader({
      cache: options.cache ?? MemberCache.default(options.env),
      client,
      // the member cache's key: with -d alone, the URL as an absolute path (not relative to the working directory)
      configFile: via && !configFile ? `/dcs-url/${encodeURIComponent(via.dcsUrl ?? '')}` : configFile,
      dcs: config.dcs,
      dcsError: config.dcsError,
      insecure: options.insecure,
      label,
      log: options.log,
      namespace: config.namespace,
      remote: Boolean(via),
      scope,
      timeoutMs: options.timeoutMs,
      warn: options.warn,
    })
    return new PatroniInstance(label, config, scope, client, reader)
  }

  /**
   * The cluster (GET /cluster) from a proven source. `showSelf` (listings only): when this host's
   * member did not answer and is not in the cluster (a stopped Patroni deletes its key), show it
   * unreachable. `poll`: a read during an operation, which says nothing of a fallback (the member
   * being demoted or restarted is expected not to answer for a moment).
   */
  async cluster(options: {poll?: boolean; showSelf?: boolean; timeoutMs?: number} = {}): Promise<ClusterState> {
    const answer = await this.reader.read<ClusterState>(
      {
        fromDcs: (keys) => {
          const raw = clusterFromDcs(keys)
          return (raw.members as unknown[]).length > 0 ? {body: raw} : {missing: 'no member is registered'}
        },
        memberUrls: (state) => state.members.map(memberBaseUrl).filter((u): u is string => u !== undefined),
        parse: (body, answeredBy) => normaliseCluster(body, this.scope, answeredBy),
        path: '/cluster',
      },
      {quiet: options.poll, timeoutMs: options.timeoutMs},
    )
    const state: ClusterState = {...answer.value, localFailure: answer.localFailure, systemId: answer.systemId}
    if (answer.source === 'dcs') Object.assign(state, {dcs: answer.dcs, source: 'dcs'})
    else state.patroniVersion = answer.patroniVersion
    return options.showSelf && !this.answeredLocally(state)
      ? withThisMember(state, this.config.memberName, this.config.pgConnectAddress)
      : state
  }

  /** Any other cluster-wide document (GET /config, /history), from the same proven sources; the DCS keeps it under `dcsKey`. */
  async read<T>(path: string, dcsKey: string, parse: ReadSpec<T>['parse']): Promise<VerifiedAnswer<T>> {
    return this.reader.read<T>({
      fromDcs: (keys) => {
        const text = keys.get(dcsKey)
        if (text === undefined) return {missing: `no ${dcsKey} key`}
        try {
          return {body: JSON.parse(text) as unknown}
        } catch {
          return {missing: `the ${dcsKey} key is not JSON`}
        }
      },
      parse,
      path,
    })
  }

  /** A member's GET /patroni, now; an IdentityError when it answers for another cluster. */
  async memberStatus(member: Member): Promise<MemberStatus> {
    return this.reader.memberStatus(this.baseUrlOf(member), {member: member.name})
  }

  /**
   * The REST base URL of a member about to receive a change, once it has proven (GET /patroni,
   * once per run) to be this cluster's member: nothing is ever sent to an address on trust.
   * `allowNoSystemId`: reinit's targets may have lost their data directory, and with it the id.
   */
  async proven(member: Member, options: {allowNoSystemId?: boolean} = {}): Promise<string> {
    const baseUrl = this.baseUrlOf(member)
    try {
      await this.reader.prove(baseUrl, {...options, member: member.name})
    } catch (error) {
      if (!(error instanceof PgpError)) throw error
      throw new PgpError(`nothing sent to ${member.name} of ${this.scope}: ${error.message}`, error.exitCode, {
        cause: error,
      })
    }
    return baseUrl
  }

  /** Whether the answer came from this host's member or from another one (fallback). */
  answeredLocally(state: ClusterState): boolean {
    return state.source !== 'dcs' && state.answeredBy === this.client.access.baseUrl
  }

  close(): Promise<void> {
    return this.client.close()
  }

  private baseUrlOf(member: Member): string {
    const baseUrl = memberBaseUrl(member)
    if (!baseUrl)
      throw new PgpError(
        `${member.name} has no REST API address (api_url) in the cluster ${this.scope}`,
        ExitCode.failed,
      )
    return baseUrl
  }
}
