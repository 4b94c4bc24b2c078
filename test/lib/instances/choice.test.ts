import {afterEach, describe, expect, it} from 'vitest'

import {ExitCode} from '../../../src/lib/errors.js'
import {chooseInstance} from '../../../src/lib/instances/choice.js'
import {Prompter} from '../../../src/lib/prompt/prompt.js'
import {HostTree} from '../../helpers/host-tree.js'

describe('chooseInstance', () => {
  let tree: HostTree
  afterEach(() => tree?.remove())
  const options = {timeoutMs: 1000, warn: () => {}}
  const noPrompt = new Prompter(false)

  it('takes the name given, then $PGCLUSTER, and says which one was wrong', async () => {
    tree = new HostTree()
    const file = tree.patroniConfig('15-main', 'scope: 15-main\n')
    expect(await chooseInstance({name: '15/main'}, tree.paths, options, noPrompt, {PGCLUSTER: '16/x'})).toEqual({
      configFile: file,
      label: '15/main',
    })
    expect(await chooseInstance({}, tree.paths, options, noPrompt, {PGCLUSTER: '15-main'})).toEqual({
      configFile: file,
      label: '15/main',
    })
    await expect(chooseInstance({}, tree.paths, options, noPrompt, {PGCLUSTER: 'garbage'})).rejects.toMatchObject({
      exitCode: ExitCode.usage,
      message: expect.stringMatching(/^\$PGCLUSTER: invalid instance name "garbage"/),
    })
  })

  it('with -c, the word after the command is always a cluster (as patronictl), never a member; an instance name is refused', async () => {
    tree = new HostTree()
    const file = tree.patroniConfig('15-main', 'scope: 15-main\n')
    // `-c 15-main.yml restart node2` is the cluster node2 for patronictl: never member node2 of 15-main
    expect(await chooseInstance({configFile: file, name: 'node2'}, tree.paths, options, noPrompt, {})).toEqual({
      configFile: file,
      label: 'node2',
      via: {scope: 'node2'},
    })
    await expect(
      chooseInstance({configFile: file, name: '15/other'}, tree.paths, options, noPrompt),
    ).rejects.toMatchObject({
      exitCode: ExitCode.usage,
      message: 'give an instance (15/other) or -c FILE, not both',
    })
  })

  it("with -c, takes the config's own scope, or reaches another scope through the config's DCS (as patronictl)", async () => {
    tree = new HostTree()
    const file = tree.patroniConfig('15-main', 'scope: 15-main\n')
    const choose = (name: string) => chooseInstance({configFile: file, name}, tree.paths, options, noPrompt, {})
    expect(await choose('15-main')).toEqual({configFile: file, label: file})
    const other = {configFile: file, label: '15-reporting', via: {scope: '15-reporting'}}
    expect(await choose('15-reporting')).toEqual(other)
    expect(await choose('batman')).toEqual({...other, label: 'batman', via: {scope: 'batman'}})
    await expect(choose('a/../b')).rejects.toMatchObject({exitCode: ExitCode.usage})
    // patronictl.yaml with only a DCS: the cluster must be named
    const dcsOnly = tree.patroniConfig('ctl', 'etcd3:\n  hosts: 127.0.0.1:1\n')
    const named = await chooseInstance({configFile: dcsOnly, name: '15-x'}, tree.paths, options, noPrompt, {})
    expect(named).toEqual({configFile: dcsOnly, label: '15-x', via: {scope: '15-x'}})
    await expect(chooseInstance({configFile: dcsOnly}, tree.paths, options, noPrompt, {})).rejects.toMatchObject({
      exitCode: ExitCode.usage,
      message: `${dcsOnly} has no scope: name the cluster after the command (e.g. 15-main)`,
    })
  })

  it('takes $PATRONICTL_CONFIG_FILE when no instance is named, and an instance name over it', async () => {
    tree = new HostTree()
    const file = tree.patroniConfig('15-main', 'scope: 15-main\n')
    const other = tree.patroniConfig('15-other', 'scope: 15-other\n')
    const env = {PATRONICTL_CONFIG_FILE: file}
    expect(await chooseInstance({}, tree.paths, options, noPrompt, env)).toEqual({configFile: file, label: file})
    expect(await chooseInstance({name: '15-other'}, tree.paths, options, noPrompt, env)).toEqual({
      configFile: other,
      label: '15/other',
    })
    expect(await chooseInstance({configFile: other}, tree.paths, options, noPrompt, env)).toEqual({
      configFile: other,
      label: other,
    })
  })

  it('with -d, names the cluster by its scope (15/main is 15-main), else by the scope of -c', async () => {
    tree = new HostTree()
    const file = tree.patroniConfig('15-main', 'scope: 15-main\n')
    const dcsUrl = 'etcd3://127.0.0.1:1'
    expect(await chooseInstance({dcsUrl, name: '15/main'}, tree.paths, options, noPrompt, {})).toEqual({
      configFile: '',
      label: '15-main',
      via: {dcsUrl, scope: '15-main'},
    })
    expect(await chooseInstance({configFile: file, dcsUrl}, tree.paths, options, noPrompt, {})).toEqual({
      configFile: file,
      label: '15-main',
      via: {dcsUrl, scope: '15-main'},
    })
    await expect(chooseInstance({dcsUrl}, tree.paths, options, noPrompt, {})).rejects.toMatchObject({
      exitCode: ExitCode.usage,
      message: expect.stringMatching(/^-d\/--dcs-url reaches a cluster by its scope: name it/),
    })
  })
})
