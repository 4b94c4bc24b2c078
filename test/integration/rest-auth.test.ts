import {describe, expect, it} from 'vitest'

import {PatroniClient, RestError} from '../../src/lib/rest/client.js'
import {loadPatroniConfig} from '../../src/lib/config/patroni-config.js'
import {announceSkip, testCluster} from '../helpers/test-cluster.js'

const {cluster: lab, skip} = testCluster()
announceSkip('REST basic auth against the real cluster', skip)

// POST /reload re-reads the YAML Patroni already runs with: harmless, and it needs auth.
describe.skipIf(!lab)('REST basic auth on the real 15/pgpt_auth', () => {
  const auth = lab!.instances.auth

  async function reloadAs(credentials: 'config' | 'wrong' | 'none') {
    const config = await loadPatroniConfig(auth.config)
    const access = {...config.rest!}
    if (credentials === 'wrong') access.auth = {password: 'not-the-password', username: auth.username}
    if (credentials === 'none') delete access.auth
    const client = await PatroniClient.create(access, {timeoutMs: 5000})
    try {
      return await client.request('POST', '/reload')
    } catch (error) {
      return error as RestError
    } finally {
      await client.close()
    }
  }

  it('reads the credentials from the config and is let in', async () => {
    const config = await loadPatroniConfig(auth.config)
    expect(config.rest?.auth).toEqual({password: auth.password, username: auth.username})
    expect(await reloadAs('config')).toMatchObject({status: 202})
  })

  it.each(['wrong', 'none'] as const)(
    'refuses a %s password with an auth error (exit 1), without echoing it',
    async (which) => {
      const error = await reloadAs(which)
      expect(error).toBeInstanceOf(RestError)
      expect(error).toMatchObject({exitCode: 1, kind: 'auth', status: 401})
      expect((error as RestError).message).toMatch(/^127\.0\.0\.1:\d+: 401 /)
      expect((error as RestError).message).not.toContain('not-the-password')
    },
  )
})
