// Prints the path of a Node.js 18 binary, the oldest Node pgpatronictl supports, for the tests
// and the benchmark. $PGPT_NODE18 names one to use (e.g. Debian 12's 18.20.4 unpacked from its
// .deb, see README "Node.js versions"); otherwise Node 18.19.1 (Ubuntu 24.04's version, and the
// floor of package.json engines) is taken once from the npm registry's node-linux-<arch>
// package (npm checks its integrity) into .node18/ of this tree. Exit 1 with a one-line reason
// when neither works. Usable as a module too: `await node18()`.
import {spawnSync} from 'node:child_process'
import {existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync} from 'node:fs'
import {dirname, join, resolve} from 'node:path'
import {fileURLToPath} from 'node:url'

export const NODE18_VERSION = '18.19.1'
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')

const versionOf = (node) => {
  const run = spawnSync(node, ['-p', 'process.versions.node'], {encoding: 'utf8', timeout: 30_000})
  return run.status === 0 ? run.stdout.trim() : undefined
}

/** The path of a Node 18 binary; throws an Error saying why there is none. */
export function node18({log = () => {}} = {}) {
  const given = process.env.PGPT_NODE18
  if (given) {
    const version = versionOf(given)
    if (!version?.startsWith('18.'))
      throw new Error(`PGPT_NODE18=${given} is not a working Node 18 (${version ?? 'does not run'})`)
    return given
  }
  const arch = {arm64: 'arm64', x64: 'x64'}[process.arch]
  if (process.platform !== 'linux' || !arch)
    throw new Error(`no Node ${NODE18_VERSION} package for ${process.platform}-${process.arch}: set PGPT_NODE18`)
  const home = join(root, '.node18', `v${NODE18_VERSION}-${arch}`)
  const node = join(home, 'bin', 'node')
  if (existsSync(node) && versionOf(node) === NODE18_VERSION) return node
  log(`fetching Node ${NODE18_VERSION} (npm package node-linux-${arch}, ~40 MB) into ${home}`)
  mkdirSync(dirname(home), {recursive: true})
  const work = mkdtempSync(join(dirname(home), 'fetch-'))
  try {
    const pack = spawnSync(
      'npm',
      ['pack', `node-linux-${arch}@${NODE18_VERSION}`, '--silent', '--pack-destination', work],
      {encoding: 'utf8', timeout: 600_000},
    )
    const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'))
    if (pack.status !== 0 || !tarball)
      throw new Error(
        `npm pack node-linux-${arch}@${NODE18_VERSION} failed: ${(pack.stderr || pack.error?.message || '').trim().split('\n').pop()}`,
      )
    const untar = spawnSync('tar', ['-xzf', join(work, tarball), '-C', work, 'package/bin/node', 'package/LICENSE'], {
      encoding: 'utf8',
    })
    if (untar.status !== 0) throw new Error(`cannot unpack ${tarball}: ${untar.stderr.trim()}`)
    rmSync(home, {force: true, recursive: true})
    renameSync(join(work, 'package'), home)
  } finally {
    rmSync(work, {force: true, recursive: true})
  }
  if (versionOf(node) !== NODE18_VERSION) throw new Error(`${node} does not run as Node ${NODE18_VERSION}`)
  return node
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    process.stdout.write(`${node18({log: (line) => process.stderr.write(`[node18] ${line}\n`)})}\n`)
  } catch (error) {
    process.stderr.write(`[node18] ${error.message}\n`)
    process.exit(1)
  }
}
