import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {ExitCode} from '../../../src/lib/errors.js'
import {
  listInstanceConfigFiles,
  loadPatroniConfig,
  reachableListenAddress,
  resolveConfigDir,
} from '../../../src/lib/config/patroni-config.js'
import {HostTree, debianYaml} from '../../helpers/host-tree.js'

describe('Patroni config', () => {
  let tree: HostTree
  beforeEach(() => (tree = new HostTree()))
  afterEach(() => tree.remove())

  const load = (extra: string, env: NodeJS.ProcessEnv = {}, insecure = false) =>
    loadPatroniConfig(tree.patroniConfig('15-main', debianYaml('15', 'main', 58008, extra)), {env, insecure})

  it('reads scope, namespace, member name and the REST address', async () => {
    const config = await load('')
    expect(config).toMatchObject({memberName: 'node1', namespace: '/pgpt-test/', scope: '15-main'})
    expect(config.rest).toEqual({baseUrl: 'http://127.0.0.1:58008'})
  })

  it("knows this host's PostgreSQL socket: unix_socket_directories (Debian's default when unset) and the listen port", async () => {
    const socket = async (parameters: string) =>
      (await loadPatroniConfig(tree.patroniConfig('15-main', debianYaml('15', 'main', 8008) + parameters))).pgSocket
    expect(await socket('')).toEqual({dir: '/var/run/postgresql', port: 5432})
    expect(await socket("  parameters:\n    unix_socket_directories: '/run/pg/, /tmp'\n")).toEqual({
      dir: '/run/pg',
      port: 5432,
    })
    expect(await socket("  parameters:\n    unix_socket_directories: ''\n")).toBeUndefined() // no sockets: TCP
    expect(await socket("  parameters:\n    unix_socket_directories: '@abstract'\n")).toBeUndefined()
  })

  it('a missing config directory is a host without Patroni, unless the user named it (then exit 3)', () => {
    expect(listInstanceConfigFiles('/nonexistent/patroni')).toEqual([])
    expect(() => listInstanceConfigFiles('/nonexistent/patroni', '--config-dir')).toThrow(
      expect.objectContaining({
        exitCode: ExitCode.config,
        message: '/nonexistent/patroni does not exist (--config-dir)',
      }),
    )
  })

  it('falls back to listen, mapping wildcards to loopback', () => {
    expect(reachableListenAddress('0.0.0.0:58008')).toBe('127.0.0.1:58008')
    expect(reachableListenAddress('*:58008')).toBe('127.0.0.1:58008')
    expect(reachableListenAddress(':58008')).toBe('127.0.0.1:58008')
    expect(reachableListenAddress('[::]:58008')).toBe('[::1]:58008')
    expect(reachableListenAddress('10.0.0.5:58008')).toBe('10.0.0.5:58008')
  })

  it.each([
    [
      'ctl.authentication',
      'ctl:\n  authentication:\n    username: u1\n    password: p1\n',
      {password: 'p1', username: 'u1'},
    ],
    ['ctl.auth', 'ctl:\n  auth: "u2:p:2"\n', {password: 'p:2', username: 'u2'}],
    [
      'restapi.authentication',
      '  authentication:\n    username: u3\n    password: p3\n',
      {password: 'p3', username: 'u3'},
    ],
    ['restapi.auth', '  auth: u4:p4\n', {password: 'p4', username: 'u4'}],
    [
      'numbers as strings',
      '  authentication:\n    username: admin\n    password: 12345\n',
      {password: '12345', username: 'admin'},
    ],
  ])('takes basic auth from %s', async (_, extra, auth) => {
    expect((await load(extra)).rest?.auth).toEqual(auth)
  })

  it('prefers ctl credentials over the REST API ones, and PATRONI_* env over the file', async () => {
    const extra =
      '  authentication:\n    username: rest\n    password: rest-pw\nctl:\n  authentication:\n    username: ctl\n    password: ctl-pw\n'
    expect((await load(extra)).rest?.auth?.username).toBe('ctl')
    const env = {PATRONI_CTL_PASSWORD: 'env-pw', PATRONI_CTL_USERNAME: 'env'}
    expect((await load(extra, env)).rest?.auth).toEqual({password: 'env-pw', username: 'env'})
    expect((await load('', {PATRONI_RESTAPI_PASSWORD: 'x', PATRONI_RESTAPI_USERNAME: 'y'})).rest?.auth).toEqual({
      password: 'x',
      username: 'y',
    })
  })

  it('uses https with the ctl CA and client certificate when the REST API has a certificate', async () => {
    const extra =
      '  certfile: /etc/ssl/server.pem\n  cafile: /etc/ssl/rest-ca.pem\nctl:\n  cacert: /etc/ssl/ca.pem\n  certfile: /etc/ssl/ctl.pem\n  keyfile: /etc/ssl/ctl.key\n  keyfile_password: secret\n  insecure: no\n'
    const config = await load(extra)
    expect(config.rest?.baseUrl).toBe('https://127.0.0.1:58008')
    expect(config.rest?.tls).toEqual({
      caFile: '/etc/ssl/ca.pem',
      certFile: '/etc/ssl/ctl.pem',
      insecure: false,
      keyFile: '/etc/ssl/ctl.key',
      keyPassphrase: 'secret',
    })
    expect((await load(extra, {}, true)).rest?.tls?.insecure).toBe(true)
    expect((await load(extra.replace('insecure: no', 'insecure: yes'))).rest?.tls?.insecure).toBe(true) // YAML 1.1, as PyYAML
  })

  it('presents the server certificate as client certificate only when verify_client asks (Patroni 3.0)', async () => {
    const base = '  certfile: /s.pem\n  keyfile: /s.key\n'
    expect((await load(base)).rest?.tls?.certFile).toBeUndefined()
    expect((await load(`${base}  verify_client: required\n`)).rest?.tls).toMatchObject({
      certFile: '/s.pem',
      keyFile: '/s.key',
    })
  })

  it.each([
    ['a bad indent', 'scope: x\nrestapi:\n  listen: 1\n   authentication: {password: hunter2}\n', 3],
    ['an unterminated quote', 'scope: x\nrestapi:\n  authentication:\n    password: "hunter2\n', 5],
    ['a tab', 'scope: x\nrestapi:\n\tpassword: hunter2\n', 3],
    ['a bad block scalar header', 'scope: x\nrestapi:\n  authentication:\n    password: |hunter2\n', 4],
    ['an unknown tag', 'scope: x\nrestapi:\n  authentication:\n    password: !a!hunter2\n', 4],
  ])('names the file and line of %s, never the content', async (_, text, line) => {
    const file = tree.patroniConfig('15-bad', text)
    const error = await loadPatroniConfig(file).catch((e: unknown) => e)
    expect(error).toMatchObject({exitCode: ExitCode.config})
    const {message} = error as Error
    expect(message.startsWith(`${file}:`)).toBe(true)
    expect(Number(message.slice(file.length + 1).split(':')[0])).toBeGreaterThanOrEqual(line)
    expect(message).toContain('invalid YAML')
    expect(message).not.toContain('hunter2')
    expect(message).not.toContain('\n')
  })

  it.each([
    ['an undefined alias', 'scope: x\nrestapi:\n  authentication:\n    password: *hunter2\n'],
    [
      'an alias bomb',
      `a: &a [hunter2, hunter2, hunter2, hunter2, hunter2, hunter2, hunter2, hunter2, hunter2]\n${Array.from(
        {length: 8},
        (_, i) =>
          `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(9)
            .fill(`*${String.fromCharCode(97 + i)}`)
            .join(', ')}]`,
      ).join('\n')}\n`,
    ],
  ])('refuses %s (exit 3), never quoting it', async (_, text) => {
    const file = tree.patroniConfig('15-alias', text)
    const error = await loadPatroniConfig(file).catch((e: unknown) => e)
    expect(error).toMatchObject({
      exitCode: ExitCode.config,
      message: `${file}: invalid YAML: an alias (*name) that is undefined or expands too far`,
    })
  })

  it.each([
    ['a list', '- a\n- b\n'],
    ['empty', ''],
    ['a scalar', 'just text\n'],
  ])('refuses a file that is %s', async (_, text) => {
    const file = tree.patroniConfig('15-x', text)
    await expect(loadPatroniConfig(file)).rejects.toMatchObject({
      exitCode: ExitCode.config,
      message: expect.stringContaining('not a Patroni configuration'),
    })
  })

  it('names the key that has the wrong type', async () => {
    const file = tree.patroniConfig('15-x', 'restapi:\n  listen: [a, b]\n')
    await expect(loadPatroniConfig(file)).rejects.toMatchObject({
      exitCode: ExitCode.config,
      message: `${file}: restapi.listen must be a string`,
    })
  })

  it('says when a file is missing', async () => {
    await expect(loadPatroniConfig('/nonexistent/15-main.yml')).rejects.toMatchObject({
      exitCode: ExitCode.config,
      message: '/nonexistent/15-main.yml does not exist',
    })
  })

  it.skipIf(process.getuid?.() === 0)('explains permission denied on a 0660 postgres file', async () => {
    const file = tree.patroniConfig('15-main', 'scope: x\n', 0o000)
    await expect(loadPatroniConfig(file)).rejects.toMatchObject({
      exitCode: ExitCode.config,
      message: expect.stringContaining('join the postgres group'),
    })
  })

  it('reports a config without REST address per instance instead of failing', async () => {
    const config = await loadPatroniConfig(tree.patroniConfig('15-x', 'scope: 15-x\n'))
    expect(config.rest).toBeUndefined()
    expect(config.restError).toMatch(/no restapi/)
  })

  it.each([
    ['listen', '127.0.0.1:99999'],
    ['listen', '127.0.0.1:abc'],
    ['listen', '::1:8008'],
    ['connect_address', 'patroni:addr-secret-pw@127.0.0.1:58008'],
    ['connect_address', 'http://127.0.0.1:58008'],
  ])('refuses restapi.%s %j as an address, without repeating it', async (key, value) => {
    const config = await loadPatroniConfig(tree.patroniConfig('15-x', `scope: 15-x\nrestapi:\n  ${key}: "${value}"\n`))
    expect(config.rest).toBeUndefined()
    expect(config.restError).toBe(
      `restapi.${key} is not HOST:PORT (a name, an IPv4 address or [IPv6], and a port 1-65535)`,
    )
  })

  it.each([
    ['node1.example.com:8008', 'http://node1.example.com:8008'],
    ['[::1]:8008', 'http://[::1]:8008'],
    ['10.0.0.1:08008', 'http://10.0.0.1:8008'],
  ])('accepts %j', async (address, baseUrl) => {
    const config = await loadPatroniConfig(
      tree.patroniConfig('15-x', `scope: 15-x\nrestapi:\n  connect_address: "${address}"\n`),
    )
    expect(config.rest?.baseUrl).toBe(baseUrl)
  })

  it('resolves the config dir: flag, then PGPATRONICTL_CONFIG_DIR, then /etc/patroni', () => {
    expect(resolveConfigDir('/a', {PGPATRONICTL_CONFIG_DIR: '/b'})).toBe('/a')
    expect(resolveConfigDir(undefined, {PGPATRONICTL_CONFIG_DIR: '/b'})).toBe('/b')
    expect(resolveConfigDir(undefined, {})).toBe('/etc/patroni')
  })
})
