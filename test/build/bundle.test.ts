// Guards the startup design without timing anything (timings: npm run bench):
// heavy libraries stay out of dist/cli.cjs, `--help` loads no lazy chunk, `list` loads them as
// separate files when it needs them, and the npm package ships every file the bin loads.
import {execFileSync, spawnSync} from 'node:child_process'
import {closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

const root = join(import.meta.dirname, '..', '..')
const dist = join(root, 'dist')
const bin = join(root, 'bin', 'pgpatronictl.cjs')
const CHUNKS = ['undici.cjs', 'yaml.cjs', 'prompts.cjs']
const HEAVY = /(^|\/)node_modules\/(undici|yaml|@inquirer\/[^/]+)\//

let work: string

beforeAll(() => {
  if (!existsSync(join(dist, 'meta.json')) || !existsSync(join(dist, 'cli.cjs'))) {
    execFileSync(process.execPath, ['scripts/build.mjs'], {cwd: root, stdio: 'inherit'})
  }
  work = mkdtempSync(join(tmpdir(), 'pgpt-bundle-'))
  // Records which of our dist files a run evaluated: whether through the code-cache loader or
  // plain require, each lands in require.cache.
  writeFileSync(
    join(work, 'record-loads.cjs'),
    `process.on('exit', () => require('node:fs').writeFileSync(process.env.PGPT_LOAD_LOG, JSON.stringify({builtins: process.moduleLoadList, files: Object.keys(require.cache)})))\n`,
  )
  // An instance whose REST API refuses connections: `list 15/x` parses its YAML, then asks.
  writeFileSync(
    join(work, '15-x.yml'),
    [
      'scope: "15-x"',
      'namespace: "/postgresql-common/"',
      'name: node1',
      'restapi:',
      '  listen: 127.0.0.1:1',
      '  connect_address: 127.0.0.1:1',
      '',
    ].join('\n'),
  )
})

afterAll(() => {
  if (work) rmSync(work, {force: true, recursive: true})
})

/** Our dist files (basenames) that a CLI run loaded. */
function distFilesLoaded(args: string[], env: NodeJS.ProcessEnv = {}): string[] {
  return loads(args, env).files
}

/** What a CLI run loaded: our dist files (basenames) and Node's built-in modules. */
function loads(args: string[], env: NodeJS.ProcessEnv = {}): {builtins: string[]; files: string[]; stderr: string} {
  const log = join(work, `loads-${Math.random().toString(36).slice(2)}.json`)
  const run = spawnSync(process.execPath, [bin, ...args], {
    encoding: 'utf8',
    env: {
      ...process.env,
      NO_COLOR: '1',
      NODE_OPTIONS: `--require ${join(work, 'record-loads.cjs')}`,
      PGPT_LOAD_LOG: log,
      XDG_CACHE_HOME: join(work, 'cache'),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 30_000,
  })
  const loaded: {builtins: string[]; files: string[]} = JSON.parse(readFileSync(log, 'utf8'))
  return {
    builtins: loaded.builtins.filter((m) => m.startsWith('NativeModule ')).map((m) => m.slice('NativeModule '.length)),
    files: loaded.files
      .filter((file) => file.startsWith(`${dist}/`))
      .map((file) => file.slice(dist.length + 1))
      .sort(),
    stderr: run.stderr,
  }
}

describe('startup bundle dist/cli.cjs', () => {
  it('contains no heavy library: undici, yaml and @inquirer/* are lazy chunks', () => {
    const meta = JSON.parse(readFileSync(join(dist, 'meta.json'), 'utf8'))
    const inputs = Object.keys(meta.outputs['dist/cli.cjs'].inputs)
    expect(inputs.length).toBeGreaterThan(10)
    expect(inputs.filter((input) => HEAVY.test(input))).toEqual([])
    expect(inputs.filter((input) => input.endsWith('prompt/widgets.ts'))).toEqual([])
    for (const chunk of CHUNKS) expect(existsSync(join(dist, chunk)), chunk).toBe(true)
  })

  it('is ASCII only, so V8 holds each source as one byte per character (the launcher reads latin1)', () => {
    for (const file of ['cli.cjs', ...CHUNKS]) {
      const nonAscii = readFileSync(join(dist, file), 'latin1').match(/[^\u0000-\u007f]/g) ?? []
      expect(nonAscii, file).toEqual([])
    }
  })

  it("the undici chunk holds undici's Agent and request API only (not fetch, WebSocket, ...: half the load time)", () => {
    const undici = readFileSync(join(dist, 'undici.cjs'), 'latin1')
    expect(undici).toContain('Agent')
    expect(undici).not.toContain('fetch failed') // the TypeError of undici's fetch()
  })

  it('contains no dynamic import(): the code-cache launcher runs it through vm.Script, which cannot serve one', () => {
    // import( as code, not inside a string or a longer name (oclif's messages mention "import()")
    const dynamicImport = /(^|[^\w$.'"`])import\s*\(/
    for (const file of ['cli.cjs', ...CHUNKS]) {
      const lines = readFileSync(join(dist, file), 'latin1').split('\n')
      expect(
        lines.filter((line) => dynamicImport.test(line)).map((line) => line.match(/.{0,60}import\s*\(.{0,40}/)?.[0]),
        file,
      ).toEqual([])
    }
  })

  it('keeps the @oclif/core startup patches (a patch that no longer applies fails the build)', () => {
    const source = readFileSync(join(dist, 'cli.cjs'), 'latin1')
    // index.js: the engines check is a plain comparison, not semver on every start
    expect(source).not.toMatch(/\ncheckNodeVersion\(\);/)
    const engines = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).engines.node as string
    expect(source).toContain(`want=[${engines.match(/\d+/g)!.join(',')}]`)
    expect(source).toContain(`"Node version must be ${engines} to use this CLI. Current node version: "`)
    const meta = JSON.parse(readFileSync(join(dist, 'meta.json'), 'utf8'))
    const inputs = Object.keys(meta.outputs['dist/cli.cjs'].inputs)
    // oclif's dependencies that scripts/build.mjs (LAZY_FOR_OCLIF) defers, and its stand-ins
    const deferred = ['clean-stack', 'cli-spinners', 'get-package-type', 'indent-string', 'lilconfig', 'minimatch']
    deferred.push('node:child_process', 'node:perf_hooks', 'node:readline', 'tinyglobby', 'wordwrap', 'wrap-ansi')
    expect(inputs).toEqual(
      expect.arrayContaining([
        ...deferred.map((name) => `lazy-dep:${name}`),
        'shim:ejs',
        'shim:string-width',
        'shim:wsl-utils',
      ]),
    )
    expect(inputs.filter((input) => input.includes('node_modules/semver/'))).toEqual([]) // only the Node check used it
    // oclif reads the command manifest the build wrote instead of computing it on every start
    expect(source).toContain('this.isRoot&&!dotfile?"dist/oclif.manifest.json"')
    const manifest = JSON.parse(readFileSync(join(dist, 'oclif.manifest.json'), 'utf8'))
    expect(manifest.version).toBe(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version)
    expect(Object.keys(manifest.commands)).toContain('list')
  })
})

describe('what a run loads', () => {
  for (const mode of ['code cache', 'plain require'] as const) {
    const env = mode === 'plain require' ? {PGPATRONICTL_NO_CODE_CACHE: '1'} : {}

    it(`--help loads the bundle only (${mode})`, () => {
      expect(distFilesLoaded(['--help'], env)).toEqual(['cli.cjs'])
      expect(distFilesLoaded(['list', '--help'], env)).toEqual(['cli.cjs'])
    })

    it(`list 15/x loads the yaml and undici chunks, as separate files, when it reaches them (${mode})`, () => {
      const loaded = distFilesLoaded(['list', '15/x', '--config-dir', work, '--timeout', '2'], env)
      expect(loaded).toEqual(['cli.cjs', 'undici.cjs', 'yaml.cjs'])
    })
  }
})

describe('oclif start-up work', () => {
  it('does not load node:child_process (the WSL probe is shimmed)', () => {
    for (const args of [['--help'], ['list', '15/x', '--config-dir', work, '--timeout', '2']]) {
      const {builtins} = loads(args)
      expect(builtins, args.join(' ')).toContain('fs') // the list is real
      expect(
        builtins.filter((m) => m === 'child_process'),
        args.join(' '),
      ).toEqual([])
    }
  })

  it("list 15/x makes its request without loading node:http2 (undici's HTTP/2 is off; the build serves its constants)", () => {
    const {builtins, stderr} = loads(['list', '15/x', '--config-dir', work, '--timeout', '2'])
    expect(stderr).toContain('connection refused') // it did make the request
    expect(builtins).toContain('net')
    expect(builtins.filter((m) => m.startsWith('http2'))).toEqual([])
  })

  it('does not look for user-installed oclif plugins (a broken one would only warn)', () => {
    const data = join(work, 'data')
    mkdirSync(join(data, 'pgpatronictl'), {recursive: true})
    writeFileSync(join(data, 'pgpatronictl', 'package.json'), '{ not json')
    const {stderr} = loads(['--help'], {XDG_DATA_HOME: data})
    expect(stderr).toBe('')
  })
})

describe('the bin', () => {
  it('ends in one line, exit 1, when the output cannot be written (a full disk), never with a stack or bundle source', () => {
    const full = openSync('/dev/full', 'w')
    try {
      const run = spawnSync(process.execPath, [bin, 'version'], {
        encoding: 'utf8',
        env: {...process.env, XDG_CACHE_HOME: join(work, 'cache')},
        stdio: ['ignore', full, 'pipe'],
        timeout: 30_000,
      })
      expect(run.stderr).toBe('Error: cannot write the output: ENOSPC\n')
      expect(run.status).toBe(1)
    } finally {
      closeSync(full)
    }
  })
})

describe('the code cache', () => {
  const run = (env: NodeJS.ProcessEnv) =>
    spawnSync(process.execPath, [bin, 'version'], {
      encoding: 'utf8',
      env: {...process.env, HOME: '', XDG_CACHE_HOME: '', ...env},
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 30_000,
    })

  it('never makes a home that does not exist (HOME=/nonexistent), and still runs', () => {
    const home = join(work, 'no-such-home')
    const result = run({HOME: home})
    expect(result.status).toBe(0)
    expect(existsSync(home)).toBe(false)
    const made = join(work, 'home')
    mkdirSync(made)
    expect(run({HOME: made}).status).toBe(0)
    expect(existsSync(join(made, '.cache', 'pgpatronictl'))).toBe(true) // the cache root in an existing home is fine
  })

  it.skipIf(process.getuid?.() !== 0)('leaves no partial file behind on a full disk (a 16 KiB tmpfs)', (context) => {
    const full = join(work, 'full')
    mkdirSync(full)
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=16k', 'pgpt-full', full], {stdio: 'ignore'})
    } catch {
      context.skip() // a container without mount privileges
    }
    try {
      for (const attempt of [1, 2]) expect(run({XDG_CACHE_HOME: full}).status, `run ${attempt}`).toBe(0)
      const left = execFileSync('find', [full, '-name', '*.tmp'], {encoding: 'utf8'})
      expect(left).toBe('')
    } finally {
      execFileSync('umount', [full])
    }
  })
})

describe('npm package', () => {
  it('ships the bin and every dist file the bin and the bundle load', () => {
    const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    })
    const files = (JSON.parse(out) as {files: {path: string}[]}[])[0]!.files.map((f) => f.path)
    const bundle = readFileSync(join(dist, 'cli.cjs'), 'latin1')
    const required = [...bundle.matchAll(/require\("\.\/([\w-]+\.cjs)"\)/g)].map((m) => `dist/${m[1]}`)
    expect(required.sort()).toEqual(CHUNKS.map((c) => `dist/${c}`).sort())
    expect(files).toEqual(
      expect.arrayContaining(['bin/pgpatronictl.cjs', 'dist/cli.cjs', 'dist/oclif.manifest.json', ...required]),
    )
  })
})
