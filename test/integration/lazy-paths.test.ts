import {chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {runCli} from '../helpers/cli.js'
import {freePort} from '../helpers/fake-patroni.js'
import {Terminal} from '../helpers/terminal.js'
import {announceSkip, testCluster, waitHealthy} from '../helpers/test-cluster.js'

const {cluster: lab, skip} = testCluster()
announceSkip('lazy paths of the shipped bundle against the real cluster', skip)

// Test what ships: the code behind lazy imports (node:tls with a CA, a client certificate and an
// encrypted key; node:child_process for the editor; the prompts chunk), run through
// bin/pgpatronictl.cjs as installed, with its V8 code cache and without it.
describe.skipIf(!lab)('lazy paths of bin/pgpatronictl.cjs on the real test cluster', () => {
  const {configDir, instances} = lab!
  const {ha, tls} = instances
  const tlsRest = tls.members.node1!.restPort
  let root: string
  const MODES = [
    ['with its code cache', {}],
    ['without a code cache', {PGPATRONICTL_NO_CODE_CACHE: '1'}],
  ] as const
  const dynamicConfig = async () =>
    (await (await fetch(`http://127.0.0.1:${ha.members.node1!.restPort}/config`)).json()) as Record<string, unknown>

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'pgpt-lazy-'))
    await waitHealthy(ha.members.node1!.restPort, 3)
  })
  afterAll(() => {
    Terminal.closeAll()
    rmSync(root, {force: true, recursive: true})
  })

  describe.each(MODES)('%s', (_, mode) => {
    // a cache of its own per mode: the first run writes the code cache, the second reads it
    const cache = mkdtempSync(join(tmpdir(), 'pgpt-lazy-cache-'))
    afterAll(() => rmSync(cache, {force: true, recursive: true}))
    const env = {...mode, XDG_CACHE_HOME: cache}
    const cli = (...args: string[]) => runCli([...args, '--config-dir', configDir], {env})

    it('lists the TLS instance (https, our CA, a client certificate with an encrypted key), twice', async () => {
      for (const run of [1, 2]) {
        const result = await cli('list', tls.name)
        expect(result.stderr, `run ${run}`).toBe('')
        expect(result.stdout, `run ${run}`).toMatch(/^\| node1 {2}\| 127\.0\.0\.1:25482 \| Leader \| running \|/m)
        expect(result.code).toBe(0)
      }
    })

    it('reloads over TLS (a POST with the client certificate), never printing the key passphrase', async () => {
      const result = await cli('reload', tls.name, '--force', '--debug')
      expect(result.stdout).toMatch(/^node1: reload scheduled$/m)
      expect(result.stderr).toMatch(new RegExp(`debug: POST https://127\\.0\\.0\\.1:${tlsRest}/reload -> 202`))
      expect(result.stdout + result.stderr).not.toContain(tls.keyPassword)
      expect(result.code).toBe(0)
    })

    it("reads the DCS (etcd3) when this host's REST API is dead, and proves the member it names", async () => {
      const file = join(root, `dcs-${Object.keys(mode).length}`, `${ha.scope}.yml`)
      mkdirSync(dirname(file), {recursive: true})
      const dead = await freePort()
      writeFileSync(
        file,
        readFileSync(ha.config, 'utf8').replaceAll(`127.0.0.1:${ha.members.node1!.restPort}`, `127.0.0.1:${dead}`),
      )
      const result = await runCli(['list', ha.name, '--config-dir', dirname(file), '-f', 'json', '--debug'], {env})
      expect(result.stderr).toContain(`debug: POST http://${lab!.etcd}/v3/kv/range -> 200`)
      expect(result.stderr).toMatch(
        new RegExp(
          `Warning: ${ha.name}: this host's REST API \\(127\\.0\\.0\\.1:${dead}\\) did not answer \\(connection refused\\); data from 127\\.0\\.0\\.1:280(08|09|10)\\n`,
        ),
      )
      expect(JSON.parse(result.stdout).map((r: {Member: string}) => r.Member)).toEqual(['node1', 'node2', 'node3'])
      expect(result.code).toBe(0)
    })

    it('edits the dynamic configuration in $EDITOR on a terminal, then asks before sending', async () => {
      const editor = join(root, `editor-${Object.keys(mode).length}.sh`)
      writeFileSync(editor, '#!/bin/sh\nsed -i "s/^loop_wait: 5$/loop_wait: 6/" "$1"\n')
      chmodSync(editor, 0o755)
      const term = Terminal.start(['edit-config', ha.name], {
        ...mode,
        EDITOR: editor,
        PGPATRONICTL_CONFIG_DIR: configDir,
        VISUAL: '',
      })
      try {
        const screen = await term.waitFor(/Apply these changes to cluster 15-pgpt_ha\?/)
        expect(screen).toMatch(/^-loop_wait: 5$/m)
        expect(screen).toMatch(/^\+loop_wait: 6$/m)
        term.type('y')
        term.keys('Enter')
        expect(await term.exitCode()).toBe(0)
        expect(term.screen()).toContain('configuration of 15-pgpt_ha changed')
        expect(await dynamicConfig()).toMatchObject({loop_wait: 6})
      } finally {
        term.close()
        expect((await cli('edit-config', ha.name, '--set', 'loop_wait=5', '--force')).code).toBe(0)
      }
    })

    it('asks which instance on a terminal, and Ctrl-C there changes nothing (exit 5)', async () => {
      const term = Terminal.start(['pause'], {...mode, PGPATRONICTL_CONFIG_DIR: configDir})
      try {
        await term.waitFor(/Which instance\?[\s\S]*15\/pgpt_tls +leader node1, 1\/1 running/)
        term.keys('C-c')
        expect(await term.exitCode()).toBe(5)
      } finally {
        term.close()
      }
      expect(await dynamicConfig()).not.toHaveProperty('pause')
    })
  })

  describe('TLS failures are one line with the right exit code', () => {
    const copy = (name: string, edit: (text: string) => string) => {
      const file = join(root, `${name}.yml`)
      writeFileSync(file, edit(readFileSync(tls.config, 'utf8')))
      return file
    }

    it('without a client certificate: Patroni closes the connection; the DCS is read instead, or exit 4, saying what to set', async () => {
      const noCert = (t: string) =>
        t
          .replace(/^ {2}certfile: .*client\.pem\n {2}keyfile: .*\n {2}keyfile_password: .*\n/m, '')
          .replace(/^ {2}verify_client: .*\n/m, '')
      // Patroni closes the connection after the handshake; depending on timing a client sees an
      // end, a reset, or a write to the closed socket (EPIPE): all are right
      const hint =
        '(connection closed before the answer was complete|connection reset|connection closed while sending); if its restapi\\.verify_client requires a client certificate, set ctl\\.certfile and ctl\\.keyfile'
      const quoted = (text: string) => text.replaceAll(/[.*+?^${}()|[\]\\]/g, '\\$&')
      // undici 6 leaves one such request in three unsettled, and the CLI then exited 0 having printed
      // nothing (src/lib/rest/deadline.ts): ten runs in a row all say what happened, the stalled
      // ones after --timeout
      const file = copy('nocert', noCert)
      for (let run = 1; run <= 10; run++) {
        const viaDcs = await runCli(['list', '-c', file, '--timeout', '3', '-f', 'json'])
        expect({run, stderr: viaDcs.stderr}).toMatchObject({
          run,
          stderr: expect.stringMatching(
            new RegExp(
              `^${quoted(`Warning: ${join(root, 'nocert.yml')}: this host's REST API (127.0.0.1:28058) did not answer (`)}(${hint}|no answer within 3s)${quoted(`); data from the DCS (etcd3 ${lab!.etcd})`)}\n$`,
            ),
          ),
        })
        expect(JSON.parse(viaDcs.stdout)).toHaveLength(1)
        expect(viaDcs.code).toBe(0)
      }
      const alone = await runCli([
        'list',
        '-c',
        copy('nocert-nodcs', (t) => noCert(t).replace(/^etcd3:\n( {2}.*\n)+/m, '')),
        '--timeout',
        '3',
      ])
      expect(alone.stderr).toMatch(
        new RegExp(
          `^${quoted(`Error: ${join(root, 'nocert-nodcs.yml')}: 127.0.0.1:28058: `)}(${hint}|no answer within 3s)${quoted('; no DCS fallback: no DCS section (etcd3, etcd, consul, ...) in the configuration')}\n$`,
        ),
      )
      expect(alone.code).toBe(4)
    }, 120_000)

    it('with a wrong key passphrase: a config error naming the key, not the passphrase (exit 3)', async () => {
      const file = copy('wrongpass', (t) =>
        t.replace(`keyfile_password: ${tls.keyPassword}`, 'keyfile_password: not-the-key-pass'),
      )
      const result = await runCli(['list', '-c', file])
      expect(result).toMatchObject({
        code: 3,
        stderr: `Error: ${file}: cannot decrypt the TLS key ${tls.keyFile} (wrong or missing keyfile_password)\n`,
      })
    })

    it('without the CA: verification fails (exit 4), --insecure skips it and still presents the certificate', async () => {
      const file = copy('noca', (t) => t.replace(/^ {2}cacert: .*\n/m, '').replace(/^ {2}cafile: .*\n/m, ''))
      const refused = await runCli(['list', '-c', file, '--timeout', '3'])
      expect(refused.stderr).toMatch(
        /^Error: .*noca\.yml: 127\.0\.0\.1:28058: TLS error: \w+ \(set ctl\.cacert, or use --insecure to skip verification\)\n$/,
      )
      expect(refused.code).toBe(4)
      const insecure = await runCli(['list', '-c', file, '--insecure'])
      expect(insecure.code).toBe(0)
      expect(insecure.stdout).toContain('| node1  | 127.0.0.1:25482 | Leader |')
    })
  })
})
