import {existsSync, lstatSync, readdirSync, readFileSync, statSync} from 'node:fs'
import {join} from 'node:path'

import {type InstanceName, compareInstances, isValidCluster, isValidVersion} from './names.js'
import {readPostgresConf} from './postgresql-conf.js'
import {readRegularFile, readdirQuiet} from '../config/files.js'

/** Where pg-common keeps things; every root is a parameter so tests can use fixture trees. */
export interface PgCommonPaths {
  confRoot: string // /etc/postgresql, or PG_CLUSTER_CONF_ROOT
  binRoot: string // /usr/lib/postgresql
}

export const defaultPgCommonPaths = (env: NodeJS.ProcessEnv = process.env): PgCommonPaths => ({
  binRoot: '/usr/lib/postgresql',
  confRoot: env.PG_CLUSTER_CONF_ROOT || '/etc/postgresql',
})

export type PgStatus = 'down' | 'online' | 'unknown'

/** One pg-common cluster as pg_lsclusters sees it. */
export interface PgCommonCluster extends InstanceName {
  configDir: string
  dataDir?: string
  port: number
  status: PgStatus
  recovery?: boolean
  supervisor?: string
  startConf?: string
  binariesMissing: boolean
}

/** Every pg-common cluster: a `postgresql.conf` (or a dead symlink to one) under confRoot/V/C. */
export function listPgCommonClusters(paths: PgCommonPaths): PgCommonCluster[] {
  const clusters: PgCommonCluster[] = []
  for (const version of readdirQuiet(paths.confRoot).filter(isValidVersion)) {
    for (const cluster of readdirQuiet(join(paths.confRoot, version)).filter(isValidCluster)) {
      const configDir = join(paths.confRoot, version, cluster)
      if (existsOrDangling(join(configDir, 'postgresql.conf'))) {
        clusters.push(describeCluster({cluster, version}, configDir, paths))
      }
    }
  }
  return clusters.sort(compareInstances)
}

/** Versions with binaries installed (pg-common's get_versions, binaries half). */
export function isVersionInstalled(version: string, paths: PgCommonPaths): boolean {
  return existsSync(join(paths.binRoot, version, 'bin', 'postgres'))
}

function describeCluster(name: InstanceName, configDir: string, paths: PgCommonPaths): PgCommonCluster {
  const conf = readPostgresConf(join(configDir, 'postgresql.conf'))
  const dataDir = conf.get('data_directory') ?? linkTarget(join(configDir, 'pgdata'))
  if (dataDir && Number.parseFloat(name.version) >= 9.4) readPostgresConf(join(dataDir, 'postgresql.auto.conf'), conf)
  const port = Number.parseInt(conf.get('port') ?? '5432', 10)
  const running = postmasterPid(conf, port)
  const cluster: PgCommonCluster = {
    ...name,
    binariesMissing: !isVersionInstalled(name.version, paths),
    configDir,
    dataDir,
    port,
    startConf: readStartConf(join(configDir, 'start.conf')),
    status: running.status,
  }
  if (running.pid) cluster.supervisor = supervisorOf(running.pid)
  if (running.status === 'online' && dataDir) cluster.recovery = inRecovery(dataDir, name.version)
  return cluster
}

/** pg-common's cluster_info: the external PID file decides; without one, the socket does. */
function postmasterPid(conf: Map<string, string>, port: number): {pid?: number; status: PgStatus} {
  const pidFile = conf.get('external_pid_file')
  if (pidFile) {
    let text: string
    try {
      text = readRegularFile(pidFile, 'utf8')
    } catch (error) {
      return {status: (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'down' : 'unknown'}
    }
    const pid = Number.parseInt(text, 10)
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8')
      return /\bpostgres\b/.test(cmdline) ? {pid, status: 'online'} : {status: 'down'}
    } catch {
      return {status: 'down'}
    }
  }
  const socketDir = conf.get('unix_socket_directories')?.split(',')[0]?.trim() || '/var/run/postgresql'
  return {status: existsOrDangling(join(socketDir, `.s.PGSQL.${port}`)) ? 'online' : 'down'}
}

function supervisorOf(pid: number): string | undefined {
  try {
    return /\b(pacemaker|patroni)\b/.exec(readFileSync(`/proc/${pid}/cgroup`, 'utf8'))?.[1]
  } catch {
    return undefined
  }
}

function inRecovery(dataDir: string, version: string): boolean | undefined {
  const signals = Number.parseFloat(version) >= 12 ? ['standby.signal', 'recovery.signal'] : ['recovery.conf']
  try {
    readdirSync(dataDir)
  } catch {
    return undefined // data directory not readable (not root or postgres)
  }
  return signals.some((file) => existsSync(join(dataDir, file)))
}

function readStartConf(file: string): string | undefined {
  try {
    const text = readRegularFile(file, 'utf8').replaceAll(/#.*/g, '')
    return /\S+/.exec(text)?.[0]
  } catch {
    return existsSync(file) ? undefined : 'auto' // a missing start.conf means auto
  }
}

export function existsOrDangling(path: string): boolean {
  try {
    lstatSync(path)
    return true
  } catch {
    return false
  }
}

function linkTarget(path: string): string | undefined {
  try {
    return statSync(path).isDirectory() ? path : undefined
  } catch {
    return undefined
  }
}

/** pg_lsclusters' Status column: online|down, then ,recovery ,<supervisor> ,binaries_missing. */
export function formatPgStatus(cluster: PgCommonCluster): string {
  const parts: string[] = [cluster.status]
  if (cluster.recovery) parts.push('recovery')
  if (cluster.supervisor) parts.push(cluster.supervisor)
  if (cluster.binariesMissing) parts.push('binaries_missing')
  return parts.join(',')
}
