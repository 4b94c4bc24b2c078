// npm run dev: the commands from src/ through tsx, for development (what ships is the bundle).
import {spawnSync} from 'node:child_process'
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, describe, expect, it} from 'vitest'

const root = join(import.meta.dirname, '..', '..')
const work = mkdtempSync(join(tmpdir(), 'pgpt-dev-'))
afterAll(() => rmSync(work, {force: true, recursive: true}))

const dev = (...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'bin/dev.js', ...args], {cwd: root, encoding: 'utf8'})

describe('bin/dev.js', () => {
  it('runs a command from the TypeScript sources, with the same errors and exit codes', () => {
    expect(dev('version')).toMatchObject({status: 0, stdout: expect.stringMatching(/^pgpatronictl version \d/)})
    // a config that is not YAML: file and line, exit 3, as from the bundle
    const configDir = join(work, 'patroni')
    mkdirSync(configDir)
    writeFileSync(join(configDir, '15-dev.yml'), 'scope: [unclosed\n')
    const broken = dev('list', '15/dev', '--config-dir', configDir)
    expect(broken.stderr).toMatch(/^Error: 15\/dev: .*\/15-dev\.yml:2:1: invalid YAML/)
    expect(broken.status).toBe(3)
  })
})
