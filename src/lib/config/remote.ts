import {parseDcsUrl} from './dcs-settings.js'
import {configError, usageError} from '../errors.js'
import {type PatroniConfig, loadPatroniConfig} from './patroni-config.js'

/**
 * A cluster reached by its scope through a DCS rather than through this host's member, as
 * patronictl does: `-d URL list SCOPE`, or `-c FILE list OTHER-SCOPE` (the config's DCS).
 */
export interface Via {
  scope: string
  dcsUrl?: string // -d/--dcs-url; else the DCS of the config file
}

/**
 * The settings to reach `via.scope`: the DCS and namespace of -d (its path, else the config's,
 * else $PATRONI_NAMESPACE, else Patroni's /service/), REST credentials and TLS from the config
 * if one is given. Nothing describes a member of this host: there is no local member to ask.
 */
export async function remoteConfig(
  configFile: string,
  via: Via,
  options: {env?: NodeJS.ProcessEnv; insecure?: boolean} = {},
): Promise<PatroniConfig> {
  const env = options.env ?? process.env
  const base: PatroniConfig = configFile
    ? await loadPatroniConfig(configFile, options)
    : {file: via.dcsUrl ?? '', namespace: env.PATRONI_NAMESPACE}
  let {dcs, namespace} = base
  if (via.dcsUrl) {
    try {
      const parsed = parseDcsUrl(via.dcsUrl, env)
      dcs = parsed.dcs
      namespace = parsed.namespace ?? namespace
    } catch (error) {
      throw usageError(`--dcs-url: ${(error as Error).message}`)
    }
  }
  if (!dcs)
    throw configError(`${configFile}: ${base.dcsError ?? 'no DCS'}; cannot reach the cluster ${via.scope} through it`)
  const tls = base.rest?.tls ?? (options.insecure ? {insecure: true} : undefined)
  const rest = {auth: base.rest?.auth, baseUrl: base.rest?.baseUrl ?? '', tls}
  return {dcs, file: base.file, namespace, rest, scope: via.scope}
}

const SCOPE = /^[A-Za-z0-9_.-]+$/

/** A scope as patronictl takes it; `15/main` (pg-common's form) is Debian's scope `15-main`. */
export function scopeOfWord(word: string): string {
  const scope = word.replace(/^(\d+(?:\.\d+)?)\//, '$1-')
  if (!SCOPE.test(scope) || /^\.+$/.test(scope) || scope.length > 200)
    throw usageError(`invalid cluster name ${JSON.stringify(word.slice(0, 80))}: expected a scope such as 15-main`)
  return scope
}
