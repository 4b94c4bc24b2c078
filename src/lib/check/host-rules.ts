import {join} from 'node:path'

import {listenAddresses, patroniPgPort} from './config-rules.js'
import type {AuditedConfig} from './audited-config.js'
import type {Finding} from './findings.js'
import type {HostInstance} from '../instances/discovery.js'
import {formatInstance} from '../instances/names.js'

export interface AuditedInstance {
  instance: HostInstance
  config?: AuditedConfig // absent for plain pg-common clusters and unreadable configs
}

interface Claim {
  audited: AuditedInstance
  value: string
  at: {where: string; key?: string; line?: number}
}

/**
 * What no single config shows: two instances on one PostgreSQL or REST port, two configs
 * for one cluster in the DCS, configs for a PostgreSQL that is not installed.
 * pg_createconfig_patroni picks ports from pg_lsclusters only, so a second config written
 * before the first was bootstrapped gets the same ports.
 */
export function auditHostWide(instances: AuditedInstance[]): Finding[] {
  return [
    ...collisions(instances.map(pgPortClaim).filter(isClaim), (c, others) => ({
      check: 'pg-port-collision',
      fix: `give each instance its own port (postgresql.listen in its Patroni config, port in postgresql.conf for a plain cluster)`,
      problem: `PostgreSQL port ${c.value} is also used by ${others}`,
    })),
    ...collisions(instances.map(restPortClaim).filter(isClaim), (c, others) => ({
      check: 'rest-port-collision',
      fix: 'give each instance its own restapi.listen and restapi.connect_address port (Debian uses the PostgreSQL port + 2576)',
      problem: `REST API port ${c.value} is also used by ${others}: only one Patroni can bind it`,
    })),
    ...collisions(instances.map(scopeClaim).filter(isClaim), (_c, others) => ({
      check: 'duplicate-scope',
      fix: 'give each instance its own scope (Debian: VERSION-CLUSTER); two configs with one scope are one cluster in the DCS',
      problem: `same namespace and scope as ${others}: both Patroni instances join one cluster and fight over its leader key`,
    })),
    ...instances.filter((a) => a.instance.kind === 'orphan').map(orphan),
  ]
}

const isClaim = (claim: Claim | undefined): claim is Claim => claim !== undefined

function pgPortClaim(audited: AuditedInstance): Claim | undefined {
  const {config, instance} = audited
  if (config) {
    const {port} = patroniPgPort(config)
    const setting = config.setting('PATRONI_POSTGRESQL_LISTEN', 'postgresql', 'listen')
    return {at: config.whereOf(setting, 'postgresql', 'listen'), audited, value: String(port)}
  }
  if (instance.pg)
    return {
      at: {key: 'port', where: join(instance.pg.configDir, 'postgresql.conf')},
      audited,
      value: String(instance.pg.port),
    }
  return undefined
}

function restPortClaim(audited: AuditedInstance): Claim | undefined {
  const {config} = audited
  const listen = config?.setting('PATRONI_RESTAPI_LISTEN', 'restapi', 'listen')
  const port = listen ? listenAddresses(String(listen.value))[0]?.port : undefined
  return config && port !== undefined
    ? {at: config.whereOf(listen, 'restapi', 'listen'), audited, value: String(port)}
    : undefined
}

function scopeClaim(audited: AuditedInstance): Claim | undefined {
  const {config} = audited
  const scope = config?.setting('PATRONI_SCOPE', 'scope')
  if (!config || !scope) return undefined
  const namespace = String(config.setting('PATRONI_NAMESPACE', 'namespace')?.value ?? '/service/').replace(/\/?$/, '/')
  return {at: config.whereOf(scope, 'scope'), audited, value: `${namespace}${String(scope.value)}`}
}

/** One finding per instance involved, naming the others: each config needs its own fix. */
function collisions(
  claims: Claim[],
  describe: (claim: Claim, others: string) => Pick<Finding, 'check' | 'fix' | 'problem'>,
): Finding[] {
  const byValue = new Map<string, Claim[]>()
  for (const claim of claims) byValue.set(claim.value, [...(byValue.get(claim.value) ?? []), claim])
  return [...byValue.values()]
    .filter((group) => group.length > 1)
    .flatMap((group) =>
      group.map((claim) => {
        const others = group
          .filter((c) => c !== claim)
          .map((c) => formatInstance(c.audited.instance))
          .join(', ')
        return {
          ...describe(claim, others),
          ...claim.at,
          instance: formatInstance(claim.audited.instance),
          severity: 'error' as const,
        }
      }),
    )
}

function orphan({config, instance}: AuditedInstance): Finding {
  return {
    check: 'orphan',
    fix: `apt install postgresql-${instance.version}, or remove ${instance.configFile} if the instance is gone`,
    instance: formatInstance(instance),
    problem: `a Patroni config for PostgreSQL ${instance.version}, which is not installed: patroni@${instance.version}-${instance.cluster} cannot start`,
    severity: 'warning',
    where: config?.file ?? instance.configFile ?? '',
  }
}
