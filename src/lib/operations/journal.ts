/**
 * What an operation has sent and what came of it, as it happens: every step is printed at once
 * (progress on a terminal and in logs), and an interruption (Ctrl-C, SIGTERM) can say exactly
 * what was changed, what may still change, and what was never started.
 */
export class OperationJournal {
  private readonly entries: {what: string; outcome?: string; state: 'confirmed' | 'failed' | 'sent'}[] = []
  private planned: string[] = []

  constructor(private readonly print: (line: string) => void) {}

  /** A line of progress, printed now. */
  step(line: string): void {
    this.print(line)
  }

  /** What is still to be done after the current step (a rolling restart's remaining members). */
  plan(items: string[]): void {
    this.planned = items
  }

  /** A request that changes something is about to go out (`planned`: the plan item it starts); returns its handle. */
  sending(what: string, planned?: string): number {
    this.planned = this.planned.filter((item) => item !== planned)
    return this.entries.push({state: 'sent', what}) - 1
  }

  /** Its outcome is known: it was carried out. */
  confirmed(handle: number, outcome: string): void {
    Object.assign(this.entries[handle]!, {outcome, state: 'confirmed'})
  }

  /** Its outcome is known: it was not carried out (refused, failed). */
  failed(handle: number, outcome: string): void {
    Object.assign(this.entries[handle]!, {outcome, state: 'failed'})
  }

  get sentAnything(): boolean {
    return this.entries.length > 0
  }

  /** The report when the user interrupts: nothing sent, or what was done and what may still happen. */
  interrupted(signal: string): string {
    const why = `interrupted (${signal})`
    if (!this.sentAnything) return `${why} before anything was sent: nothing was changed`
    const lines = [`${why}; what this run sent:`]
    for (const e of this.entries) {
      if (e.state === 'confirmed') lines.push(`  done: ${e.what}${e.outcome ? ` (${e.outcome})` : ''}`)
      else if (e.state === 'failed') lines.push(`  not done: ${e.what}${e.outcome ? ` (${e.outcome})` : ''}`)
      else lines.push(`  outcome unknown, may still happen: ${e.what}`)
    }
    if (this.planned.length > 0) lines.push(`  never sent: ${this.planned.join(', ')}`)
    return lines.join('\n')
  }
}
