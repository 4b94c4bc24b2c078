import {describe, expect, it} from 'vitest'

import {configPatch, mergePatch, settingsPatch} from '../../../src/lib/operations/config-patch.js'
import {unifiedDiff} from '../../../src/lib/output/text-diff.js'

const yamlish = (text: string): unknown => (text === 'null' ? null : /^\d+$/.test(text) ? Number(text) : text)

describe('config patches', () => {
  const current = {
    loop_wait: 10,
    postgresql: {parameters: {max_connections: 100, work_mem: '4MB'}, use_slots: true},
    ttl: 30,
  }

  it('merges as PATCH /config does: recursive, null deletes', () => {
    expect(mergePatch(current, {postgresql: {parameters: {work_mem: null}}, ttl: 25})).toEqual({
      loop_wait: 10,
      postgresql: {parameters: {max_connections: 100}, use_slots: true},
      ttl: 25,
    })
  })

  it('sends only what changed, null for what was removed', () => {
    const edited = {loop_wait: 10, postgresql: {parameters: {max_connections: 200}, use_slots: true}, retry_timeout: 10}
    expect(configPatch(current, edited)).toEqual({
      postgresql: {parameters: {max_connections: 200, work_mem: null}},
      retry_timeout: 10,
      ttl: null,
    })
    expect(configPatch(current, structuredClone(current))).toEqual({})
  })

  it('reads --set paths and --pg names, dots in parameter names included', () => {
    expect(
      settingsPatch(
        ['ttl=25', 'postgresql.parameters.auto_explain.log_min_duration=100', 'loop_wait=null'],
        ['work_mem=null'],
        yamlish,
      ),
    ).toEqual({
      loop_wait: null,
      postgresql: {parameters: {'auto_explain.log_min_duration': 100, work_mem: null}},
      ttl: 25,
    })
  })

  it.each(['ttl', '=5', 'a..b=1'])('refuses --set %s (exit 2)', (text) => {
    expect(() => settingsPatch([text], [], yamlish)).toThrow(expect.objectContaining({exitCode: 2}))
  })
})

describe('unifiedDiff', () => {
  it('shows removed lines before added ones, with context and hunk headers', () => {
    const before = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'].join('\n')
    const after = ['a', 'b', 'c', 'D', 'e', 'f', 'g', 'h', 'i', 'j'].join('\n')
    expect(unifiedDiff(before, after, ['old', 'new'], 1)).toBe(
      ['--- old', '+++ new', '@@ -3,3 +3,3 @@', ' c', '-d', '+D', ' e', '@@ -9,1 +9,2 @@', ' i', '+j'].join('\n'),
    )
  })
})
