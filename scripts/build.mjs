// Bundles the CLI for startup speed (see README "Performance"):
// - dist/cli.cjs: oclif, cli-table3 and our code in one CommonJS file, loaded through a V8
//   code cache by bin/pgpatronictl.cjs; one file instead of ~250 in node_modules.
// - dist/undici.cjs and dist/yaml.cjs: the heavy libraries, separate files required only by the
//   commands that need them, so `--help` and `list` from files never parse them.
// - ASCII only: one non-ASCII character in a comment makes V8 hold the whole source as UTF-16.
// - whitespace and comments removed, names kept: stack traces under --debug stay readable.
import {build} from 'esbuild'
import {readFileSync, rmSync, writeFileSync} from 'node:fs'

const LAZY = ['undici', 'yaml']
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

rmSync('dist', {force: true, recursive: true})
// `await import('undici')` becomes a require('./undici.cjs') that runs only when reached.
const lazyImports = {
  name: 'lazy-chunks',
  setup(b) {
    b.onResolve({filter: new RegExp(`^(${LAZY.join('|')})$`)}, (args) => ({namespace: 'lazy', path: args.path}))
    b.onResolve({filter: new RegExp(`^\\./(${LAZY.join('|')})\\.cjs$`)}, (args) => ({external: true, path: args.path}))
    b.onLoad({filter: /.*/, namespace: 'lazy'}, (args) => ({contents: `module.exports = require('./${args.path}.cjs')`}))
  },
}
const main = await build({
  ...common,
  entryPoints: ['src/index.ts'],
  external: ['typescript', 'ts-node', 'tsx'], // oclif's dev-mode transpilers, never used by a bundle
  metafile: true,
  outfile: 'dist/cli.cjs',
  plugins: [lazyImports],
})
for (const name of LAZY) {
  await build({...common, entryPoints: [name], outfile: `dist/${name}.cjs`})
}
for (const file of ['dist/cli.cjs', ...LAZY.map((n) => `dist/${n}.cjs`)]) toAscii(file)
writeFileSync('dist/meta.json', JSON.stringify(main.metafile))
