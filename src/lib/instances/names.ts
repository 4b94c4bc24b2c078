import {usageError} from '../errors.js'

/** A pg-common instance: `15/main` is version 15, cluster main; Patroni's scope for it is `15-main`. */
export interface InstanceName {
  readonly version: string
  readonly cluster: string
}

// pg-common: versions are `9.6` or `15`; cluster names are [-.\w]+ (pg_createcluster, pg_lsclusters).
const VERSION = /^\d+(?:\.\d+)?$/
const CLUSTER = /^[A-Za-z0-9_.-]+$/
const COMBINED = /^(\d+(?:\.\d+)?)[/-](.+)$/s
const MAX_CLUSTER_LENGTH = 100

/**
 * Parses `15/main`, `15-main` or `9.6/main`. The split is at the first separator after the
 * version, so `15-my-db` is cluster `my-db`. Anything else (paths, spaces, `..`, NUL) is a usage
 * error, raised before any file is opened.
 */
export function parseInstanceName(text: string): InstanceName {
  const match = COMBINED.exec(text)
  const version = match?.[1]
  const cluster = match?.[2]
  if (!version || !cluster || !isValidCluster(cluster)) {
    throw usageError(`invalid instance name ${quote(text)}: expected VERSION/CLUSTER such as 15/main (or 15-main)`)
  }
  return {cluster, version}
}

/**
 * The instance of a Debian scope or file stem (`15-main`, also in `15-main.yml`), or undefined for
 * anything else: config.yml, dcs.yml, env.conf and editor or dpkg leftovers never name one.
 */
export function instanceOfStem(stem: string): InstanceName | undefined {
  const match = /^(\d+(?:\.\d+)?)-(.+)$/s.exec(stem)
  return match && isValidCluster(match[2]!) ? {cluster: match[2]!, version: match[1]!} : undefined
}

export function isValidCluster(cluster: string): boolean {
  return CLUSTER.test(cluster) && !/^\.+$/.test(cluster) && cluster.length <= MAX_CLUSTER_LENGTH
}

export const isValidVersion = (version: string): boolean => VERSION.test(version)

export const formatInstance = (name: InstanceName): string => `${name.version}/${name.cluster}`

/** The Debian scope and file stem: `15-main` (`/etc/patroni/15-main.yml`, `patroni@15-main`). */
export const instanceStem = (name: InstanceName): string => `${name.version}-${name.cluster}`

/** pg-common sorts versions numerically, then cluster names byte-wise (pg_lsclusters). */
export function compareInstances(a: InstanceName, b: InstanceName): number {
  const byVersion = Number.parseFloat(a.version) - Number.parseFloat(b.version)
  if (byVersion !== 0) return byVersion
  return a.cluster < b.cluster ? -1 : a.cluster > b.cluster ? 1 : 0
}

/** Shows user input safely in an error: control characters escaped, length bounded. */
export function quote(text: string): string {
  const shown = text.length > 80 ? `${text.slice(0, 77)}...` : text
  return JSON.stringify(shown)
}
