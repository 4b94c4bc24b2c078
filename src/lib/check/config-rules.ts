import {readFileSync, statSync} from 'node:fs'
import {join, resolve} from 'node:path'

import {hostAndPort} from '../config/addresses.js'
import {isTrue} from '../config/document.js'
import {type AuditedConfig, type Setting, isEmptySecret} from './audited-config.js'
import type {Finding, Severity} from './findings.js'
import type {HostInstance, HostPaths} from '../instances/discovery.js'
import {formatInstance, instanceStem} from '../instances/names.js'
import {existsOrDangling} from '../instances/pg-common.js'
import {readRegularFile, readdirQuiet} from '../config/files.js'

export interface AuditPaths extends HostPaths {
  systemdDir: string // /etc/systemd/system, where `systemctl enable` puts its wants links
}

/** What a per-instance check needs: the instance, its parsed config, and where the host keeps things. */
export interface InstanceContext {
  instance: HostInstance
  config: AuditedConfig
  paths: AuditPaths
  host: HostInstance[]
}

type Check = (context: InstanceContext) => Finding[]

/** Every check of one instance config; each returns its findings, most return none. */
export const auditInstanceConfig = (context: InstanceContext): Finding[] =>
  [
    fileAccess,
    superuserOverTcp,
    inlineSecrets,
    restApiExposure,
    restApiClientCertificate,
    startConf,
    postgresPort,
    debianNaming,
    debianPaths,
    systemdUnits,
    dashedClusterName,
  ].flatMap((check: Check) => check(context))

const finding = (
  context: InstanceContext,
  severity: Severity,
  check: string,
  at: {where: string; key?: string; line?: number},
  problem: string,
  fix: string,
): Finding => ({
  check,
  fix,
  instance: formatInstance(context.instance),
  key: at.key,
  line: at.line,
  problem,
  severity,
  where: at.where,
})

const unit = (context: InstanceContext) => `patroni@${instanceStem(context.instance)}`

// ---------------------------------------------------------------------------------------------
// 1. The file and its secrets

/** Config keys that hold secrets, with the variable Patroni reads instead (so the file need not). */
const SECRET_KEYS: {path: string[]; env: string}[] = [
  {env: 'PATRONI_SUPERUSER_PASSWORD', path: ['postgresql', 'authentication', 'superuser', 'password']},
  {env: 'PATRONI_REPLICATION_PASSWORD', path: ['postgresql', 'authentication', 'replication', 'password']},
  {env: 'PATRONI_REWIND_PASSWORD', path: ['postgresql', 'authentication', 'rewind', 'password']},
  {env: 'PATRONI_RESTAPI_PASSWORD', path: ['restapi', 'authentication', 'password']},
  {env: 'PATRONI_RESTAPI_USERNAME and PATRONI_RESTAPI_PASSWORD', path: ['restapi', 'auth']},
  {env: 'PATRONI_RESTAPI_KEYFILE_PASSWORD', path: ['restapi', 'keyfile_password']},
  {env: 'PATRONI_CTL_PASSWORD', path: ['ctl', 'authentication', 'password']},
  {env: 'PATRONI_CTL_KEYFILE_PASSWORD', path: ['ctl', 'keyfile_password']},
  {env: 'PATRONI_ETCD3_PASSWORD', path: ['etcd3', 'password']},
  {env: 'PATRONI_ETCD_PASSWORD', path: ['etcd', 'password']},
  {env: 'PATRONI_CONSUL_TOKEN', path: ['consul', 'token']},
  {env: 'PATRONI_RAFT_PASSWORD', path: ['raft', 'password']},
]

/** Key paths of the secrets written in the file itself (bootstrap.users included). */
function inlineSecretPaths(config: AuditedConfig): {path: string[]; env: string}[] {
  const found = SECRET_KEYS.filter(({path}) => nonEmpty(config.value(...path)))
  const users = config.value('bootstrap', 'users')
  if (users && typeof users === 'object') {
    for (const user of Object.keys(users)) {
      if (nonEmpty(config.value('bootstrap', 'users', user, 'password'))) {
        found.push({env: `PATRONI_${user.toUpperCase()}_PASSWORD`, path: ['bootstrap', 'users', user, 'password']})
      }
    }
  }
  return found
}

const nonEmpty = (value: unknown) => value !== undefined && value !== null && value !== ''

/**
 * Debian writes the configs 0660 postgres:postgres: they hold the replication password at
 * least. Anyone else who can read one has that; anyone else who can write one runs commands
 * as postgres (bootstrap and callback scripts).
 */
function fileAccess(context: InstanceContext): Finding[] {
  const {config} = context
  let stat: ReturnType<typeof statSync>
  try {
    stat = statSync(config.file)
  } catch {
    return []
  }
  const postgres = systemAccount('postgres')
  const ownerOk = stat.uid === 0 || stat.uid === postgres.uid
  const groupOk = stat.gid === 0 || stat.gid === postgres.gid
  const mode = stat.mode & 0o777
  const readers: string[] = []
  const writers: string[] = []
  if (!ownerOk) readers.push(`its owner (uid ${stat.uid})`)
  if (!ownerOk && mode & 0o200) writers.push(`its owner (uid ${stat.uid})`)
  if (!groupOk && mode & 0o040) readers.push(`group ${stat.gid}`)
  if (!groupOk && mode & 0o020) writers.push(`group ${stat.gid}`)
  if (mode & 0o004) readers.push('every user')
  if (mode & 0o002) writers.push('every user')
  const fix = `chown postgres:postgres ${config.file} && chmod 0660 ${config.file} (as pg_createconfig_patroni does)`
  const owner = stat.uid === 0 ? 'root' : stat.uid === postgres.uid ? 'postgres' : String(stat.uid)
  const group = stat.gid === 0 ? 'root' : stat.gid === postgres.gid ? 'postgres' : String(stat.gid)
  const at = {key: `mode ${mode.toString(8).padStart(4, '0')} ${owner}:${group}`, where: config.file}
  const findings: Finding[] = []
  if (writers.length > 0) {
    findings.push(
      finding(
        context,
        'error',
        'config-access',
        at,
        `writable by ${writers.join(', ')}: they can make Patroni run any command as postgres`,
        fix,
      ),
    )
  }
  const secrets = inlineSecretPaths(config)
  if (readers.length > 0 && secrets.length > 0) {
    findings.push(
      finding(
        context,
        'error',
        'config-access',
        at,
        `readable by ${readers.join(', ')} and holds passwords (${secrets.map((s) => s.path.join('.')).join(', ')})`,
        fix,
      ),
    )
  }
  return findings
}

function inlineSecrets(context: InstanceContext): Finding[] {
  const secrets = inlineSecretPaths(context.config)
  if (secrets.length === 0) return []
  const first = secrets[0]!.path
  return [
    finding(
      context,
      'info',
      'inline-secret',
      {
        key: secrets.map((s) => s.path.join('.')).join(', '),
        line: context.config.lineOf(...first),
        where: context.config.file,
      },
      `${secrets.length === 1 ? 'a password is' : `${secrets.length} passwords are`} stored in the config file`,
      `move them to ${secrets.map((s) => s.env).join(', ')} in a 0600 root-owned file, loaded with EnvironmentFile= in \`systemctl edit ${unit(context)}\``,
    ),
  ]
}

// ---------------------------------------------------------------------------------------------
// pg_hba and the superuser password

interface HbaRule {
  index: number
  type: string
  databases: string[]
  users: string[]
  method: string
}

/** A pg_hba line from Patroni's list: host rules have an address (and maybe a mask) before the method. */
function parseHbaRule(line: string, index: number): HbaRule | undefined {
  const fields = line.replace(/#.*/, '').trim().split(/\s+/)
  const [type, databases, users] = fields
  if (!type || !databases || !users) return undefined
  let rest = fields.slice(3)
  if (type !== 'local') {
    const address = rest[0] ?? ''
    const withMask = !address.includes('/') && /^[\d.:a-fA-F]+$/.test(address) && /^[\d.:a-fA-F]+$/.test(rest[1] ?? '')
    rest = rest.slice(withMask ? 2 : 1)
  }
  const method = rest[0]
  return method ? {databases: databases.split(','), index, method, type, users: users.split(',')} : undefined
}

/** The pg_hba Patroni writes: local postgresql.pg_hba wins over the bootstrap DCS config. */
function effectiveHba(config: AuditedConfig): {path: string[]; rules: HbaRule[]} | undefined {
  for (const path of [
    ['postgresql', 'pg_hba'],
    ['bootstrap', 'dcs', 'postgresql', 'pg_hba'],
    ['bootstrap', 'pg_hba'],
  ]) {
    const list = config.value(...path)
    if (Array.isArray(list)) {
      return {
        path,
        rules: list
          .map((line, i) => (typeof line === 'string' ? parseHbaRule(line, i) : undefined))
          .filter((r): r is HbaRule => r !== undefined),
      }
    }
  }
  return undefined
}

const PASSWORD_METHODS = new Set(['md5', 'password', 'scram-sha-256'])

/** The first TCP rule that a connection of `user` to database postgres would use. */
function firstTcpRule(rules: HbaRule[], user: string): HbaRule | undefined {
  return rules.find(
    (r) =>
      r.type.startsWith('host') &&
      r.databases.some((d) => d === 'all' || d === 'postgres' || d === 'sameuser') &&
      r.users.some((u) => u === 'all' || u === user),
  )
}

/**
 * Debian's template leaves the superuser password empty: Patroni then uses the Unix socket
 * (peer). Everything that connects to another member over TCP as superuser (pg_rewind without
 * a rewind user, Patroni itself without use_unix_socket) meets the md5 rule and fails.
 */
function superuserOverTcp(context: InstanceContext): Finding[] {
  const {config} = context
  const password = config.setting('PATRONI_SUPERUSER_PASSWORD', 'postgresql', 'authentication', 'superuser', 'password')
  if (!isEmptySecret(password)) return []
  const user = String(
    config.setting('PATRONI_SUPERUSER_USERNAME', 'postgresql', 'authentication', 'superuser', 'username')?.value ??
      'postgres',
  )
  const hba = effectiveHba(config)
  const rule = hba && firstTcpRule(hba.rules, user)
  if (!hba || !rule || !PASSWORD_METHODS.has(rule.method)) return []
  const at = {
    key: [...hba.path, rule.index].join('.'),
    line: config.lineOf(...hba.path, rule.index),
    where: config.file,
  }
  const fixPassword = `set postgresql.authentication.superuser.password (or PATRONI_SUPERUSER_PASSWORD) and ALTER ROLE ${user} PASSWORD to the same value`
  if (!isTrue(config.value('postgresql', 'use_unix_socket'))) {
    return [
      finding(
        context,
        'error',
        'superuser-password',
        at,
        `superuser ${user} has no password, use_unix_socket is off and pg_hba asks TCP connections for ${rule.method}: Patroni cannot connect to its own PostgreSQL`,
        fixPassword,
      ),
    ]
  }
  const rewindOn = isTrue(
    config.value('postgresql', 'use_pg_rewind') ?? config.value('bootstrap', 'dcs', 'postgresql', 'use_pg_rewind'),
  )
  const rewindUser = !isEmptySecret(
    config.setting('PATRONI_REWIND_PASSWORD', 'postgresql', 'authentication', 'rewind', 'password'),
  )
  if (!rewindOn || (rewindUser && Number.parseFloat(context.instance.version) >= 11)) return []
  return [
    finding(
      context,
      'warning',
      'superuser-password',
      at,
      `superuser ${user} has no password and pg_hba asks TCP connections for ${rule.method}: pg_rewind of a former leader fails, and it is re-cloned instead`,
      `${fixPassword}; or, on PostgreSQL 11+, configure postgresql.authentication.rewind with a password`,
    ),
  ]
}

// ---------------------------------------------------------------------------------------------
// 2. The REST API

/** host:port entries of a listen value; an empty, * or 0.0.0.0 host means every interface. */
export function listenAddresses(value: string): {host: string; port?: number}[] {
  return value
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map((entry) => (entry.includes(':') ? hostAndPort(entry) : {host: entry}))
}

const isLoopback = (host: string) => /^127\./.test(host) || host === '::1' || host === 'localhost'

function restListen(config: AuditedConfig): {setting: Setting; exposed: string[]} | undefined {
  const setting = config.setting('PATRONI_RESTAPI_LISTEN', 'restapi', 'listen')
  if (!setting) return undefined
  const exposed = listenAddresses(String(setting.value))
    .filter((a) => !isLoopback(a.host))
    .map((a) =>
      a.host === '' || a.host === '*' || a.host === '0.0.0.0' || a.host === '::'
        ? `every interface (${String(setting.value)})`
        : a.host,
    )
  return {exposed, setting}
}

/**
 * Patroni's unsafe endpoints (POST /switchover, /restart, /reinitialize, PATCH /config) are
 * protected only by basic auth, a client certificate requirement, or an allowlist. Debian's
 * template binds the host IP with none of them.
 */
function restApiExposure(context: InstanceContext): Finding[] {
  const {config} = context
  const listen = restListen(config)
  if (!listen || listen.exposed.length === 0) return []
  const at = config.whereOf(listen.setting, 'restapi', 'listen')
  const findings: Finding[] = []
  const auth =
    (config.env.has('PATRONI_RESTAPI_USERNAME') && config.env.has('PATRONI_RESTAPI_PASSWORD')) ||
    (nonEmpty(config.value('restapi', 'authentication', 'username')) &&
      nonEmpty(config.value('restapi', 'authentication', 'password'))) ||
    nonEmpty(config.value('restapi', 'auth'))
  const certfile = config.setting('PATRONI_RESTAPI_CERTFILE', 'restapi', 'certfile')
  const verifyClient = String(config.setting('PATRONI_RESTAPI_VERIFY_CLIENT', 'restapi', 'verify_client')?.value ?? '')
  const clientCerts = certfile !== undefined && ['optional', 'required'].includes(verifyClient)
  const allowlist =
    config.setting('PATRONI_RESTAPI_ALLOWLIST', 'restapi', 'allowlist') ??
    config.setting(undefined, 'restapi', 'allowlist_include_members')
  if (!auth && !clientCerts) {
    const where = listen.exposed.join(', ')
    findings.push(
      allowlist
        ? finding(
            context,
            'warning',
            'rest-auth',
            at,
            `REST API listens on ${where} without authentication; only restapi.allowlist guards POST /switchover, /restart, /reinitialize`,
            'add restapi.authentication (username, password) and the same under ctl.authentication, or listen on 127.0.0.1 only',
          )
        : finding(
            context,
            'error',
            'rest-auth',
            at,
            `REST API listens on ${where} without restapi.authentication: anyone who reaches it can POST /switchover, /restart, /reinitialize`,
            'add restapi.authentication (username, password) and the same under ctl.authentication, or listen on 127.0.0.1 only',
          ),
    )
  }
  if (!certfile) {
    findings.push(
      finding(
        context,
        'warning',
        'rest-tls',
        at,
        `REST API on ${listen.exposed.join(', ')} without TLS: its passwords and answers cross the network in clear text`,
        'set restapi.certfile and restapi.keyfile (a certificate for restapi.connect_address), and ctl.cacert for the clients',
      ),
    )
  }
  return findings
}

function restApiClientCertificate(context: InstanceContext): Finding[] {
  const {config} = context
  const verify = config.setting('PATRONI_RESTAPI_VERIFY_CLIENT', 'restapi', 'verify_client')
  if (String(verify?.value ?? '') !== 'required' || !config.setting('PATRONI_RESTAPI_CERTFILE', 'restapi', 'certfile'))
    return []
  if (config.setting('PATRONI_CTL_CERTFILE', 'ctl', 'certfile')) return []
  return [
    finding(
      context,
      'warning',
      'rest-client-cert',
      config.whereOf(verify, 'restapi', 'verify_client'),
      'restapi.verify_client is required but there is no ctl.certfile: patronictl 3.1+ cannot talk to the REST API at all (pgpatronictl and patronictl 3.0 present restapi.certfile, which works only if it is also a client certificate)',
      'add ctl.certfile and ctl.keyfile: a client certificate signed by the CA in restapi.cafile',
    ),
  ]
}

// ---------------------------------------------------------------------------------------------
// 3. Agreement with pg-common

function startConf(context: InstanceContext): Finding[] {
  const {pg} = context.instance
  if (!pg?.startConf || pg.startConf === 'manual') return []
  const file = join(pg.configDir, 'start.conf')
  const fix = `write manual into ${file} (as pg_createcluster_patroni does), then systemctl daemon-reload`
  if (pg.startConf === 'disabled') {
    return [
      finding(
        context,
        'info',
        'start-conf',
        {where: file},
        'start.conf is disabled: pg_ctlcluster refuses even reload for this Patroni cluster',
        fix,
      ),
    ]
  }
  return [
    finding(
      context,
      'error',
      'start-conf',
      {where: file},
      `start.conf is ${pg.startConf}: postgresql.service starts this cluster itself, outside Patroni`,
      fix,
    ),
  ]
}

/** The port Patroni gives PostgreSQL: postgresql.listen's, 5432 when it has none. */
export function patroniPgPort(config: AuditedConfig): {port: number; setting?: Setting} {
  const setting = config.setting('PATRONI_POSTGRESQL_LISTEN', 'postgresql', 'listen')
  const ports = setting ? listenAddresses(String(setting.value)).map((a) => a.port) : []
  return {port: ports.findLast((p) => p !== undefined) ?? 5432, setting}
}

function postgresPort(context: InstanceContext): Finding[] {
  const {config, instance} = context
  if (!instance.pg) return []
  const {port, setting} = patroniPgPort(config)
  if (port === instance.pg.port) return []
  return [
    finding(
      context,
      'warning',
      'pg-port',
      config.whereOf(setting, 'postgresql', 'listen'),
      `Patroni runs PostgreSQL on port ${port} but pg-common says ${instance.pg.port}: psql --cluster ${formatInstance(instance)} and pg_lsclusters point at the wrong port`,
      `make postgresql.listen use port ${instance.pg.port}, or set port = ${port} in ${join(instance.pg.configDir, 'postgresql.base.conf')}`,
    ),
  ]
}

function debianNaming(context: InstanceContext): Finding[] {
  const {config, instance} = context
  const findings: Finding[] = []
  const stem = instanceStem(instance)
  const scope = config.setting('PATRONI_SCOPE', 'scope')
  if (String(scope?.value ?? '') !== stem) {
    findings.push(
      finding(
        context,
        'warning',
        'scope',
        config.whereOf(scope, 'scope'),
        scope
          ? `scope is ${JSON.stringify(String(scope.value))}, not ${stem}: Debian's bootstrap and clone wrappers name the pg-common cluster after the scope`
          : `no scope: Debian names this instance's cluster ${stem}`,
        `scope: "${stem}" (on a bootstrapped cluster the DCS keys move with it: rename only with the cluster stopped)`,
      ),
    )
  }
  const namespace = config.setting('PATRONI_NAMESPACE', 'namespace')
  const namespaceText = String(namespace?.value ?? '/service/')
  if (namespaceText.replace(/\/?$/, '/') !== '/postgresql-common/') {
    findings.push(
      finding(
        context,
        'warning',
        'namespace',
        config.whereOf(namespace, 'namespace'),
        `namespace is ${JSON.stringify(namespaceText)}${namespace ? '' : " (Patroni's default)"}, not /postgresql-common/: vip-manager's Debian config watches /postgresql-common/${stem}/leader`,
        'namespace: "/postgresql-common/" (with the cluster stopped: its DCS keys are under the old namespace)',
      ),
    )
  }
  return findings
}

const samePath = (a: string, b: string) => resolve(a) === resolve(b)

function debianPaths(context: InstanceContext): Finding[] {
  const {config, instance, paths} = context
  if (instance.kind === 'orphan') return []
  const findings: Finding[] = []
  const configDir = config.setting('PATRONI_POSTGRESQL_CONFIG_DIR', 'postgresql', 'config_dir')
  const expectedConfigDir = join(paths.pg.confRoot, instance.version, instance.cluster)
  if (!configDir || !samePath(String(configDir.value), expectedConfigDir)) {
    findings.push(
      finding(
        context,
        'warning',
        'config-dir',
        config.whereOf(configDir, 'postgresql', 'config_dir'),
        configDir
          ? `postgresql.config_dir is not ${expectedConfigDir}: Patroni writes postgresql.conf where pg-common does not look`
          : `no postgresql.config_dir: Patroni writes postgresql.conf into the data directory, not ${expectedConfigDir}`,
        `postgresql.config_dir: ${expectedConfigDir}`,
      ),
    )
  }
  const dataDir = config.setting('PATRONI_POSTGRESQL_DATA_DIR', 'postgresql', 'data_dir')
  const pgDataDir = instance.pg?.dataDir
  if (dataDir && pgDataDir && !samePath(String(dataDir.value), pgDataDir)) {
    findings.push(
      finding(
        context,
        'warning',
        'data-dir',
        config.whereOf(dataDir, 'postgresql', 'data_dir'),
        `postgresql.data_dir is not pg-common's data directory ${pgDataDir}: pg_lsclusters and pg_ctlcluster look at another directory`,
        `postgresql.data_dir: ${pgDataDir}`,
      ),
    )
  }
  return findings
}

/** `systemctl enable` leaves a link in some *.wants directory of systemdDir. */
function enabledLinks(systemdDir: string, unitName: string): string[] {
  return readdirQuiet(systemdDir)
    .filter((d) => d.endsWith('.wants'))
    .map((d) => join(systemdDir, d, unitName))
    .filter((link) => existsOrDangling(link))
}

function systemdUnits(context: InstanceContext): Finding[] {
  const stem = instanceStem(context.instance)
  const postgresLinks = enabledLinks(context.paths.systemdDir, `postgresql@${stem}.service`)
  if (postgresLinks.length === 0) return []
  const patroniEnabled = enabledLinks(context.paths.systemdDir, `patroni@${stem}.service`).length > 0
  return [
    finding(
      context,
      patroniEnabled ? 'error' : 'warning',
      'systemd-unit',
      {where: postgresLinks[0]!},
      patroniEnabled
        ? `postgresql@${stem}.service is enabled alongside patroni@${stem}.service: both start this cluster at boot`
        : `postgresql@${stem}.service is enabled: systemd starts this Patroni cluster without Patroni`,
      `systemctl disable postgresql@${stem}.service${patroniEnabled ? '' : ` && systemctl enable patroni@${stem}.service`}`,
    ),
  ]
}

// ---------------------------------------------------------------------------------------------
// Dashed cluster names and Debian's clone wrapper

// pg_clonecluster_patroni (Debian, up to at least 4.0.7) takes the version with
// sed -e 's/-.*//' but the cluster with sed -e 's/.*-//', i.e. after the LAST dash: scope
// 15-my-db gives cluster "db". The clone then drops an existing 15/db, creates 15/db over this
// instance's data directory, and never creates 15/my-db. pg_createcluster_patroni (bootstrap)
// splits at the first dash and is fine.
function dashedClusterName(context: InstanceContext): Finding[] {
  const {config, instance, host} = context
  if (!instance.cluster.includes('-')) return []
  const wrong = instance.cluster.slice(instance.cluster.lastIndexOf('-') + 1)
  const methods = config.value('postgresql', 'create_replica_method')
  const used = Array.isArray(methods) ? methods.map(String) : []
  const configured = Object.keys((config.value('postgresql') as Record<string, unknown> | undefined) ?? {}).filter(
    (method) => {
      const command = config.string('postgresql', method, 'command')
      return command !== undefined && splitsAtLastDash(command)
    },
  )
  if (configured.length === 0) return []
  const method = configured.find((m) => used.includes(m))
  const victim = host.find((i) => i.version === instance.version && i.cluster === wrong && i.pg)
  const command = config.string('postgresql', method ?? configured[0]!, 'command')!
  const split = `${command} splits scope ${instanceStem(instance)} at its last dash (version ${instance.version}, cluster "${wrong}")`
  const fix = `use create_replica_method: [basebackup] (Patroni clones into data_dir itself), or a cluster name without dashes`
  const at = {
    key: `postgresql.${method ?? configured[0]}.command`,
    line: config.lineOf('postgresql', method ?? configured[0]!, 'command'),
    where: config.file,
  }
  if (!method) {
    return [
      finding(
        context,
        'info',
        'dashed-name',
        at,
        `${split}; it is configured but not in create_replica_method, so unused for now`,
        fix,
      ),
    ]
  }
  return [
    finding(
      context,
      victim ? 'error' : 'warning',
      'dashed-name',
      at,
      victim
        ? `${split}: cloning a replica runs pg_dropcluster ${instance.version} ${wrong}, dropping the existing cluster ${instance.version}/${wrong}`
        : `${split}: a replica clone registers pg-common cluster ${instance.version}/${wrong} instead of ${formatInstance(instance)}`,
      fix,
    ),
  ]
}

/** The script a config names is read as every named file is: a FIFO or a huge file is not waited on. */
function splitsAtLastDash(command: string): boolean {
  try {
    return /sed\s+-e\s+'s\/\.\*-\/\/'|sed\s+'s\/\.\*-\/\/'/.test(readRegularFile(command.split(/\s+/)[0]!, 'utf8'))
  } catch {
    return false
  }
}

// ---------------------------------------------------------------------------------------------

/** The uid and gid of a system account, from /etc/passwd (-1 when absent). */
function systemAccount(name: string): {uid: number; gid: number} {
  try {
    const line = readFileSync('/etc/passwd', 'utf8')
      .split('\n')
      .find((l) => l.startsWith(`${name}:`))
    const [, , uid, gid] = line?.split(':') ?? []
    return {gid: Number(gid ?? -1), uid: Number(uid ?? -1)}
  } catch {
    return {gid: -1, uid: -1}
  }
}
