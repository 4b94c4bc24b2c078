import {readdirSync} from 'node:fs'
import {join} from 'node:path'

import {type DcsSettings, resolveDcs} from './dcs-settings.js'
import {ExitCode, PgpError, describeFsError} from '../errors.js'
import {hostAndPort} from './addresses.js'
import {ConfigDocument, type Mapping, isMapping, isTrue} from './document.js'
import {type InstanceName, compareInstances, instanceOfStem} from '../instances/names.js'
import {readRegularFile} from './files.js'

const DEFAULT_CONFIG_DIR = '/etc/patroni'

export const resolveConfigDir = (flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string =>
  flag || env.PGPATRONICTL_CONFIG_DIR || DEFAULT_CONFIG_DIR

export interface InstanceConfigFile extends InstanceName {
  file: string
}

/** `given`: how the user named the directory (a flag or variable): then it must exist. */
export function listInstanceConfigFiles(configDir: string, given?: string): InstanceConfigFile[] {
  let names: string[]
  try {
    names = readdirSync(configDir)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' && !given) return [] // no Patroni on this host (yet)
    throw new PgpError(`${describeFsError(error, configDir)}${given ? ` (${given})` : ''}`, ExitCode.config)
  }
  // Debian's per-instance files are V-C.yml; 15-main.yml~ or 15-main.yml.dpkg-old never match
  const files: InstanceConfigFile[] = []
  for (const entry of names) {
    const name = entry.endsWith('.yml') ? instanceOfStem(entry.slice(0, -'.yml'.length)) : undefined
    if (name) files.push({...name, file: join(configDir, entry)})
  }
  return files.sort(compareInstances)
}

export interface BasicAuth {
  username: string
  password: string
}

export interface TlsSettings {
  caFile?: string
  certFile?: string
  keyFile?: string
  keyPassphrase?: string
  insecure: boolean
}

/** How to reach and authenticate to this host's Patroni REST API. */
export interface RestAccess {
  baseUrl: string // http(s)://host:port, never with credentials
  auth?: BasicAuth
  tls?: TlsSettings
}

/** The parts of a Patroni YAML that pgpatronictl uses. Secrets stay inside `rest.auth`/`rest.tls`/`dcs`. */
export interface PatroniConfig {
  file: string
  scope?: string
  namespace?: string
  memberName?: string
  dataDir?: string // postgresql.data_dir of this host's member
  rest?: RestAccess
  restError?: string // why there is no REST address (reported per instance, not thrown)
  pgConnectAddress?: string // postgresql.connect_address: this member's Host when it is down
  pgSocket?: {dir: string; port?: number} // where this host's member takes local connections (dsn)
  dcs?: DcsSettings // for reading when no REST API answers
  dcsError?: string // why the DCS cannot be read
}

/** Reads and interprets a Patroni YAML; every failure is a one-line config error naming the file. */
export async function loadPatroniConfig(
  file: string,
  options: {env?: NodeJS.ProcessEnv; insecure?: boolean} = {},
): Promise<PatroniConfig> {
  let text: string
  try {
    text = readRegularFile(file, 'utf8')
  } catch (error) {
    throw new PgpError(describeFsError(error, file) + permissionHint(error), ExitCode.config)
  }
  const doc = await parseYamlMapping(text, file)
  return interpretPatroniConfig(doc, file, {env: options.env ?? process.env, insecure: options.insecure ?? false})
}

function permissionHint(error: unknown): string {
  const code = (error as NodeJS.ErrnoException)?.code
  return code === 'EACCES' || code === 'EPERM'
    ? ' (Debian installs instance configs as 0660 postgres:postgres: run as root or postgres, or join the postgres group)'
    : ''
}

/** Patroni reads YAML 1.1 with PyYAML: yes/no booleans, duplicate keys allowed (last wins). */
export async function parseYamlMapping(text: string, file: string): Promise<Mapping> {
  const {LineCounter, parseDocument} = await import('yaml')
  const lineCounter = new LineCounter()
  const doc = parseDocument(text, {lineCounter, merge: true, prettyErrors: false, uniqueKeys: false, version: '1.1'})
  const error = doc.errors[0]
  if (error) {
    const {col, line} = lineCounter.linePos(error.pos[0])
    throw new PgpError(`${file}:${line}:${col}: invalid YAML: ${yamlProblem(error.code)}`, ExitCode.config)
  }
  let value: unknown
  try {
    value = doc.toJS({maxAliasCount: 100})
  } catch {
    // unresolved alias, or an alias bomb: yaml's message would quote the alias (maybe a password)
    throw new PgpError(`${file}: invalid YAML: an alias (*name) that is undefined or expands too far`, ExitCode.config)
  }
  if (!isMapping(value))
    throw new PgpError(`${file}: not a Patroni configuration (expected a YAML mapping)`, ExitCode.config)
  return value
}

/**
 * yaml's error codes in our words: its messages may quote the offending text, and in a Patroni
 * config that text may be a password (`password: |secret` is a bad block scalar header).
 */
function yamlProblem(code: string): string {
  const words: Record<string, string> = {
    BAD_DQ_ESCAPE: 'bad escape in a double-quoted string',
    BAD_INDENT: 'bad indentation',
    BAD_SCALAR_START: 'a plain value cannot start with this character (quote it)',
    BLOCK_AS_IMPLICIT_KEY: 'a nested block cannot be a key',
    DUPLICATE_KEY: 'duplicate key',
    KEY_OVER_1024_CHARS: 'a key longer than 1024 characters',
    MISSING_CHAR: 'a closing quote or bracket is missing',
    MULTILINE_IMPLICIT_KEY: 'a key cannot span lines (missing ":"?)',
    MULTIPLE_DOCS: 'more than one YAML document',
    TAB_AS_INDENT: 'tab used for indentation',
    TAG_RESOLVE_FAILED: 'unknown tag (!...)',
    UNEXPECTED_TOKEN: 'unexpected character',
  }
  return words[code] ?? `syntax error (${code.toLowerCase().replaceAll('_', ' ')})`
}

function interpretPatroniConfig(
  doc: Mapping,
  file: string,
  options: {env: NodeJS.ProcessEnv; insecure: boolean},
): PatroniConfig {
  const read = new ConfigDocument(doc, file)
  const env = options.env
  const config: PatroniConfig = {
    dataDir: env.PATRONI_POSTGRESQL_DATA_DIR ?? read.string('postgresql', 'data_dir'),
    file,
    memberName: env.PATRONI_NAME ?? read.string('name'),
    namespace: env.PATRONI_NAMESPACE ?? read.string('namespace'),
    scope: env.PATRONI_SCOPE ?? read.string('scope'),
  }
  config.pgConnectAddress = env.PATRONI_POSTGRESQL_CONNECT_ADDRESS ?? read.string('postgresql', 'connect_address')
  config.pgSocket = localSocket(
    read.value('postgresql', 'parameters', 'unix_socket_directories'),
    env.PATRONI_POSTGRESQL_LISTEN ?? read.string('postgresql', 'listen'),
  )
  const {dcs, error: dcsError} = resolveDcs(doc, env)
  if (dcs) config.dcs = dcs
  else config.dcsError = dcsError
  const address = env.PATRONI_RESTAPI_CONNECT_ADDRESS ?? read.string('restapi', 'connect_address')
  const listen = env.PATRONI_RESTAPI_LISTEN ?? read.string('restapi', 'listen')
  const hostPort = address ?? (listen ? reachableListenAddress(listen) : undefined)
  if (!hostPort) {
    config.restError = 'no restapi.connect_address or restapi.listen in the configuration'
    return config
  }
  const serverCert = env.PATRONI_RESTAPI_CERTFILE ?? read.string('restapi', 'certfile')
  const scheme = serverCert ? 'https' : 'http'
  const baseUrl = restBaseUrl(scheme, hostPort)
  if (!baseUrl) {
    // the value is not repeated: a mistyped address may hold anything, even a password
    const key =
      address === undefined
        ? 'restapi.listen'
        : env.PATRONI_RESTAPI_CONNECT_ADDRESS === undefined
          ? 'restapi.connect_address'
          : '$PATRONI_RESTAPI_CONNECT_ADDRESS'
    config.restError = `${key} is not HOST:PORT (a name, an IPv4 address or [IPv6], and a port 1-65535)`
    return config
  }
  config.rest = {baseUrl}
  const auth = resolveAuth(read, env)
  if (auth) config.rest.auth = auth
  if (scheme === 'https') config.rest.tls = resolveTls(read, env, options.insecure)
  return config
}

/**
 * The Unix socket of this host's PostgreSQL: the first of unix_socket_directories (Debian's
 * default /var/run/postgresql when unset; none when set empty), and the port of
 * postgresql.listen, which Patroni gives PostgreSQL (the socket is named after it).
 */
function localSocket(directories: unknown, listen: string | undefined): PatroniConfig['pgSocket'] {
  const dir =
    directories === undefined || directories === null
      ? '/var/run/postgresql'
      : String(directories).split(',')[0]!.trim()
  if (!dir.startsWith('/')) return undefined // none, or an abstract socket (@name): TCP then
  const port = Number(/:(\d{1,5})$/.exec(listen?.split(',')[0]?.trim() ?? '')?.[1])
  return {
    dir: dir.length > 1 ? dir.replace(/\/+$/, '') : dir,
    port: Number.isInteger(port) && port > 0 ? port : undefined,
  }
}

/** patronictl's order: ctl credentials first, then the REST API's own; PATRONI_* env overrides the file. */
function resolveAuth(read: ConfigDocument, env: NodeJS.ProcessEnv): BasicAuth | undefined {
  const fromSection = (section: 'ctl' | 'restapi'): BasicAuth | undefined => {
    const prefix = section === 'ctl' ? 'PATRONI_CTL_' : 'PATRONI_RESTAPI_'
    const username = env[`${prefix}USERNAME`] ?? read.string(section, 'authentication', 'username')
    const password = env[`${prefix}PASSWORD`] ?? read.string(section, 'authentication', 'password')
    if (username !== undefined && password !== undefined) return {password, username}
    return splitAuth(read.string(section, 'auth'))
  }
  return fromSection('ctl') ?? fromSection('restapi')
}

function splitAuth(value: string | undefined): BasicAuth | undefined {
  if (value === undefined) return undefined
  const colon = value.indexOf(':')
  return colon < 0
    ? {password: '', username: value}
    : {password: value.slice(colon + 1), username: value.slice(0, colon)}
}

function resolveTls(read: ConfigDocument, env: NodeJS.ProcessEnv, insecureFlag: boolean): TlsSettings {
  const ctl = (key: string) => env[`PATRONI_CTL_${key.toUpperCase()}`] ?? read.string('ctl', key)
  const restapi = (key: string) => env[`PATRONI_RESTAPI_${key.toUpperCase()}`] ?? read.string('restapi', key)
  const tls: TlsSettings = {
    caFile: ctl('cacert') ?? restapi('cafile'),
    insecure: insecureFlag || isTrue(env.PATRONI_CTL_INSECURE ?? read.value('ctl', 'insecure')),
  }
  if (ctl('certfile')) {
    tls.certFile = ctl('certfile')
    tls.keyFile = ctl('keyfile')
    tls.keyPassphrase = ctl('keyfile_password')
  } else if (['optional', 'required'].includes(restapi('verify_client') ?? '')) {
    // Patroni 3.0.x presented the server's own certificate as the client certificate.
    tls.certFile = restapi('certfile')
    tls.keyFile = restapi('keyfile')
    tls.keyPassphrase = restapi('keyfile_password')
  }
  return tls
}

/** http(s)://host:port for a Patroni `host:port`, or undefined when it is not one. */
function restBaseUrl(scheme: string, hostPort: string): string | undefined {
  const match = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.-]+):(\d{1,5})$/.exec(hostPort)
  if (!match || Number(match[2]) < 1 || Number(match[2]) > 65_535) return undefined
  try {
    return new URL(`${scheme}://${hostPort}`).origin
  } catch {
    return undefined
  }
}

/** A wildcard listen address is reachable on loopback; Debian's template binds the host IP. */
export function reachableListenAddress(listen: string): string {
  const first = listen.split(',')[0]!.trim()
  const {host = '', port} = first.includes(':') ? hostAndPort(first) : {port: first}
  if (host === '' || host === '*' || host === '0.0.0.0') return `127.0.0.1:${port}`
  if (host === '::') return `[::1]:${port}`
  return first.startsWith('[') ? `[${host}]:${port}` : `${host}:${port}`
}
