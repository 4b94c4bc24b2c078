import {ExitCode, PgpError} from '../errors.js'
import type {Member} from '../rest/cluster.js'
import type {PatroniInstance} from '../rest/instance.js'

export interface MemberVersion {
  member: string
  patroni?: string
  postgresql?: string
  error?: string // why the member did not answer
  exitCode?: number
}

/** Each member's GET /patroni, all at once, each bounded by the timeout; a member of another cluster says so. */
export async function memberVersions(instance: PatroniInstance, members: Member[]): Promise<MemberVersion[]> {
  const withApi = members.filter((m) => m.apiUrl)
  return Promise.all(
    withApi.map(async (m): Promise<MemberVersion> => {
      try {
        const {serverVersion, version} = await instance.memberStatus(m)
        return {
          member: m.name,
          patroni: version ?? 'unknown',
          postgresql: serverVersion ? formatPgVersion(serverVersion) : undefined,
        }
      } catch (error) {
        if (!(error instanceof PgpError)) throw error
        return {error: error.message, exitCode: error.exitCode, member: m.name}
      }
    }),
  )
}

/** server_version 150018 → 15.18, 90624 → 9.6.24 (patronictl's format_pg_version). */
export function formatPgVersion(version: number): string {
  return version < 100_000
    ? `${Math.floor(version / 10_000)}.${Math.floor(version / 100) % 100}.${version % 100}`
    : `${Math.floor(version / 10_000)}.${version % 100}`
}

/** patronictl's lines: `node1: Patroni 3.0.2 PostgreSQL 15.18`, or why a member did not say. */
export const versionLine = (v: MemberVersion): string =>
  v.error
    ? `${v.member}: failed to get version: ${v.error}`
    : `${v.member}: Patroni ${v.patroni}${v.postgresql ? ` PostgreSQL ${v.postgresql}` : ''}`

/** 0 if any member answered; else the worst failure (4 when one was unreachable), 4 for no member. */
export function versionsExitCode(versions: MemberVersion[]): number {
  if (versions.length === 0) return ExitCode.unreachable
  if (versions.some((v) => !v.error)) return ExitCode.ok
  return Math.max(...versions.map((v) => v.exitCode ?? ExitCode.failed))
}
