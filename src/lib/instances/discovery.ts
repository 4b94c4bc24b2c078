import {ExitCode, PgpError} from '../errors.js'
import {type InstanceName, compareInstances, formatInstance} from './names.js'
import {listInstanceConfigFiles} from '../config/patroni-config.js'
import {type PgCommonCluster, type PgCommonPaths, isVersionInstalled, listPgCommonClusters} from './pg-common.js'

export interface HostPaths {
  configDir: string // /etc/patroni
  configDirGiven?: string // '--config-dir' or '$PGPATRONICTL_CONFIG_DIR': then it must exist
  pg: PgCommonPaths
}

/**
 * patroni: a Patroni config and a pg-common cluster; not_bootstrapped: a config, no cluster yet
 * (normal right after pg_createconfig_patroni); plain: a pg-common cluster without Patroni;
 * orphan: a Patroni config for a PostgreSQL version that is not installed.
 */
export type InstanceKind = 'not_bootstrapped' | 'orphan' | 'patroni' | 'plain'

export interface HostInstance extends InstanceName {
  kind: InstanceKind
  configFile?: string
  pg?: PgCommonCluster
}

/** Every instance on the host: pg-common clusters joined with Patroni configs; none is hidden. */
export function discoverHost(paths: HostPaths): HostInstance[] {
  const byName = new Map<string, HostInstance>()
  for (const pg of listPgCommonClusters(paths.pg)) {
    byName.set(formatInstance(pg), {cluster: pg.cluster, kind: 'plain', pg, version: pg.version})
  }
  for (const file of listInstanceConfigFiles(paths.configDir, paths.configDirGiven)) {
    const key = formatInstance(file)
    const pg = byName.get(key)?.pg
    const kind: InstanceKind = !isVersionInstalled(file.version, paths.pg)
      ? 'orphan'
      : pg
        ? 'patroni'
        : 'not_bootstrapped'
    byName.set(key, {cluster: file.cluster, configFile: file.file, kind, pg, version: file.version})
  }
  return [...byName.values()].sort(compareInstances)
}

const isPatroniInstance = (instance: HostInstance): boolean => instance.configFile !== undefined

/** Looks an instance up by name; an unknown one is exit 3 with the instances that do exist. */
export function findInstance(name: InstanceName, host: HostInstance[], configDir: string): HostInstance {
  const wanted = formatInstance(name)
  const instance = host.find((i) => formatInstance(i) === wanted)
  if (instance?.configFile) return instance
  if (instance) {
    throw new PgpError(
      `${wanted} is a plain pg-common cluster, not managed by Patroni (no ${configDir}/${name.version}-${name.cluster}.yml)`,
      ExitCode.config,
    )
  }
  throw new PgpError(`no instance ${wanted} on this host; ${describeChoices(host, configDir)}`, ExitCode.config)
}

export function describeChoices(host: HostInstance[], configDir: string): string {
  const patroni = host.filter(isPatroniInstance).map(formatInstance)
  return patroni.length > 0
    ? `Patroni instances: ${patroni.join(', ')}`
    : `no Patroni instance configs in ${configDir} (use --config-dir or PGPATRONICTL_CONFIG_DIR)`
}
