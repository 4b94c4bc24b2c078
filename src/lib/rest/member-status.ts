/**
 * GET /patroni of one member: the fields pgpatronictl reads (Patroni 3.0.2 to 4.x). It is also
 * how a member proves which cluster it belongs to: `patroni.scope` and the database system
 * identifier (`patroni.name` too, since 3.2).
 */
export interface MemberStatus {
  scope?: string
  name?: string
  version?: string // Patroni's
  systemId?: string
  role?: string // master (3.x), primary (4.x), replica, standby_leader
  state?: string
  timeline?: number
  pause?: boolean
  serverVersion?: number
}

export function parseMemberStatus(body: Record<string, unknown>): MemberStatus {
  const patroni = (typeof body.patroni === 'object' && body.patroni !== null ? body.patroni : {}) as Record<
    string,
    unknown
  >
  const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined)
  return {
    name: text(patroni.name),
    pause: body.pause === true,
    role: text(body.role),
    scope: text(patroni.scope),
    serverVersion: typeof body.server_version === 'number' ? body.server_version : undefined,
    state: text(body.state),
    systemId: text(body.database_system_identifier),
    timeline: typeof body.timeline === 'number' ? body.timeline : undefined,
    version: text(patroni.version),
  }
}

/** A member's own word (GET /patroni `role`, or its DCS key) that it runs as the leader: 3.x says master, 4.x primary. */
export const saysLeader = (role: string | undefined): boolean =>
  role === 'master' || role === 'primary' || role === 'standby_leader'

/** The cluster the user named: its scope, and its system identifier once one source proved it. */
export interface ClusterIdentity {
  scope: string
  systemId?: string
}

export const describeIdentity = (identity: ClusterIdentity): string =>
  identity.systemId ? `${identity.scope} (${identity.systemId})` : identity.scope

/**
 * Why a member's status does not prove that it belongs to `expected`; undefined when it does.
 * `member`: the name the cluster gives it (checked where Patroni reports its own, 3.2+).
 * `allowNoSystemId`: a member whose data directory is gone reports none (reinit's targets).
 */
export function identityProblem(
  expected: ClusterIdentity,
  status: MemberStatus,
  options: {allowNoSystemId?: boolean; member?: string} = {},
): string | undefined {
  if (status.scope === undefined)
    return 'it does not say which cluster it belongs to (no patroni.scope in GET /patroni)'
  if (status.scope !== expected.scope) return `it belongs to cluster ${status.scope}, not ${expected.scope}`
  if (options.member !== undefined && status.name !== undefined && status.name !== options.member) {
    return `it is member ${status.name}, not ${options.member}`
  }
  if (expected.systemId === undefined) return undefined
  if (status.systemId === undefined) {
    return options.allowNoSystemId
      ? undefined
      : `it reports no system identifier, so it is not proven to be ${describeIdentity(expected)}`
  }
  if (status.systemId !== expected.systemId) {
    return `its system identifier is ${status.systemId}, not ${expected.systemId}: another cluster named ${expected.scope}`
  }
  return undefined
}
