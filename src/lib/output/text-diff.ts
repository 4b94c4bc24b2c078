/** A unified diff of two short texts (a Patroni config is tens of lines: plain LCS will do). */
export function unifiedDiff(before: string, after: string, labels: [string, string], context = 3): string {
  const a = before.split('\n')
  const b = after.split('\n')
  const lcs: number[][] = Array.from({length: a.length + 1}, () => new Array<number>(b.length + 1).fill(0))
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--)
      lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!)
  }
  const ops: {kind: ' ' | '+' | '-'; line: string; ai: number; bi: number}[] = []
  let i = 0
  let j = 0
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) ops.push({ai: i++, bi: j++, kind: ' ', line: a[i - 1]!})
    else if (i < a.length && (j >= b.length || lcs[i + 1]![j]! >= lcs[i]![j + 1]!))
      ops.push({ai: i++, bi: j, kind: '-', line: a[i - 1]!})
    else ops.push({ai: i, bi: j++, kind: '+', line: b[j - 1]!})
  }
  const out = [`--- ${labels[0]}`, `+++ ${labels[1]}`]
  const changed = ops.map((op, k) => (op.kind === ' ' ? -1 : k)).filter((k) => k >= 0)
  let k = 0
  while (k < changed.length) {
    const start = Math.max(0, changed[k]! - context)
    let end = Math.min(ops.length, changed[k]! + context + 1)
    while (k + 1 < changed.length && changed[k + 1]! - context <= end)
      end = Math.min(ops.length, changed[++k]! + context + 1)
    k++
    const hunk = ops.slice(start, end)
    const aCount = hunk.filter((op) => op.kind !== '+').length
    const bCount = hunk.filter((op) => op.kind !== '-').length
    out.push(
      `@@ -${hunk[0]!.ai + 1},${aCount} +${hunk[0]!.bi + 1},${bCount} @@`,
      ...hunk.map((op) => `${op.kind}${op.line}`),
    )
  }
  return out.join('\n')
}
