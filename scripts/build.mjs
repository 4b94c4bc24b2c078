// Bundles the CLI for startup speed (see README "Performance"):
// - dist/cli.cjs: oclif, cli-table3 and our code in one CommonJS file, loaded through a V8
//   code cache by bin/pgpatronictl.cjs; one file instead of ~250 in node_modules.
// - dist/undici.cjs, dist/yaml.cjs, dist/prompts.cjs: the heavy libraries in their own files,
//   required only when a command reaches `await import(...)` of them, so `--help` and plain
//   listings never parse them.
// - ASCII only: one non-ASCII character in a comment makes V8 hold the whole source as UTF-16.
// - whitespace and comments removed, names kept: stack traces under --debug stay readable.
import {build} from 'esbuild'
import {readFileSync, rmSync, writeFileSync} from 'node:fs'

/** import specifier (as written in src) -> lazy chunk, and what goes in the chunk. */
const LAZY = [
  {chunk: 'undici', entry: 'undici', specifier: /^undici$/},
  {chunk: 'yaml', entry: 'yaml', specifier: /^yaml$/},
  {chunk: 'prompts', entry: 'src/lib/prompt-widgets.ts', specifier: /prompt-widgets\.js$/},
]
const common = {
  bundle: true,
  format: 'cjs',
  legalComments: 'none',
  logLevel: 'warning',
  minifySyntax: true,
  minifyWhitespace: true,
  platform: 'node',
  target: 'node20',
}

const toAscii = (file) =>
  writeFileSync(file, readFileSync(file, 'utf8').replaceAll(/[^\u0000-\u007F]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`))

// `await import('undici')` becomes a require('./undici.cjs') that runs only when reached.
const lazyChunks = {
  name: 'lazy-chunks',
  setup(b) {
    for (const {chunk, specifier} of LAZY) {
      b.onResolve({filter: specifier}, () => ({namespace: 'lazy', path: chunk}))
    }
    b.onResolve({filter: /^\.\/\w+\.cjs$/, namespace: 'lazy'}, (args) => ({external: true, path: args.path}))
    b.onLoad({filter: /.*/, namespace: 'lazy'}, (args) => ({contents: `module.exports = require('./${args.path}.cjs')`}))
  },
}

rmSync('dist', {force: true, recursive: true})
const main = await build({
  ...common,
  entryPoints: ['src/index.ts'],
  external: ['typescript', 'ts-node', 'tsx'], // oclif's dev-mode transpilers, never used by a bundle
  metafile: true,
  outfile: 'dist/cli.cjs',
  plugins: [lazyChunks],
})
for (const {chunk, entry} of LAZY) {
  await build({...common, entryPoints: [entry], outfile: `dist/${chunk}.cjs`})
}
for (const file of ['dist/cli.cjs', ...LAZY.map((l) => `dist/${l.chunk}.cjs`)]) toAscii(file)
writeFileSync('dist/meta.json', JSON.stringify(main.metafile))
