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

  it('with -c, takes member names after the command but refuses an instance name', async () => {
    tree = new HostTree()
    const file = tree.patroniConfig('15-main', 'scope: 15-main\n')
    expect(await chooseInstance({configFile: file, name: 'node2'}, tree.paths, options, noPrompt)).toEqual({
      configFile: file,
      label: file,
    })
    await expect(
      chooseInstance({configFile: file, name: '15/other'}, tree.paths, options, noPrompt),
    ).rejects.toMatchObject({
      exitCode: ExitCode.usage,
      message: 'give an instance (15/other) or -c FILE, not both',
    })
  })
})
