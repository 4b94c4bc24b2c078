import {RestError} from '../rest/client.js'
import {renderJson, renderYaml} from './printer.js'

export const CONFIG_FORMATS = ['yaml', 'json'] as const
export type ConfigFormat = (typeof CONFIG_FORMATS)[number]

/** GET /config: the cluster-wide dynamic configuration in the DCS, a mapping. */
export function dynamicConfig(body: unknown, endpoint: string): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new RestError('malformed', endpoint, 'malformed answer to GET /config (not a mapping)')
  }
  return body as Record<string, unknown>
}

/** As YAML or JSON, keys in the order Patroni sends them (patronictl show-config sorts them; the content is the same). */
export async function renderDynamicConfig(config: Record<string, unknown>, format: ConfigFormat): Promise<string> {
  return format === 'json' ? renderJson(config) : renderYaml(config)
}
