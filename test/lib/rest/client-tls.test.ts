import {execFileSync} from 'node:child_process'
import {rmSync, writeFileSync} from 'node:fs'
import {type Server, createServer} from 'node:https'
import type {AddressInfo} from 'node:net'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {PatroniClient, RestError} from '../../../src/lib/rest/client.js'
import {selfSignedCert} from '../../helpers/tls.js'

// A REST API with a self-signed certificate for 127.0.0.1, as `restapi.certfile` gives Patroni.
describe('PatroniClient over https', () => {
  let dir: string
  let server: Server
  let baseUrl: string
  beforeAll(async () => {
    const tls = selfSignedCert('pgpt-tls-')
    dir = tls.dir
    server = createServer({cert: tls.cert, key: tls.key}, (_, res) => {
      res.setHeader('content-type', 'application/json')
      res.end('{"members": []}')
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    baseUrl = `https://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  afterAll(() => {
    server.close()
    rmSync(dir, {force: true, recursive: true})
  })

  const get = async (tls: {caFile?: string; insecure: boolean}) => {
    const client = await PatroniClient.create({baseUrl, tls}, {timeoutMs: 3000})
    try {
      return await client.getJson<{members: unknown[]}>('/cluster')
    } catch (error) {
      return error as RestError
    } finally {
      await client.close()
    }
  }

  it('verifies the certificate against ctl.cacert', async () => {
    expect(await get({caFile: join(dir, 'cert.pem'), insecure: false})).toEqual({members: []})
  })

  it('refuses an unknown certificate with a TLS error (exit 4) that says what to do', async () => {
    const error = await get({insecure: false})
    expect(error).toBeInstanceOf(RestError)
    expect(error).toMatchObject({exitCode: 4, kind: 'tls'})
    expect((error as RestError).message).toMatch(
      /^127\.0\.0\.1:\d+: TLS error: \w+ \(set ctl\.cacert, or use --insecure to skip verification\)$/,
    )
  })

  it('skips verification with --insecure', async () => {
    expect(await get({insecure: true})).toEqual({members: []})
  })

  it('says which TLS file is unusable, as a config error (exit 3), before any request', async () => {
    const file = (name: string, text: string) => (writeFileSync(join(dir, name), text), join(dir, name))
    execFileSync(
      'openssl',
      [
        'genpkey',
        '-algorithm',
        'RSA',
        '-pkeyopt',
        'rsa_keygen_bits:2048',
        '-aes-128-cbc',
        '-pass',
        'pass:right-key-pw',
        '-out',
        join(dir, 'enc.pem'),
      ],
      {stdio: 'ignore'},
    )
    const open = (tls: Parameters<typeof PatroniClient.create>[0]['tls']) =>
      PatroniClient.create({baseUrl, tls}, {timeoutMs: 3000}).then(
        (client) => (client.close(), expect.unreachable('should fail')),
        (error: unknown) => error as Error & {exitCode: number},
      )
    const cert = join(dir, 'cert.pem')
    const wrong = await open({
      certFile: cert,
      insecure: false,
      keyFile: join(dir, 'enc.pem'),
      keyPassphrase: 'wrong-key-pw',
    })
    expect(wrong).toMatchObject({
      exitCode: 3,
      message: `cannot decrypt the TLS key ${join(dir, 'enc.pem')} (wrong or missing keyfile_password)`,
    })
    expect(wrong.message).not.toContain('wrong-key-pw')
    const mismatch = await open({
      certFile: cert,
      insecure: false,
      keyFile: join(dir, 'enc.pem'),
      keyPassphrase: 'right-key-pw',
    })
    expect(mismatch).toMatchObject({
      exitCode: 3,
      message: expect.stringMatching(/^the TLS certificate and key do not belong together: /),
    })
    const garbageCa = await open({caFile: file('ca.pem', 'not a certificate\n'), insecure: false})
    expect(garbageCa).toMatchObject({
      exitCode: 3,
      message: `${join(dir, 'ca.pem')} holds no PEM certificate (a CA file)`,
    })
    const garbageKey = await open({certFile: cert, insecure: false, keyFile: file('bad-key.pem', 'garbage\n')})
    expect(garbageKey).toMatchObject({
      exitCode: 3,
      message: expect.stringMatching(/^unusable TLS certificate or key: /),
    })
  })
})
