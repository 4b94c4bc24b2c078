import {basename, dirname, join} from 'node:path'

import {type AuditPaths, auditInstanceConfig} from './config-rules.js'
import {AuditedConfig, readEnvironmentFile} from './audited-config.js'
import {type AuditReport, type Finding, sortFindings} from './findings.js'
import {type AuditedInstance, auditHostWide} from './host-rules.js'
import {auditLive} from './live-rules.js'
import {type HostInstance, discoverHost, findInstance} from '../instances/discovery.js'
import {PgpError, usageError} from '../errors.js'
import {type InstanceName, formatInstance, parseInstanceName} from '../instances/names.js'
import type {ConnectOptions} from '../rest/instance.js'

export interface AuditOptions {
  live: boolean // also ask each Patroni REST API
  connect: ConnectOptions
}

interface LoadedInstance extends AuditedInstance {
  loadError?: PgpError
}

/**
 * `check`: audits the named instances (all when none is named). Every config on the host is
 * read, because collisions involve instances that were not named; only findings about the
 * named ones are reported. A config that cannot be read is a finding, unless nothing at all
 * could be checked: then its error (exit 3) is thrown as every other command does.
 */
export async function auditHost(paths: AuditPaths, names: InstanceName[], options: AuditOptions): Promise<AuditReport> {
  const host = discoverHost(paths)
  const selected = new Set(
    (names.length === 0 ? host : names.map((name) => selectInstance(name, host, paths.configDir))).map(formatInstance),
  )
  // Debian's patroni@.service reads this file (EnvironmentFile=-/etc/patroni/env.conf); our own
  // environment is not Patroni's, so it is not consulted.
  const envFile = join(paths.configDir, 'env.conf')
  const env = readEnvironmentFile(envFile)
  const loaded = await Promise.all(host.map((instance) => loadInstance(instance, env, envFile)))
  const mine = loaded.filter((l) => selected.has(formatInstance(l.instance)))
  const unreadable = mine.filter((l) => l.loadError)
  if (unreadable.length > 0 && unreadable.length === mine.length) throw labelled(unreadable[0]!)

  const findings: Finding[] = unreadable.map(unreadableFinding)
  for (const {config, instance} of mine) {
    if (config) findings.push(...configFindings({config, host, instance, paths}))
  }
  findings.push(...auditHostWide(loaded).filter((f) => selected.has(f.instance)))
  if (options.live) {
    const live = mine.filter(
      (l) => l.config && (l.instance.kind === 'patroni' || l.instance.kind === 'not_bootstrapped'),
    )
    const results = await Promise.all(live.map((l) => auditLive(l.instance, l.config!.file, options.connect)))
    findings.push(...results.flat())
  }
  return {checked: mine.map((l) => formatInstance(l.instance)), findings: sortFindings(findings)}
}

/** `-c /etc/patroni/15-main.yml` is instance 15/main of that directory; other names are refused. */
export function instanceOfConfigFile(file: string): {configDir: string; name: InstanceName} {
  const match = /^(.+)\.yml$/.exec(basename(file))
  if (!match?.[1])
    throw usageError(`check audits Debian instance configs named VERSION-CLUSTER.yml, not ${basename(file)}`)
  return {configDir: dirname(file), name: parseInstanceName(match[1])}
}

/** Any instance the host has, plain pg-common clusters too; an unknown one is exit 3 with the choices. */
function selectInstance(name: InstanceName, host: HostInstance[], configDir: string): HostInstance {
  return host.find((i) => formatInstance(i) === formatInstance(name)) ?? findInstance(name, host, configDir)
}

async function loadInstance(
  instance: HostInstance,
  env: Map<string, string>,
  envFile: string,
): Promise<LoadedInstance> {
  if (!instance.configFile) return {instance}
  try {
    return {config: await AuditedConfig.load(instance.configFile, env, envFile), instance}
  } catch (error) {
    if (!(error instanceof PgpError)) throw error
    return {instance, loadError: error}
  }
}

/** The config rules; a value Patroni could not use (a list where a string belongs) is a finding, not the end of the check. */
function configFindings(audit: Parameters<typeof auditInstanceConfig>[0]): Finding[] {
  try {
    return auditInstanceConfig(audit)
  } catch (error) {
    if (!(error instanceof PgpError)) throw error
    return [unreadableFinding({instance: audit.instance, loadError: error})]
  }
}

function unreadableFinding({instance, loadError}: LoadedInstance): Finding {
  const permission = /permission denied/.test(loadError!.message)
  return {
    check: 'config-read',
    fix: permission
      ? 'run as root or postgres, or join the postgres group (Debian installs instance configs 0660 postgres:postgres)'
      : 'fix the file: Patroni cannot start with it either',
    instance: formatInstance(instance),
    problem: `${loadError!.message}; this instance's config was not checked`,
    severity: 'error',
    where: instance.configFile!,
  }
}

function labelled({instance, loadError}: LoadedInstance): PgpError {
  return new PgpError(`${formatInstance(instance)}: ${loadError!.message}`, loadError!.exitCode, {cause: loadError})
}
