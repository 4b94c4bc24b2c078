import {RestError} from './patroni-client.js'
import {renderJson, renderYaml} from './render.js'

export const CONFIG_FORMATS = ['yaml', 'json'] as const
export type ConfigFormat = (typeof CONFIG_FORMATS)[number]

/**
 * GET /config (the cluster-wide dynamic configuration in the DCS) as YAML or JSON, keys in the
 * order Patroni sends them (patronictl show-config sorts them; the content is the same).
 */
export async function renderDynamicConfig(config: unknown, format: ConfigFormat, endpoint: string): Promise<string> {
  if (typeof config !== 'object' || config === null || Array.isArray(config)) {
    throw new RestError('malformed', endpoint, 'malformed answer to GET /config (not a mapping)')
  }
  return format === 'json' ? renderJson(config) : renderYaml(config)
}
