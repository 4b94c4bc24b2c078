// Bundles the CLI for startup speed (see README "Performance"):
// - dist/cli.cjs: oclif, cli-table3 and our code in one CommonJS file, loaded through a V8
//   code cache by bin/pgpatronictl.cjs; one file instead of ~250 in node_modules.
// - dist/undici.cjs, dist/yaml.cjs, dist/prompts.cjs: the heavy libraries in their own files,
//   required only when a command reaches `await import(...)` of them, so `--help` and plain
//   listings never parse them.
// - ASCII only: one non-ASCII character (esbuild leaves one in a regex of ansis) makes V8 hold
//   the whole source as UTF-16, and bin/pgpatronictl.cjs reads the files as latin1.
// - whitespace and comments removed, names kept: stack traces under --debug stay readable.
// - oclif's own dependencies that no command needs on the way to its output (glob
//   matchers, spinners, lilconfig, readline, child_process, ...) stay in the bundle but are
//   evaluated on first use only (lazyDeps below); `ejs` renders the plain
//   `<%= config.bin %>` help templates without compiling them, and string-width counts printable
//   ASCII without emoji-regex.
import {build} from 'esbuild'
import {existsSync, readFileSync, renameSync, rmSync, writeFileSync} from 'node:fs'
import {constants as http2Constants} from 'node:http2'

/** import specifier (as written in src) -> lazy chunk, and what goes in the chunk. */
const LAZY = [
  // src uses only undici's Agent and its request(): that half of undici loads in half the time.
  // (bin/pgpatronictl.cjs sets V8's --liftoff-only for undici's WASM parser before anything
  // is compiled: set here, it would change V8's flag hash and void every code cache.)
  {
    chunk: 'undici',
    contents: [
      "const Dispatcher = require('undici/lib/dispatcher/dispatcher')",
      "Object.assign(Dispatcher.prototype, require('undici/lib/api'))",
      "module.exports = {Agent: require('undici/lib/dispatcher/agent')}",
    ].join('\n'),
    specifier: /^undici$/,
  },
  {chunk: 'yaml', entry: 'yaml', specifier: /^yaml$/},
  {chunk: 'prompts', entry: 'src/lib/prompt/widgets.ts', specifier: /^\.\/widgets\.js$/},
]
const common = {
  bundle: true,
  format: 'cjs',
  legalComments: 'none',
  logLevel: 'warning',
  minifySyntax: true,
  minifyWhitespace: true,
  platform: 'node',
  // import() becomes a require() in a promise: bin/pgpatronictl.cjs runs the bundle through
  // vm.Script, which cannot serve a real dynamic import (ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING)
  supported: {'dynamic-import': false},
  target: 'node18.19', // the oldest Node.js in package.json engines (Debian 12, Ubuntu 24.04)
}

const toAscii = (file) =>
  writeFileSync(
    file,
    readFileSync(file, 'utf8').replaceAll(
      /[^\u0000-\u007F]/g,
      (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
    ),
  )

// `await import('undici')` becomes a require('./undici.cjs') that runs only when reached.
const lazyChunks = {
  name: 'lazy-chunks',
  setup(b) {
    for (const {chunk, specifier} of LAZY) {
      b.onResolve({filter: specifier}, () => ({namespace: 'lazy', path: chunk}))
    }
    b.onResolve({filter: /^\.\/\w+\.cjs$/, namespace: 'lazy'}, (args) => ({external: true, path: args.path}))
    b.onLoad({filter: /.*/, namespace: 'lazy'}, (args) => ({
      contents: `module.exports = require('./${args.path}.cjs')`,
    }))
  },
}

// oclif 4 requires all of its modules when @oclif/core is first imported. These dependencies
// are reached only on rare paths (plugins, globbing commands, spinners, stdin flags, Windows,
// OCLIF_PERFORMANCE, error pretty-printing) or not at all with our explicit command map:
// oclif gets a stand-in that requires the real module on first use.
const LAZY_FOR_OCLIF = [
  'clean-stack',
  'cli-spinners',
  'get-package-type',
  'indent-string',
  'lilconfig',
  'minimatch',
  'node:child_process',
  'node:perf_hooks',
  'node:readline',
  'tinyglobby',
  'wordwrap',
  'wrap-ansi',
]
const ENGINES_NODE = JSON.parse(readFileSync('package.json', 'utf8')).engines.node
const lazyDeps = {
  name: 'oclif-lazy-deps',
  setup(b) {
    const fromOclif = (args) =>
      args.namespace === 'file' && /[\\/]node_modules[\\/]@oclif[\\/]core[\\/]/.test(args.importer)
    for (const name of LAZY_FOR_OCLIF) {
      const filter = new RegExp(`^${name.replaceAll('/', '\\/')}$`)
      b.onResolve({filter}, (args) =>
        fromOclif(args) ? {namespace: 'lazy-dep', path: name, pluginData: {resolveDir: args.resolveDir}} : undefined,
      )
    }
    // string-width (help, tables) compiles emoji-regex, a huge regex, on its first call (~8 ms):
    // printable ASCII, our usual text, is one column per character without it.
    b.onResolve({filter: /^string-width$/}, (args) =>
      args.namespace === 'file'
        ? {namespace: 'shim', path: 'string-width', pluginData: {resolveDir: args.resolveDir}}
        : undefined,
    )
    b.onLoad({filter: /^string-width$/, namespace: 'shim'}, (args) => ({
      contents: `let real
const stringWidth = (string) =>
  typeof string === 'string' && /^[\\x20-\\x7e]*$/.test(string) ? string.length : (real = real || require('real:string-width'))(string)
module.exports = stringWidth
module.exports.default = stringWidth
`,
      pluginData: args.pluginData,
      resolveDir: args.pluginData.resolveDir,
    }))
    for (const name of ['ejs', 'wsl-utils']) {
      b.onResolve({filter: new RegExp(`^${name}$`)}, (args) =>
        fromOclif(args) ? {namespace: 'shim', path: name, pluginData: {resolveDir: args.resolveDir}} : undefined,
      )
    }
    // `require(<name>)` inside a stand-in: the real module, resolved from oclif's directory.
    b.onResolve({filter: /^real:/}, async (args) => {
      const path = args.path.slice(5)
      if (path.startsWith('node:')) return {external: true, path}
      return b.resolve(path, {kind: 'require-call', resolveDir: args.pluginData.resolveDir})
    })
    b.onLoad({filter: /.*/, namespace: 'lazy-dep'}, (args) => ({
      contents: `let m
const load = () => m || (m = require(${JSON.stringify(`real:${args.path}`)}))
module.exports = new Proxy(function () {}, {
  apply: (_, self, a) => Reflect.apply(load(), self, a),
  construct: (_, a) => Reflect.construct(load(), a),
  get: (_, k) => (k === '__esModule' && !m ? undefined : load()[k]),
  has: (_, k) => k in load(),
  set: (_, k, v) => ((load()[k] = v), true),
})
`,
      pluginData: args.pluginData,
      resolveDir: args.pluginData.resolveDir,
    }))
    // oclif asks wsl-utils whether this is WSL on every start; its index also loads
    // node:child_process and node:fs/promises for PowerShell helpers oclif needs only on Windows
    // (8-11 ms per start, see README "Development").
    b.onLoad({filter: /^wsl-utils$/, namespace: 'shim'}, (args) => ({
      contents: `module.exports = {
  isWsl: require('real:is-wsl').default,
  powerShellPath: (...a) => require('real:wsl-utils').powerShellPath(...a),
}
`,
      pluginData: args.pluginData,
      resolveDir: args.pluginData.resolveDir,
    }))
    b.onLoad({filter: /^ejs$/, namespace: 'shim'}, (args) => ({
      // Help and examples are templates like '<%= config.bin %> <%= command.id %> 15/main': fill in
      // such plain escaped references directly (what ejs prints for them); anything else goes to ejs.
      contents: `const TAG = /<%=\\s*([A-Za-z_$][\\w$]*(?:\\.[A-Za-z_$][\\w$]*)*)\\s*%>/g
const HTML = {'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&#34;', "'": '&#39;'}
const simple = (template, data) => {
  if (typeof template !== 'string' || data === null || typeof data !== 'object') return undefined
  const rest = template.replace(TAG, '')
  if (rest.includes('<%') || rest.includes('%>')) return undefined
  let ok = true
  const out = template.replace(TAG, (_, path) => {
    const keys = path.split('.')
    if (!(keys[0] in data)) ok = false
    let v = data
    for (const k of keys) {
      if (v === null || v === undefined) ok = false
      if (!ok) return ''
      v = v[k]
    }
    return v === null || v === undefined ? '' : String(v).replace(/[&<>'"]/g, (c) => HTML[c])
  })
  return ok ? out : undefined
}
const real = () => require('real:ejs')
module.exports = {
  render: (template, data, options) => (options === undefined ? simple(template, data) : undefined) ?? real().render(template, data, options),
}
`,
      resolveDir: args.pluginData.resolveDir,
      pluginData: args.pluginData,
    }))
    // Two source patches of @oclif/core, both on every start (test/build/bundle.test.ts checks
    // that each is in the bundle):
    // - lib/index.js checks the Node version against our engines with semver: do the same with a
    //   plain comparison when the range is '>=X.Y.Z'.
    // - lib/config/plugin.js reads the command manifest from dist/ (below).
    const patches = {
      'config/plugin.js': [
        // The command manifest (what help and command lookup need) comes with the build in
        // dist/: without one, oclif rebuilds it from every command's flags on each start (~15 ms).
        [
          "(0, node_path_1.join)(this.root, `${dotfile ? '.' : ''}oclif.manifest.json`)",
          "(0, node_path_1.join)(this.root, this.isRoot && !dotfile ? 'dist/oclif.manifest.json' : `${dotfile ? '.' : ''}oclif.manifest.json`)",
        ],
      ],
      'index.js': [],
    }
    const min = /^>=\s*(\d+)\.(\d+)\.(\d+)$/.exec(ENGINES_NODE.trim())
    if (min) {
      patches['index.js'].push([
        '\ncheckNodeVersion();',
        `
(function () {
  if (process.env.OCLIF_DISABLE_ENGINE_WARNING && (0, util_1.isTruthy)(process.env.OCLIF_DISABLE_ENGINE_WARNING)) return;
  const have = process.versions.node.split('.').map(Number), want = [${min.slice(1, 4).join(', ')}];
  const diff = have.map((n, i) => n - want[i]).find((d) => d !== 0) ?? 0;
  if (diff < 0) process.emitWarning(${JSON.stringify(`Node version must be ${ENGINES_NODE} to use this CLI. Current node version: `)} + process.versions.node);
})();`,
      ])
    }
    b.onLoad({filter: /[\\/]@oclif[\\/]core[\\/]lib[\\/](index|config[\\/]plugin)\.js$/}, (args) => {
      const file = args.path.replaceAll('\\', '/').replace(/.*\/lib\//, '')
      let source = readFileSync(args.path, 'utf8')
      for (const [from, to] of patches[file] ?? []) {
        if (source.includes(from)) source = source.replace(from, to)
        // pinned in package-lock.json, so a miss is an upgrade that needs the patch redone
        else throw new Error(`build: @oclif/core ${file} changed, cannot patch: ${from.trim()}`)
      }
      return {contents: source, loader: 'js'}
    })
  },
}

// require('node:process') is the global process. Node 18 builds an ES module facade for every
// built-in that user code requires and reads all of its exports, which for process runs the
// getters behind allowedNodeEnvironmentFlags, report, ... (~4 ms per start; Node 20 does not).
const globalProcess = {
  name: 'global-process',
  setup(b) {
    b.onResolve({filter: /^(node:)?process$/}, () => ({namespace: 'global-process', path: 'process'}))
    b.onLoad({filter: /.*/, namespace: 'global-process'}, () => ({contents: 'module.exports = process'}))
  },
}

// Build next to dist and swap it in at the end: a CLI run (or a test) during a rebuild sees
// either the old or the new files, never a half-written dist.
const out = `dist.tmp-${process.pid}`
process.on('exit', () => rmSync(out, {force: true, recursive: true})) // after a failed build
const main = await build({
  ...common,
  entryPoints: ['src/index.ts'],
  external: ['typescript', 'ts-node', 'tsx'], // oclif's dev-mode transpilers, never used by a bundle
  metafile: true,
  outfile: `${out}/cli.cjs`,
  plugins: [lazyChunks, lazyDeps, globalProcess],
})
// undici requires node:http2 (and through it tls and crypto, ~25 ms) at load, for HTTP/2, which
// our Agent never enables (allowH2 is off); it only reads http2.constants up front. Serve those
// from a copy taken here and load node:http2 on any other use.
const lazyHttp2 = {
  name: 'lazy-http2',
  setup(b) {
    b.onResolve({filter: /^node:http2$/}, (args) =>
      args.namespace === 'file' ? {namespace: 'lazy-http2', path: 'node:http2'} : undefined,
    )
    b.onResolve({filter: /^node:http2$/, namespace: 'lazy-http2'}, () => ({external: true, path: 'node:http2'}))
    b.onLoad({filter: /.*/, namespace: 'lazy-http2'}, () => ({
      contents: `const constants = ${JSON.stringify(http2Constants)}
let m
module.exports = new Proxy({}, {get: (_, k) => (k === 'constants' && !m ? constants : (m = m || require('node:http2'))[k])})
`,
      resolveDir: '.',
    }))
  },
}
// undici requires node:http (~5 ms, ~9 on Node 18) at load for two things: the default
// maxHeaderSize of each Client (16 KiB unless --max-http-header-size says otherwise) and a check
// whether a request body is an IncomingMessage, which no process that never loaded node:http can
// have (our bodies are strings). Serve both without it; anything else loads it.
const lazyHttp = {
  name: 'lazy-http',
  setup(b) {
    b.onResolve({filter: /^node:http$/}, (args) =>
      args.namespace === 'file' ? {namespace: 'lazy-http', path: 'node:http'} : undefined,
    )
    b.onResolve({filter: /^node:http$/, namespace: 'lazy-http'}, () => ({external: true, path: 'node:http'}))
    b.onLoad({filter: /.*/, namespace: 'lazy-http'}, () => ({
      contents: `let m
const custom = () => /max-http-header-size/.test(process.execArgv.join(' ') + ' ' + (process.env.NODE_OPTIONS || ''))
class NeverLoaded {}
module.exports = new Proxy({}, {
  get: (_, k) => (m ? m[k] : k === 'IncomingMessage' ? NeverLoaded : k === 'maxHeaderSize' && !custom() ? 16384 : (m = require('node:http'))[k]),
})
`,
      resolveDir: '.',
    }))
  },
}
for (const {chunk, contents, entry} of LAZY) {
  const input = contents
    ? {stdin: {contents, resolveDir: '.', sourcefile: `${chunk}-entry.cjs`}}
    : {entryPoints: [entry]}
  await build({
    ...common,
    ...input,
    outfile: `${out}/${chunk}.cjs`,
    plugins: chunk === 'undici' ? [lazyHttp2, lazyHttp, globalProcess] : [globalProcess],
  })
}
for (const file of ['cli.cjs', ...LAZY.map((l) => `${l.chunk}.cjs`)]) toAscii(`${out}/${file}`)
const meta = main.metafile
meta.outputs = Object.fromEntries(
  Object.entries(meta.outputs).map(([file, output]) => [file.replace(`${out}/`, 'dist/'), output]),
)
writeFileSync(`${out}/meta.json`, JSON.stringify(meta))
const old = `dist.old-${process.pid}`
if (existsSync('dist')) renameSync('dist', old)
renameSync(out, 'dist')
rmSync(old, {force: true, recursive: true})

// dist/oclif.manifest.json, read by the patched plugin.js above: the same data oclif would
// compute at startup from the bundle's commands (the npm package must ship it, see files).
const {Config} = await import('@oclif/core')
const config = await Config.load({root: process.cwd()})
const manifest = config.getPluginsList().find((plugin) => plugin.isRoot)?.manifest
if (!manifest || Object.keys(manifest.commands).length === 0) throw new Error('build: no oclif command manifest')
writeFileSync('dist/oclif.manifest.json', JSON.stringify(manifest))
