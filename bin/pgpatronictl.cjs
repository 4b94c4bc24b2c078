#!/usr/bin/env node
'use strict'
// Starts the bundle through a V8 code cache: compiling the bundle is most of the startup cost,
// and Node 20 has no module.enableCompileCache(). The lazy chunks (dist/undici.cjs, yaml.cjs,
// prompts.cjs), which the bundle requires only when a command needs them, are cached the same
// way. Caches live in $XDG_CACHE_HOME/pgpatronictl (default ~/.cache/pgpatronictl), one
// code-<chunk>-<key>.bin per file, rewritten when Node or the file changes (older ones are
// removed then). Any cache problem (unreadable, corrupt, unwritable) only means compiling from
// source. PGPATRONICTL_NO_CODE_CACHE=1 loads the bundle plainly.
// V8 would also compile undici's WASM HTTP parser with TurboFan in background threads (+35 MiB
// peak RSS, and ~150 ms waiting for them at exit); the baseline compiler parses a few KiB of
// JSON just as well. Set first: V8 flags are part of every code cache's key.
require('node:v8').setFlagsFromString('--liftoff-only')
const fs = require('node:fs')
const Module = require('node:module')
const path = require('node:path')
const vm = require('node:vm')

const dist = path.join(__dirname, '..', 'dist')
const bundle = path.join(dist, 'cli.cjs')

/** Where the caches go, or undefined when there is no usable home. */
function cacheDirectory() {
  try {
    const base = process.env.XDG_CACHE_HOME || path.join(require('node:os').homedir(), '.cache')
    return path.join(base, 'pgpatronictl')
  } catch {
    return undefined
  }
}

/** 53-bit FNV-1a style hash: enough to tell Node versions and builds apart, no crypto load. */
function hash(text) {
  let h1 = 0x811c9dc5
  let h2 = 0x01000193
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    h1 = Math.imul(h1 ^ c, 0x01000193)
    h2 = Math.imul(h2 ^ c, 0x5bd1e995)
  }
  return ((h2 >>> 0) & 0x1fffff).toString(16).padStart(6, '0') + (h1 >>> 0).toString(16).padStart(8, '0')
}

const cacheDir = process.env.PGPATRONICTL_NO_CODE_CACHE ? undefined : cacheDirectory()
const pending = [] // scripts compiled without a usable cache: written once the command is done

/**
 * The cache directory and, if missing, the cache root above it (~/.cache): never more, so a
 * home that does not exist (HOME=/nonexistent) is not made. No mkdir { recursive }: it spins
 * forever under /proc on Node 20.
 */
function ensureDir(dir) {
  for (const level of [path.dirname(dir), dir]) {
    try {
      fs.mkdirSync(level, {mode: 0o700})
    } catch (error) {
      if (error.code !== 'EEXIST') throw error
    }
  }
}

function saveCaches() {
  for (const {cacheFile, chunk, script} of pending.splice(0)) {
    const tmp = `${cacheFile}.${process.pid}.tmp`
    try {
      ensureDir(cacheDir)
      fs.writeFileSync(tmp, script.createCachedData(), {mode: 0o600})
      fs.renameSync(tmp, cacheFile)
      const keep = path.basename(cacheFile)
      const stale = new RegExp(`^code-(${chunk}-[0-9a-f]{14}|[0-9a-f]{16})\\.bin$`) // ours, older builds or Node
      for (const name of fs.readdirSync(cacheDir)) {
        if (name !== keep && stale.test(name)) fs.rmSync(path.join(cacheDir, name), {force: true})
      }
    } catch {
      try {
        fs.rmSync(tmp, {force: true}) // a full disk leaves a partial file behind
      } catch {}
    }
  }
}

/** Load one of our CommonJS files (the bundle or a chunk) as `require` would, with the cache. */
function loadCached(file, parent) {
  const cached = Module._cache[file]
  if (cached) return cached.exports
  const stat = fs.statSync(file)
  const chunk = path.basename(file, '.cjs')
  const cacheFile =
    cacheDir &&
    path.join(
      cacheDir,
      `code-${chunk}-${hash(`${process.version}|${process.arch}|${file}|${stat.size}|${stat.mtimeMs}`)}.bin`,
    )
  let cachedData
  if (cacheFile) {
    try {
      cachedData = fs.readFileSync(cacheFile)
    } catch {}
  }
  const source = fs.readFileSync(file, 'latin1') // the build keeps dist ASCII-only
  let script
  try {
    script = new vm.Script(Module.wrap(source), {cachedData, filename: file})
  } catch (error) {
    if (cachedData === undefined) throw error
    cachedData = undefined // never let a bad cache file stop the CLI
    script = new vm.Script(Module.wrap(source), {filename: file})
  }
  if (cacheFile && (cachedData === undefined || script.cachedDataRejected)) pending.push({cacheFile, chunk, script})
  const mod = new Module(file, parent)
  mod.filename = file
  mod.paths = Module._nodeModulePaths(path.dirname(file))
  Module._cache[file] = mod // oclif requires the bundle again to read COMMANDS: serve this copy
  try {
    script.runInThisContext().call(mod.exports, mod.exports, requireFor(mod), mod, file, path.dirname(file))
  } catch (error) {
    delete Module._cache[file]
    throw error
  }
  mod.loaded = true
  return mod.exports
}

/** The module's own require, except that our chunks next to the bundle come through the cache. */
function requireFor(mod) {
  const plain = Module.createRequire(mod.filename)
  const req = (id) => (/^\.\/[\w-]+\.cjs$/.test(id) ? loadCached(path.join(dist, id), mod) : plain(id))
  return Object.assign(req, {
    cache: plain.cache,
    extensions: plain.extensions,
    main: plain.main,
    resolve: plain.resolve,
  })
}

// Output that cannot be written (a pipe closed by `head`, a full disk) must not crash a command
// halfway, say between two members of a rolling restart: say so once and let the work finish.
// What escapes the CLI's own error handling (a full disk makes console.log throw) ends in one
// line too, never in a stack trace with a page of bundle source.
let outputFailed = false
function outputError(error) {
  if (error.code === 'EPIPE') return // the reader has gone: nothing to tell it
  if (!outputFailed) process.stderr.write(`Error: cannot write the output: ${error.code || error.message}\n`)
  outputFailed = true
  process.exitCode = 1
}
process.stdout.on('error', outputError)
process.stderr.on('error', () => {})
process.on('uncaughtException', (error) => {
  if (error && error.syscall === 'write') outputError(error)
  else
    process.stderr.write(
      `Error: unexpected error: ${error && error.message}${process.argv.includes('--debug') ? `\n${error && error.stack}` : ''}\n`,
    )
  process.exit(1)
})

let cli
try {
  cli = cacheDir ? loadCached(bundle, module) : require(bundle)
} catch (error) {
  process.stderr.write(
    `Error: cannot load ${bundle}: ${error.code === 'ENOENT' ? 'not built (run npm run build)' : error.message}\n`,
  )
  process.exit(1)
}
cli.run().then(saveCaches, (error) => {
  process.stderr.write(`Error: ${error.message}\n`)
  process.exitCode = 1
})
