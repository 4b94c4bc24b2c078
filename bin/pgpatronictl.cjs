#!/usr/bin/env node
'use strict'
// Starts the one-file bundle through a V8 code cache: compiling the bundle is most of the
// startup cost, and Node 20 has no module.enableCompileCache(). Set PGPATRONICTL_NO_CODE_CACHE=1
// to load the bundle plainly.
const {createHash} = require('node:crypto')
const fs = require('node:fs')
const Module = require('node:module')
const os = require('node:os')
const path = require('node:path')
const vm = require('node:vm')

const bundle = path.join(__dirname, '..', 'dist', 'cli.cjs')

function loadBundle() {
  if (process.env.PGPATRONICTL_NO_CODE_CACHE) return {cli: require(bundle)}
  const source = fs.readFileSync(bundle, 'utf8')
  const stat = fs.statSync(bundle)
  const key = createHash('sha256').update(`${process.version}|${process.arch}|${bundle}|${stat.size}|${stat.mtimeMs}`).digest('hex')
  const cacheDir = path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'pgpatronictl')
  const cacheFile = path.join(cacheDir, `code-${key.slice(0, 16)}.bin`)
  let cachedData
  try {
    cachedData = fs.readFileSync(cacheFile)
  } catch {}
  const script = new vm.Script(Module.wrap(source), {cachedData, filename: bundle})
  const mod = new Module(bundle, module)
  mod.filename = bundle
  mod.paths = Module._nodeModulePaths(path.dirname(bundle))
  Module._cache[bundle] = mod // oclif requires the bundle again to read COMMANDS: serve this copy
  script.runInThisContext().call(mod.exports, mod.exports, Module.createRequire(bundle), mod, bundle, path.dirname(bundle))
  mod.loaded = true
  const saveCache = cachedData === undefined || script.cachedDataRejected
    ? () => {
        try {
          fs.mkdirSync(cacheDir, {mode: 0o700, recursive: true})
          const tmp = `${cacheFile}.${process.pid}`
          fs.writeFileSync(tmp, script.createCachedData(), {mode: 0o600})
          fs.renameSync(tmp, cacheFile)
        } catch {}
      }
    : () => {}
  return {cli: mod.exports, saveCache}
}

let loaded
try {
  loaded = loadBundle()
} catch (error) {
  process.stderr.write(`Error: cannot load ${bundle}: ${error.code === 'ENOENT' ? 'not built (run npm run build)' : error.message}\n`)
  process.exit(1)
}
loaded.cli.run().then(
  () => loaded.saveCache?.(),
  (error) => {
    process.stderr.write(`Error: ${error.message}\n`)
    process.exitCode = 1
  },
)
