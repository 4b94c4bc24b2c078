/** One CSV field as psql --csv printed it: `quoted` tells `""` (an empty string) from an empty field. */
export interface CsvField {
  text: string
  quoted: boolean
}

/** RFC 4180 records (psql --csv): fields in double quotes may hold commas, quotes ("") and line breaks. */
export function parseCsv(text: string): CsvField[][] {
  const records: CsvField[][] = []
  let record: CsvField[] = []
  let i = 0
  const n = text.length
  while (i < n) {
    let field: CsvField
    if (text[i] === '"') {
      let value = ''
      i++
      for (;;) {
        const close = text.indexOf('"', i)
        if (close < 0) throw new Error('psql printed an unterminated quoted CSV field')
        value += text.slice(i, close)
        if (text[close + 1] === '"') {
          value += '"'
          i = close + 2
        } else {
          i = close + 1
          break
        }
      }
      field = {quoted: true, text: value}
    } else {
      let end = i
      while (end < n && text[end] !== ',' && text[end] !== '\n' && text[end] !== '\r') end++
      field = {quoted: false, text: text.slice(i, end)}
      i = end
    }
    record.push(field)
    if (text[i] === ',') {
      i++
      continue
    }
    if (text[i] === '\r') i++
    if (text[i] === '\n') i++
    records.push(record)
    record = []
  }
  return records
}
