import {describe, expect, it} from 'vitest'

import {historyRecords, renderHistory} from '../../../src/lib/output/history.js'

const raw = [
  [1, 24392648, 'no recovery target specified', '2023-09-11T22:11:27.125527+00:00', 'postgresql0'],
  [2, 50331808, 'no recovery target specified'], // written before Patroni recorded time and leader
]

describe('history (patronictl history)', () => {
  it('draws patronictl pretty table, TL and LSN right-aligned, short lines padded', async () => {
    expect(await renderHistory(historyRecords(raw, 'x'), 'pretty')).toBe(
      [
        '+----+----------+------------------------------+----------------------------------+-------------+',
        '| TL |      LSN | Reason                       | Timestamp                        | New Leader  |',
        '+----+----------+------------------------------+----------------------------------+-------------+',
        '|  1 | 24392648 | no recovery target specified | 2023-09-11T22:11:27.125527+00:00 | postgresql0 |',
        '|  2 | 50331808 | no recovery target specified |                                  |             |',
        '+----+----------+------------------------------+----------------------------------+-------------+',
      ].join('\n'),
    )
  })

  it('keeps every key in json (numbers as numbers), tsv and yaml', async () => {
    const records = historyRecords(raw, 'x')
    expect(JSON.parse(await renderHistory(records, 'json'))).toEqual([
      {
        LSN: 24392648,
        'New Leader': 'postgresql0',
        Reason: 'no recovery target specified',
        TL: 1,
        Timestamp: '2023-09-11T22:11:27.125527+00:00',
      },
      {LSN: 50331808, 'New Leader': '', Reason: 'no recovery target specified', TL: 2, Timestamp: ''},
    ])
    expect(Object.keys(JSON.parse(await renderHistory(records, 'json'))[0])).toEqual([
      'TL',
      'LSN',
      'Reason',
      'Timestamp',
      'New Leader',
    ])
    expect((await renderHistory(records, 'tsv')).split('\n')).toEqual([
      'TL\tLSN\tReason\tTimestamp\tNew Leader',
      '1\t24392648\tno recovery target specified\t2023-09-11T22:11:27.125527+00:00\tpostgresql0',
      '2\t50331808\tno recovery target specified\t\t',
    ])
    expect(await renderHistory(records, 'yaml')).toMatch(/^- TL: 1\n {2}LSN: 24392648\n/)
    expect(await renderHistory([], 'json')).toBe('[]')
  })

  it('refuses an answer that is not a list of lists', () => {
    expect(() => historyRecords({history: []}, '127.0.0.1:58008')).toThrow(
      '127.0.0.1:58008: malformed answer to GET /history',
    )
    expect(() => historyRecords([1, 2], '127.0.0.1:58008')).toThrow(/malformed/)
  })
})
