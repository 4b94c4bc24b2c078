import {describe, expect, it} from 'vitest'

import {renderAligned, renderFramedTable, renderJson, renderTsv} from '../../../src/lib/output/printer.js'

describe('render', () => {
  const columns = [
    {key: 'member', title: 'Member'},
    {key: 'state', title: 'State'},
  ]
  const rows = [{member: 'node\u001B[2J1', state: 'running\u0007\u009B'}]

  it('never sends control characters from names or states to the terminal', () => {
    for (const text of [
      renderAligned(columns, rows),
      renderTsv(columns, rows),
      renderFramedTable({columns, rows, title: 'Cluster: \u001B]0;pwned\u0007x'}),
    ]) {
      expect(text).not.toMatch(/[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/) // tsv's tabs are its own
      expect(text).toContain('node\\x1b[2J1')
      expect(text).toContain('running\\x07\\x9b')
    }
    expect(renderFramedTable({columns, rows, title: 'Cluster: \u001B]0;pwned\u0007x'})).toMatch(
      /^\+ Cluster: \\x1b\]0;pwned\\x07x /,
    )
  })

  it('keeps JSON exact: control characters are escaped by JSON itself', () => {
    expect(renderJson(rows)).toBe('[{"member":"node\\u001b[2J1","state":"running\\u0007\u009B"}]')
  })
})
