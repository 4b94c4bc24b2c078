import {afterEach, describe, expect, it} from 'vitest'

import {ExitCode} from '../../../src/lib/errors.js'
import {remoteConfig, scopeOfWord} from '../../../src/lib/config/remote.js'
import {HostTree} from '../../helpers/host-tree.js'

describe('remoteConfig: a cluster by scope through a DCS', () => {
  let tree: HostTree | undefined
  afterEach(() => tree?.remove())

  it("-d alone: the URL's DCS and namespace, else $PATRONI_NAMESPACE, else Patroni's default; no REST address of this host", async () => {
    const config = await remoteConfig('', {dcsUrl: 'etcd3://127.0.0.1:1', scope: '15-x'}, {env: {}})
    expect(config).toEqual({
      dcs: {endpoints: ['http://127.0.0.1:1'], kind: 'etcd3'},
      file: 'etcd3://127.0.0.1:1',
      namespace: undefined,
      rest: {auth: undefined, baseUrl: '', tls: undefined},
      scope: '15-x',
    })
    const debian = await remoteConfig('', {dcsUrl: 'etcd3://127.0.0.1:1/postgresql-common/', scope: '15-x'}, {env: {}})
    expect(debian.namespace).toBe('/postgresql-common/')
    const fromEnv = await remoteConfig('', {dcsUrl: '127.0.0.1:1', scope: '15-x'}, {env: {PATRONI_NAMESPACE: '/ns/'}})
    expect(fromEnv.namespace).toBe('/ns/')
    const insecure = await remoteConfig('', {dcsUrl: '127.0.0.1:1', scope: 'x'}, {env: {}, insecure: true})
    expect(insecure.rest?.tls).toEqual({insecure: true})
  })

  it("-c with -d: the config's REST credentials and namespace, the URL's DCS; -c alone: the config's DCS", async () => {
    tree = new HostTree()
    const file = tree.patroniConfig(
      '15-main',
      'scope: 15-main\nnamespace: /mine/\nname: node1\netcd3:\n  hosts: 127.0.0.1:2\nrestapi:\n  connect_address: 127.0.0.1:3\n  authentication:\n    username: u\n    password: p\n',
    )
    const both = await remoteConfig(file, {dcsUrl: 'etcd3://127.0.0.1:1', scope: '15-other'}, {env: {}})
    expect(both).toMatchObject({
      dcs: {endpoints: ['http://127.0.0.1:1']},
      namespace: '/mine/',
      rest: {auth: {password: 'p', username: 'u'}, baseUrl: 'http://127.0.0.1:3'},
      scope: '15-other',
    })
    expect(both.memberName).toBeUndefined() // not this host's member
    const own = await remoteConfig(file, {scope: '15-other'}, {env: {}})
    expect(own.dcs?.endpoints).toEqual(['http://127.0.0.1:2'])
  })

  it('refuses a bad URL (usage) and a config without a DCS (config)', async () => {
    await expect(remoteConfig('', {dcsUrl: 'zookeeper://h:2181', scope: 'x'}, {env: {}})).rejects.toMatchObject({
      exitCode: ExitCode.usage,
      message: expect.stringMatching(/^--dcs-url: reading the DCS is supported for etcd3, etcd and consul/),
    })
    tree = new HostTree()
    const file = tree.patroniConfig('15-main', 'scope: 15-main\nrestapi:\n  connect_address: 127.0.0.1:3\n')
    await expect(remoteConfig(file, {scope: '15-other'}, {env: {}})).rejects.toMatchObject({
      exitCode: ExitCode.config,
      message: expect.stringContaining('cannot reach the cluster 15-other through it'),
    })
  })

  it('scopeOfWord: 15/main is 15-main; nothing that could leave the DCS prefix', () => {
    expect(scopeOfWord('15/main')).toBe('15-main')
    expect(scopeOfWord('batman')).toBe('batman')
    for (const bad of ['..', 'a/b', '', 'x y']) expect(() => scopeOfWord(bad)).toThrow(/invalid cluster name/)
  })
})
