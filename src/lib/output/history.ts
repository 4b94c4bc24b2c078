import {RestError} from '../rest/client.js'
import {type Column, type OutputFormat, renderAs, renderFramedTable, renderTsv} from './printer.js'

/** One timeline switch, keyed as `patronictl history -f json` keys it. */
export interface HistoryRecord {
  TL: number | string
  LSN: number | string
  Reason: string
  Timestamp: string
  'New Leader': string
}

const HISTORY_COLUMNS: Column[] = [
  {align: 'right', key: 'TL', title: 'TL'},
  {align: 'right', key: 'LSN', title: 'LSN'},
  {key: 'Reason', title: 'Reason'},
  {key: 'Timestamp', title: 'Timestamp'},
  {key: 'New Leader', title: 'New Leader'},
]

/**
 * GET /history is `[[tl, lsn, reason, timestamp?, new_leader?], ...]`; lines written before
 * Patroni recorded the timestamp or the new leader are padded with '' as patronictl pads them.
 */
export function historyRecords(raw: unknown, endpoint: string): HistoryRecord[] {
  if (!Array.isArray(raw) || !raw.every(Array.isArray)) {
    throw new RestError('malformed', endpoint, 'malformed answer to GET /history (not a list of lists)')
  }
  return (raw as unknown[][]).map((line) => {
    const [tl, lsn, reason, timestamp, leader] = line.map((v) =>
      typeof v === 'number' || typeof v === 'string' ? v : v === null || v === undefined ? '' : JSON.stringify(v),
    )
    return {
      LSN: lsn ?? '',
      'New Leader': String(leader ?? ''),
      Reason: String(reason ?? ''),
      TL: tl ?? '',
      Timestamp: String(timestamp ?? ''),
    }
  })
}

/** Every key always present, even empty: the same as patronictl, stable for scripts. */
export async function renderHistory(records: HistoryRecord[], format: OutputFormat): Promise<string> {
  const ordered = records.map((r) => ({
    TL: r.TL,
    LSN: r.LSN,
    Reason: r.Reason,
    Timestamp: r.Timestamp,
    'New Leader': r['New Leader'],
  }))
  return renderAs(format, ordered, {
    pretty: () => renderFramedTable({columns: HISTORY_COLUMNS, rows: ordered}),
    tsv: () => renderTsv(HISTORY_COLUMNS, ordered),
  })
}
