import Table from 'cli-table3'
import {describe, expect, it} from 'vitest'

import {renderClusters} from '../../../src/lib/list/views.js'
import {normaliseCluster} from '../../../src/lib/rest/cluster.js'
import {ASCII_FRAME, type Column, type Row, renderAligned, renderFramedTable} from '../../../src/lib/output/printer.js'

// cli-table3 in one table for all rows, the way render.ts once used it: the reference for the output
function cliTable3(columns: Column[], rows: Row[]): string {
  const multiLine = rows.some((row) => Object.values(row).some((v) => typeof v === 'string' && v.includes('\n')))
  const grid = new Table({
    chars: ASCII_FRAME,
    colAligns: columns.map((c) => c.align ?? 'left'),
    head: columns.map((c) => c.title),
    style: {border: [], compact: !multiLine, head: []},
  })
  for (const row of rows) grid.push(columns.map((c) => (row[c.key] === undefined ? '' : String(row[c.key]))))
  return grid.toString()
}

describe('framed table', () => {
  const columns: Column[] = [
    {key: 'Member', title: 'Member'},
    {key: 'Host', title: 'Host'},
    {align: 'right', key: 'TL', title: 'TL'},
    {key: 'Tags', title: 'Tags'},
  ]
  const cases: Record<string, Row[]> = {
    'no rows': [],
    'one row': [{Host: '10.0.0.1', Member: 'node1', TL: 3}],
    'empty cells': [{Member: 'node1'}, {Host: '', Member: '', TL: 0}],
    'multi-line cells (rules between rows)': [
      {Host: 'a', Member: 'node1', Tags: 'nofailover: true\nclonefrom: false'},
      {Host: 'bb', Member: 'node2', TL: 12},
      {Member: 'node3', Tags: 'x: 1\ny: 2\nz: 3'},
    ],
    'wide and combining characters': [
      {Host: '数据库-主机', Member: 'noe\u0301ud', TL: 7},
      {Host: 'h', Member: '😀 emoji', TL: 10},
    ],
    'values wider than titles': [{Host: 'a-very-long-host-name.example.org', Member: 'm', TL: 123_456, Tags: 'k: v'}],
  }
  for (const [name, rows] of Object.entries(cases)) {
    it(`draws what cli-table3 drew: ${name}`, () => {
      expect(renderFramedTable({columns, rows})).toBe(cliTable3(columns, rows))
    })
  }

  it('writes the title over the top border', () => {
    const text = renderFramedTable({
      columns,
      rows: cases['one row']!,
      title: 'Cluster: 15-main (7712)',
      footer: [' Maintenance mode: on'],
    })
    expect(text.split('\n')[0]).toBe('+ Cluster: 15-main (7712) ------+')
    expect(text.split('\n').at(-1)).toBe(' Maintenance mode: on')
  })

  // one cli-table3 table took ~29 s for 20,000 rows (each cell compared with every row above it);
  // in tables of 50 rows its cost per row is what remains (~0.1 ms)
  it('renders a /cluster of 20,000 members in linear time, with cli-table3', async () => {
    const members = (n: number) =>
      Array.from({length: n}, (_, i) => ({
        api_url: 'http://10.0.0.1:8008/patroni',
        host: `10.0.${i >> 8}.${i & 255}`,
        lag: i === 0 ? undefined : i,
        name: `node${i}`,
        port: 5432,
        role: i === 0 ? 'leader' : 'replica',
        state: 'running',
        timeline: 3,
      }))
    const time = async (n: number) => {
      const cluster = normaliseCluster({members: members(n)}, '15-main', 'http://x:1')
      const started = performance.now()
      const text = await renderClusters([{cluster}], 'pretty', true)
      expect(text.split('\n')).toHaveLength(n + 4)
      return performance.now() - started
    }
    await time(2000) // warm up
    const best = async (n: number) => Math.min(await time(n), await time(n), await time(n)) // a busy machine's hiccups out
    const [small, large] = [await best(2000), await best(20_000)]
    expect(large).toBeLessThan(20_000) // quadratic took ~29 s; linear ~2 s, up to ~9 s on a loaded machine
    expect(large / small).toBeLessThan(30) // 10x the rows: ~10x the time (quadratic: ~100x)
  })
})

describe('aligned table', () => {
  it('handles 200,000 rows (no argument spread over all rows)', () => {
    const rows = Array.from({length: 200_000}, (_, i) => ({a: `row${i}`}))
    expect(renderAligned([{key: 'a', title: 'A'}], rows).split('\n')).toHaveLength(200_001)
  })
})
