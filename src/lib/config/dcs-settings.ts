/**
 * Where Patroni's DCS is and how to log in, from the instance config: read-only access for the
 * fallback when no member's REST API answers. Only the DCS kinds with a plain HTTP API are
 * supported (etcd3 through its JSON gateway, etcd v2, consul).
 */

import {splitHostPort} from './addresses.js'
import {type Mapping, isMapping} from './document.js'

export type DcsKind = 'consul' | 'etcd' | 'etcd3'

export interface DcsSettings {
  kind: DcsKind
  endpoints: string[] // http(s)://host:port, never with credentials
  username?: string // etcd, etcd3
  password?: string // etcd, etcd3: a secret, never printed
  token?: string // consul ACL token: a secret, never printed
  tls?: {caFile?: string; certFile?: string; keyFile?: string}
}

// Patroni takes the first section it finds, in the (sorted) order of its dcs modules.
const PATRONI_ORDER = ['consul', 'etcd', 'etcd3', 'exhibitor', 'kubernetes', 'raft', 'zookeeper'] as const
const DEFAULT_PORT: Record<DcsKind, number> = {consul: 8500, etcd: 2379, etcd3: 2379}

// PATRONI_<KIND>_<KEY> override the file, as in Patroni's config.py
const ENV_KEYS = [
  'host',
  'hosts',
  'port',
  'protocol',
  'url',
  'proxy',
  'srv',
  'cacert',
  'cert',
  'key',
  'token',
  'scheme',
  'verify',
  'username',
  'password',
]

/** The DCS this instance uses, or why it cannot be read (a note, never thrown). */
export function resolveDcs(doc: Mapping, env: NodeJS.ProcessEnv): {dcs?: DcsSettings; error?: string} {
  const sectionOf = (name: string): Mapping | undefined => {
    const fromFile = doc[name]
    const section: Mapping = isMapping(fromFile) ? {...fromFile} : {}
    for (const key of ENV_KEYS) {
      const value = env[`PATRONI_${name.toUpperCase()}_${key.toUpperCase()}`]
      if (value) section[key] = value
    }
    return isMapping(fromFile) || Object.keys(section).length > 0 ? section : undefined
  }
  for (const name of PATRONI_ORDER) {
    const section = sectionOf(name)
    if (!section) continue
    if (name !== 'consul' && name !== 'etcd' && name !== 'etcd3')
      return {error: `reading the DCS is supported for etcd3, etcd and consul, not ${name}`}
    try {
      return {dcs: name === 'consul' ? consulSettings(section) : etcdSettings(name, section)}
    } catch (error) {
      return {error: `${name}: ${(error as Error).message}`}
    }
  }
  return {error: 'no DCS section (etcd3, etcd, consul, ...) in the configuration'}
}

// patronictl's DCS_DEFAULTS, in its order: a -d/--dcs-url without a scheme takes the first kind whose port it names
const URL_KINDS: [string, number][] = [
  ['zookeeper', 2181],
  ['exhibitor', 8181],
  ['consul', 8500],
  ['etcd', 2379],
  ['etcd3', 2379],
]
// where a DCS is: given by the URL, never taken from PATRONI_<KIND>_* with it
const LOCATION_KEYS = new Set(['host', 'hosts', 'port', 'url', 'proxy', 'srv'])

/**
 * patronictl's `-d/--dcs-url`: `[DCS://]HOST[:PORT][/NAMESPACE]`, DCS one of etcd3, etcd, consul
 * (zookeeper and exhibitor are known, not readable here). No scheme: guessed from the port as
 * patronictl does (8500 consul, else etcd); no host: localhost; no port: the kind's default.
 * etcd and etcd3 also take several hosts, `etcd3://h1:2379,h2:2379`. Credentials and TLS come
 * from PATRONI_<KIND>_* (USERNAME, PASSWORD, TOKEN, PROTOCOL or SCHEME, CACERT, CERT, KEY):
 * a password on the command line would be visible to every user in `ps`, so one is refused.
 * A bad URL throws an Error whose message is fit for a usage error.
 */
export function parseDcsUrl(text: string, env: NodeJS.ProcessEnv = {}): {dcs: DcsSettings; namespace?: string} {
  const value = text.trim().includes('//') ? text.trim() : `//${text.trim()}`
  const match = /^(?:([A-Za-z][A-Za-z0-9+.-]*):)?\/\/([^/?#]*)([^?#]*)$/.exec(value)
  if (!match) throw new Error('expected DCS://HOST:PORT[/NAMESPACE], e.g. etcd3://10.0.0.1:2379')
  const [, scheme = '', authority = '', path = ''] = match
  if (authority.includes('@')) {
    throw new Error(
      'credentials do not belong in the DCS URL (every user sees them in ps): set PATRONI_ETCD3_USERNAME and _PASSWORD, or PATRONI_CONSUL_TOKEN',
    )
  }
  const hosts = authority === '' ? [''] : authority.split(',')
  const firstPort = splitHostPort(hosts[0] || 'localhost', 0)[1]
  const kind = scheme === '' ? (URL_KINDS.find(([, port]) => port === firstPort)?.[0] ?? 'etcd') : scheme.toLowerCase()
  if (!URL_KINDS.some(([name]) => name === kind))
    throw new Error(`unknown DCS type ${JSON.stringify(kind).slice(0, 40)} (etcd3, etcd or consul)`)
  if (kind !== 'etcd3' && kind !== 'etcd' && kind !== 'consul')
    throw new Error(`reading the DCS is supported for etcd3, etcd and consul, not ${kind}`)
  if (kind === 'consul' && hosts.length > 1) throw new Error('consul takes one host')
  const addresses = hosts.map((host) => {
    const [name, port] = splitHostPort(host || 'localhost', DEFAULT_PORT[kind])
    if (!/^[A-Za-z0-9_.:-]+$/.test(name || 'x') || !(port >= 1 && port <= 65_535))
      throw new Error('expected DCS://HOST:PORT[/NAMESPACE], e.g. etcd3://10.0.0.1:2379')
    return `${name.includes(':') ? `[${name}]` : name || 'localhost'}:${port}`
  })
  // only this kind's variables, and none that says where the DCS is
  const prefix = `PATRONI_${kind.toUpperCase()}_`
  const ownEnv = Object.fromEntries(
    Object.entries(env).filter(
      ([k]) => k.startsWith(prefix) && !LOCATION_KEYS.has(k.slice(prefix.length).toLowerCase()),
    ),
  )
  const section = kind === 'consul' ? {host: addresses[0]} : {hosts: addresses}
  const {dcs, error} = resolveDcs({[kind]: section}, ownEnv)
  if (!dcs) throw new Error(error)
  const namespace = path.trim()
  return namespace && namespace !== '/' ? {dcs, namespace} : {dcs}
}

/** Patroni's get_etcd_client: url (or proxy) > hosts > host; srv is not resolved here. */
function etcdSettings(kind: 'etcd' | 'etcd3', section: Mapping): DcsSettings {
  const settings: DcsSettings = {endpoints: [], kind}
  const url = text(section.url) ?? text(section.proxy)
  if (url) {
    const parsed = parseUrl(url)
    settings.endpoints = [
      origin(parsed.protocol.replace(/:$/, ''), parsed.hostname, Number(parsed.port) || DEFAULT_PORT[kind]),
    ]
    if (parsed.username) settings.username = decodeURIComponent(parsed.username)
    if (parsed.password) settings.password = decodeURIComponent(parsed.password)
  } else {
    const protocol = text(section.protocol) ?? 'http'
    const port = Number(text(section.port)) || DEFAULT_PORT[kind]
    const hosts = hostList(section.hosts)
    const host = text(section.host)
    if (hosts.length > 0)
      settings.endpoints = hosts.map((h) => splitHostPort(h, port)).map(([h, p]) => origin(protocol, h, p))
    else if (host) {
      const [h, p] = splitHostPort(host, DEFAULT_PORT[kind])
      settings.endpoints = [origin(protocol, h, section.port === undefined ? p : port)]
    } else if (section.srv || section.discovery_srv || section.srv_domain)
      throw new Error('DNS SRV discovery is not supported for reading')
    else throw new Error('neither url, hosts nor host is set')
  }
  // keys in the section win over credentials in the url, as in Patroni
  settings.username = text(section.username) ?? settings.username
  settings.password = text(section.password) ?? settings.password
  if (settings.username === undefined || settings.password === undefined) {
    delete settings.username
    delete settings.password
  }
  settings.tls = tlsFiles(section)
  return settings
}

function consulSettings(section: Mapping): DcsSettings {
  let endpoint: string
  const url = text(section.url)
  if (url) {
    const parsed = parseUrl(url)
    endpoint = origin(parsed.protocol.replace(/:$/, ''), parsed.hostname, Number(parsed.port) || 8500)
  } else {
    const [host, port] = splitHostPort(text(section.host) ?? '127.0.0.1:8500', 8500)
    endpoint = origin(text(section.scheme) ?? 'http', host, Number(text(section.port)) || port)
  }
  const settings: DcsSettings = {endpoints: [endpoint], kind: 'consul', tls: tlsFiles(section)}
  const token = text(section.token)
  if (token) settings.token = token
  return settings
}

function tlsFiles(section: Mapping): DcsSettings['tls'] {
  const tls = {caFile: text(section.cacert), certFile: text(section.cert), keyFile: text(section.key)}
  return tls.caFile || tls.certFile ? tls : undefined
}

/** `hosts` is "h:p,h2:p" or a YAML list; from the environment also "['h:p', 'h2:p']". */
function hostList(value: unknown): string[] {
  // a YAML flow list, not a bracketed IPv6 address: has quotes or commas inside the brackets
  const list = (s: string) => (/^\s*\[.*['",].*\]\s*$/.test(s) ? s.trim().slice(1, -1) : s)
  const items = Array.isArray(value) ? value : typeof value === 'string' ? list(value).split(',') : []
  return items
    .filter((v): v is string => typeof v === 'string')
    .map((v) => v.trim().replace(/^['"]|['"]$/g, ''))
    .filter((v) => v !== '')
}

const origin = (protocol: string, host: string, port: number): string =>
  `${protocol}://${host.includes(':') ? `[${host}]` : host}:${port}`

function parseUrl(url: string): URL {
  try {
    return new URL(url)
  } catch {
    throw new Error('url is not a valid URL') // the value itself may carry a password
  }
}

const text = (value: unknown): string | undefined =>
  typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined
