/**
 * Runs `step` once, or every `seconds` until Ctrl-C (patronictl's -W / -w). Ctrl-C ends a
 * watch normally: it is how a watch is meant to stop.
 */
export async function repeatEvery(seconds: number | undefined, step: () => Promise<void>): Promise<void> {
  if (!seconds) return step()
  let stopped = false
  let wake: () => void = () => {}
  const stop = () => {
    stopped = true
    wake()
  }
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
  try {
    while (!stopped) {
      await step()
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, seconds * 1000)
        wake = () => {
          clearTimeout(timer)
          resolve()
        }
      })
    }
  } finally {
    process.off('SIGINT', stop)
    process.off('SIGTERM', stop)
  }
}

/** patronictl -t: local time as YYYY-MM-DD HH:MM:SS. */
export function timestampLine(now = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, '0')
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())} ${pad(now.getHours())}:${pad(now.getMinutes())}:${pad(now.getSeconds())}`
}
