import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, afterEach} from 'vitest'

import type {FakeServer} from './fake-patroni.js'

/**
 * A throwaway host for one describe block: instance configs go in `configDir`; `env` gives the
 * CLI its own pg-common root and member cache (other files use the same scopes at the same time);
 * `servers` are the fakes a test starts, closed after it.
 */
export function fakeHost(prefix: string): {
  configDir: string
  env: {PG_CLUSTER_CONF_ROOT: string; XDG_CACHE_HOME: string}
  root: string
  servers: FakeServer[]
} {
  const root = mkdtempSync(join(tmpdir(), prefix))
  const servers: FakeServer[] = []
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()))
  })
  afterAll(() => rmSync(root, {force: true, recursive: true}))
  const env = {PG_CLUSTER_CONF_ROOT: join(root, 'postgresql'), XDG_CACHE_HOME: join(root, 'cache')}
  return {configDir: join(root, 'patroni'), env, root, servers}
}
