#!/usr/bin/env node
'use strict'
// Starts the bundle through a V8 code cache: compiling the bundle is most of the startup cost,
// and Node 18 and 20 have no module.enableCompileCache(). The lazy chunks (dist/undici.cjs,
// yaml.cjs, prompts.cjs), which the bundle requires only when a command needs them, are cached
// the same way, one code-<chunk>-<key>.bin per file; the key covers the Node version, the V8
// flags and the file. Where a cache is read, in order:
// - /var/cache/pgpatronictl: made at install time by the .deb (postinst, and again when the
//   nodejs package changes) for /usr/bin/node; only read, and only when that directory is
//   root's and writable by nobody else (a code cache is code);
// - $XDG_CACHE_HOME/pgpatronictl (default ~/.cache/pgpatronictl), written after a run that had
//   no usable cache, when that directory is writable (a read-only or missing home costs
//   nothing); it keeps the newest few caches of each file, so a home shared by hosts with
//   different Node versions does not recompile on every run.
// Any cache problem (unreadable, corrupt, unwritable) only means compiling from source.
// PGPATRONICTL_NO_CODE_CACHE=1 loads the bundle plainly. PGPATRONICTL_CODE_CACHE_PRIME=DIR (the
// postinst) writes the caches of the bundle and of every chunk into DIR, world-readable.
require('node:v8').setFlagsFromString('--liftoff-only')
const fs = require('node:fs')
const Module = require('node:module')
const path = require('node:path')
const vm = require('node:vm')

const dist = path.join(__dirname, '..', 'dist')
const bundle = path.join(dist, 'cli.cjs')

const SYSTEM_CACHE = '/var/cache/pgpatronictl'
const KEEP = 4 // caches kept per file in a user's directory: a few Node versions or builds

/** The user's cache directory, or undefined when there is no usable home. */
function userCacheDirectory() {
  try {
    const base = process.env.XDG_CACHE_HOME || path.join(require('node:os').homedir(), '.cache')
    return path.join(base, 'pgpatronictl')
  } catch {
    return undefined
  }
}

/** The install-time cache directory, if there is one that only root can have written. */
function systemCacheDirectory() {
  try {
    const stat = fs.statSync(SYSTEM_CACHE)
    return stat.isDirectory() && stat.uid === 0 && (stat.mode & 0o022) === 0 ? SYSTEM_CACHE : undefined
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

const prime = process.env.PGPATRONICTL_CODE_CACHE_PRIME
const noCache = Boolean(process.env.PGPATRONICTL_NO_CODE_CACHE) && !prime
const cacheDir = noCache ? undefined : prime ? path.resolve(prime) : userCacheDirectory() // written
const readDirs = noCache || prime ? [] : [systemCacheDirectory(), cacheDir].filter(Boolean)
const pending = [] // scripts compiled without a usable cache: written once the command is done

/**
 * The cache directory and, if missing, the cache root above it (~/.cache): never more, so a
 * home that does not exist (HOME=/nonexistent) is not made. No mkdir { recursive }: it spins
 * forever under /proc on Node 20.
 */
function ensureDir(dir, mode) {
  for (const level of [path.dirname(dir), dir]) {
    try {
      fs.mkdirSync(level, {mode})
    } catch (error) {
      if (error.code !== 'EEXIST') throw error
    }
  }
}

function saveCaches() {
  if (pending.length === 0) return
  try {
    ensureDir(cacheDir, prime ? 0o755 : 0o700)
    fs.accessSync(cacheDir, fs.constants.W_OK) // before serialising: a read-only home costs nothing
  } catch {
    return
  }
  for (const {cacheFile, chunk, script} of pending.splice(0)) {
    const tmp = `${cacheFile}.${process.pid}.tmp`
    try {
      fs.writeFileSync(tmp, script.createCachedData(), {mode: prime ? 0o644 : 0o600})
      fs.renameSync(tmp, cacheFile)
      // the same file's caches for other builds or Node versions: all but the newest few go
      // (at install time all: the package has one build and /usr/bin/node one version)
      const mine = new RegExp(`^code-${chunk}-[0-9a-f]{14}\\.bin$`)
      const others = fs
        .readdirSync(cacheDir)
        .filter((name) => name !== path.basename(cacheFile) && mine.test(name))
        .map((name) => ({file: path.join(cacheDir, name), mtime: fs.statSync(path.join(cacheDir, name)).mtimeMs}))
        .sort((a, b) => b.mtime - a.mtime)
      for (const {file} of others.slice(prime ? 0 : KEEP - 1)) fs.rmSync(file, {force: true})
      for (const name of fs.readdirSync(cacheDir))
        if (/^code-[0-9a-f]{16}\.bin$/.test(name)) fs.rmSync(path.join(cacheDir, name), {force: true}) // before 0.1.0
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
  const name = `code-${chunk}-${hash(`${process.version}|${process.arch}|${file}|${stat.size}|${stat.mtimeMs}`)}.bin`
  const cacheFile = cacheDir && path.join(cacheDir, name)
  let cachedData
  for (const dir of readDirs) {
    try {
      cachedData = fs.readFileSync(path.join(dir, name))
      break
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
cli.run().then(
  () => {
    // install time: the chunks too, though --help never loads them
    if (prime)
      for (const name of fs.readdirSync(dist)) if (/^[\w-]+\.cjs$/.test(name)) loadCached(path.join(dist, name), module)
    saveCaches()
  },
  (error) => {
    process.stderr.write(`Error: ${error.message}\n`)
    process.exitCode = 1
  },
)
