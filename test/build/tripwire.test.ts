import {spawn} from 'node:child_process'
import {afterEach, describe, expect, it} from 'vitest'

import {freePort} from '../helpers/fake-patroni.js'
import {RUN_MARK, tripwire} from '../helpers/global-setup.js'

// The tripwire that guards a real host's ports during `npm test` (test/helpers/global-setup.ts),
// tried on a free port: it must count this run's connections and only those.
describe('tripwire', () => {
  const closing: (() => void)[] = []
  afterEach(() => closing.splice(0).forEach((close) => close()))

  const connectFrom = (port: number, env: NodeJS.ProcessEnv) =>
    new Promise<void>((resolve) => {
      const script = `const s = require('node:net').connect(${port}, '127.0.0.1', () => s.write('GET /cluster HTTP/1.1\\r\\n\\r\\n')); s.on('close', () => process.exit(0)); s.on('error', () => process.exit(0))`
      spawn(process.execPath, ['-e', script], {env, stdio: 'ignore'}).on('exit', () => resolve())
    })

  it("records what a process of this run sent, and ignores another run's process", async () => {
    const port = await freePort()
    const hits: string[] = []
    const server = await tripwire('127.0.0.1', port, 'run-a', (line) => hits.push(line))
    expect(server).toBeDefined()
    closing.push(() => server!.close())
    await connectFrom(port, {...process.env, [RUN_MARK]: 'run-b'})
    await connectFrom(port, {...process.env, [RUN_MARK]: 'run-a'})
    await new Promise((r) => setTimeout(r, 200))
    expect(hits).toHaveLength(1)
    expect(hits[0]).toMatch(
      new RegExp(`127\\.0\\.0\\.1:${port} <- 127\\.0\\.0\\.1:\\d+ \\(pid \\d+\\) "GET /cluster HTTP/1\\.1"$`),
    )
  })

  it('leaves a port that is in use alone', async () => {
    const port = await freePort()
    const first = await tripwire('127.0.0.1', port, 'x', () => {})
    closing.push(() => first!.close())
    expect(await tripwire('127.0.0.1', port, 'x', () => {})).toBeUndefined()
  })
})
