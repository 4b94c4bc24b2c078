// npm run bench: startup and `list` speed of pgpatronictl against the bare node floor and
// patronictl, on the test cluster of test/cluster/up.sh. Prints a table and writes
// .bench/results.json. Every figure is measured twice: with the environment as it is and with
// NODE_EXTRA_CA_CERTS unset (it adds ~30 ms to every node start); targets are judged on the
// second. Startup costs are stated over `node -e ''` measured in the same run, which is what
// the CLI can influence.
//
// Timing: its own loop by default (process.hrtime around each spawn), the commands interleaved
// (A B C A B C ...), so that a slow stretch of this shared VM touches every command alike and the
// ratios hold; --hyperfine uses hyperfine instead (-N; one block of runs per command, which drift
// skews: a 2-vCPU VM here moves by 10-20 % within a minute), installed with apt-get when root.
// Peak RSS: /usr/bin/time (GNU time), else a python3 wrapper reading getrusage(RUSAGE_CHILDREN).
// Node 18: the same commands run on Node 18 too (scripts/node18.mjs), interleaved with the
// others, each stated over its own node's floor.
// Options: --runs N (20), --warmup N (3), --hyperfine, --no-install, --no-node18. A failing `list` (a member down during a
// switchover) is reported, not fatal; if the figures look disturbed (see the spread column), rerun.
import {spawnSync} from 'node:child_process'
import {existsSync, mkdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {loadavg} from 'node:os'
import {dirname, join, resolve} from 'node:path'
import {fileURLToPath} from 'node:url'

import {node18} from './node18.mjs'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const argv = process.argv.slice(2)
const option = (name, fallback) => {
  const i = argv.indexOf(`--${name}`)
  return i === -1 ? fallback : Number(argv[i + 1])
}
const RUNS = option('runs', 20)
const WARMUP = option('warmup', 3)
const benchDir = join(root, '.bench')
const cacheHome = join(benchDir, 'cache') // the CLI's code cache: fixed, so warm after warmup
const say = (line) => process.stderr.write(`[bench] ${line}\n`)

const TARGETS = {helpOverFloorMs: 40, listClusterOverFloorMs: 60, speedupVsPatronictl: 6, peakRssMiB: 60}

// --- the test cluster (test/cluster/up.sh writes its facts to cluster.json) -----------------
const statePath = join(process.env.PGPT_TEST_STATE || '/var/lib/pgpatronictl-test', 'cluster.json')
let cluster
try {
  const facts = JSON.parse(readFileSync(statePath, 'utf8'))
  const ha = facts.instances.ha
  cluster = {config: ha.config, configDir: facts.configDir, name: ha.name, scope: ha.scope}
} catch {
  say(`no test cluster (${statePath}): measuring startup only; run npm run cluster:up for the rest`)
}

const which = (cmd) => {
  for (const dir of (process.env.PATH || '/usr/bin:/bin').split(':')) {
    if (dir && existsSync(join(dir, cmd))) return join(dir, cmd)
  }
  return undefined
}
const patronictl = cluster && which('patronictl')
const bin = join(root, 'bin', 'pgpatronictl.cjs')

// The machine's node, and Node 18 (the oldest supported: Debian 12, Ubuntu 24.04) unless
// --no-node18: scripts/node18.mjs, or $PGPT_NODE18.
const nodes = [{key: '', node: process.execPath, version: process.version}]
if (!argv.includes('--no-node18')) {
  try {
    const node = node18({log: say})
    nodes.push({key: '18', node, version: `v${spawnSync(node, ['-p', 'process.versions.node'], {encoding: 'utf8'}).stdout.trim()}`})
  } catch (error) {
    say(`no Node 18 (${error.message}): measuring the machine's node only`)
  }
}

/** What is measured: name, argv, and which figure it is; keys end in 18 for Node 18. */
const commands = []
for (const {key, node, version} of nodes) {
  const cli = [node, bin]
  const tag = nodes.length > 1 ? `[${version}] ` : ''
  commands.push(
    {argv: [node, '-e', ''], key: `floor${key}`, label: `${tag}node -e ''`},
    {argv: [...cli, '--help'], key: `help${key}`, label: `${tag}pgpatronictl --help`},
  )
  if (cluster) {
    commands.push(
      {argv: [...cli, 'list'], key: `listHost${key}`, label: `${tag}pgpatronictl list`},
      {argv: [...cli, 'list', cluster.name, '-f', 'json'], key: `listCluster${key}`, label: `${tag}pgpatronictl list ${cluster.name} -f json`},
    )
  }
}
if (cluster) {
  if (patronictl) {
    commands.push({
      argv: [patronictl, '-c', cluster.config, 'list', cluster.scope, '-f', 'json'],
      key: 'patronictl',
      label: `patronictl -c ${cluster.config.split('/').pop()} list ${cluster.scope} -f json`,
    })
  } else {
    say('patronictl is not installed: no comparison')
  }
}

// --- tools ------------------------------------------------------------------------------------
const wantHyperfine = argv.includes('--hyperfine')
let hyperfine = wantHyperfine ? which('hyperfine') : undefined
if (wantHyperfine && !hyperfine && !argv.includes('--no-install') && process.getuid?.() === 0 && which('apt-get')) {
  say('installing hyperfine (apt-get)')
  const env = {...process.env, DEBIAN_FRONTEND: 'noninteractive'}
  spawnSync('apt-get', ['install', '-y', '-qq', 'hyperfine'], {env, stdio: ['ignore', 'ignore', 'inherit']})
  hyperfine = which('hyperfine')
}
const gnuTime = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined
const python = which('python3')

const median = (xs) => {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b)
  if (s.length === 0) return null
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}
const quote = (arg) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", "'\\''")}'`)

/** Wall times (ms) of every run of every command, by key. */
function timeAll(env, tag) {
  if (hyperfine) {
    const out = join(benchDir, `hyperfine-${tag}.json`)
    const args = ['-N', '--warmup', String(WARMUP), '--runs', String(RUNS), '-i', '--style', 'none', '--export-json', out]
    for (const c of commands) args.push('--command-name', c.key, c.argv.map(quote).join(' '))
    const r = spawnSync(hyperfine, args, {cwd: root, env, stdio: ['ignore', 'ignore', 'inherit']})
    if (r.status === 0) {
      const results = JSON.parse(readFileSync(out, 'utf8')).results
      return Object.fromEntries(results.map((x) => [x.command, x.times.map((t) => t * 1000)]))
    }
    say(`hyperfine failed (status ${r.status}): using the own loop`)
  }
  const times = Object.fromEntries(commands.map((c) => [c.key, []]))
  for (let round = 0; round < WARMUP + RUNS; round++) {
    for (const c of commands) {
      const started = process.hrtime.bigint()
      spawnSync(c.argv[0], c.argv.slice(1), {cwd: root, env, stdio: 'ignore'})
      if (round >= WARMUP) times[c.key].push(Number(process.hrtime.bigint() - started) / 1e6)
    }
  }
  return times
}

/** Peak RSS (MiB) of one run, or null when no tool can tell. */
function peakRss(c, env) {
  let kib
  if (gnuTime) {
    const r = spawnSync(gnuTime, ['-f', '%M', ...c.argv], {cwd: root, encoding: 'utf8', env, stdio: ['ignore', 'ignore', 'pipe']})
    kib = Number(r.stderr.trim().split('\n').pop())
  } else if (python) {
    const script =
      'import resource,subprocess,sys\n' +
      'subprocess.run(sys.argv[1:],stdin=subprocess.DEVNULL,stdout=subprocess.DEVNULL,stderr=subprocess.DEVNULL)\n' +
      'print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)'
    const r = spawnSync(python, ['-c', script, ...c.argv], {cwd: root, encoding: 'utf8', env})
    kib = Number(r.stdout.trim())
  }
  return Number.isFinite(kib) && kib > 0 ? kib / 1024 : null
}

/** One plain run: exit status, and for the host list the REST requests it made (--debug). */
function probe(c, env) {
  const debug = c.key === 'listHost' ? ['--debug'] : []
  const started = process.hrtime.bigint()
  const r = spawnSync(c.argv[0], [...c.argv.slice(1), ...debug], {cwd: root, encoding: 'utf8', env})
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6
  const result = {exitCode: r.status, stderr: r.stderr.trim().split('\n').slice(-3).join(' | ')}
  if (c.key === 'listHost') {
    const requests = [...r.stderr.matchAll(/^debug: (\w+) (\S+) -> .*\((\d+) ms\)$/gm)].map((m) => ({
      method: m[1],
      ms: Number(m[3]),
      url: m[2],
    }))
    const rest = requests.filter((q) => q.url.endsWith('/cluster'))
    result.instancesProbed = rest.length
    result.requests = requests.length
    result.requestMsSum = requests.reduce((sum, q) => sum + q.ms, 0)
    result.requestMsMax = Math.max(0, ...requests.map((q) => q.ms))
    result.wallMs = wallMs
    const rows = spawnSync(c.argv[0], [...c.argv.slice(1), '-f', 'json'], {cwd: root, encoding: 'utf8', env})
    try {
      result.instancesListed = JSON.parse(rows.stdout).length
    } catch {}
  }
  return result
}

// --- measure ----------------------------------------------------------------------------------
rmSync(cacheHome, {force: true, recursive: true})
mkdirSync(benchDir, {recursive: true})
const baseEnv = {...process.env, XDG_CACHE_HOME: cacheHome}
delete baseEnv.PGPATRONICTL_NO_CODE_CACHE
if (cluster) baseEnv.PGPATRONICTL_CONFIG_DIR = cluster.configDir
const modes = [
  {env: baseEnv, key: 'asIs', label: `environment as is (NODE_EXTRA_CA_CERTS ${process.env.NODE_EXTRA_CA_CERTS ? 'set' : 'not set'})`},
  {env: Object.fromEntries(Object.entries(baseEnv).filter(([k]) => k !== 'NODE_EXTRA_CA_CERTS')), key: 'noCa', label: 'NODE_EXTRA_CA_CERTS unset'},
]

const results = {
  commands: Object.fromEntries(commands.map((c) => [c.key, c.argv.join(' ')])),
  date: new Date().toISOString(),
  loadAverageBefore: loadavg()[0],
  machine: {cpus: (await import('node:os')).cpus().length, node: process.version},
  nodes: nodes.map((n) => ({node: n.node, version: n.version})),
  modes: {},
  runs: RUNS,
  targets: TARGETS,
  timer: hyperfine ? `hyperfine ${spawnSync(hyperfine, ['--version'], {encoding: 'utf8'}).stdout.trim().split(' ').pop()}` : 'own loop, commands interleaved',
  rssTool: gnuTime ? 'GNU time' : python ? 'python3 getrusage' : 'none',
  warmup: WARMUP,
}
// Prime the code cache the way a user does: the first command run writes it.
for (const c of commands.filter((c) => c.argv[1] === bin)) spawnSync(c.argv[0], c.argv.slice(1), {cwd: root, env: baseEnv, stdio: 'ignore'})

for (const mode of modes) {
  say(`measuring: ${mode.label}, ${WARMUP} warmup + ${RUNS} runs each (${results.timer})`)
  const times = timeAll(mode.env, mode.key)
  const figures = {}
  for (const c of commands) {
    const ms = times[c.key] ?? []
    const m = median(ms)
    const spread = ms.length ? (median(ms.map((t) => Math.abs(t - m))) / m) * 100 : null
    const rss = median([1, 2, 3].map(() => peakRss(c, mode.env)))
    figures[c.key] = {medianMs: m, minMs: ms.length ? Math.min(...ms) : null, peakRssMiB: rss, runs: ms.length, spreadPct: spread, ...probe(c, mode.env)}
  }
  for (const [key, f] of Object.entries(figures)) {
    const floor = figures[key.endsWith('18') ? 'floor18' : 'floor'].medianMs
    f.overFloorMs = f.medianMs === null ? null : f.medianMs - floor
  }
  if (figures.patronictl && figures.listCluster) figures.patronictl.ratioVsListCluster = figures.patronictl.medianMs / figures.listCluster.medianMs
  results.modes[mode.key] = {figures, label: mode.label}
}
results.loadAverageAfter = loadavg()[0]

// --- judge (NODE_EXTRA_CA_CERTS unset) --------------------------------------------------------
const f = results.modes.noCa.figures
const ours = ['help', 'listHost', 'listCluster'].filter((k) => f[k])
const verdicts = [
  ['--help over the node floor', f.help.overFloorMs, `<= ${TARGETS.helpOverFloorMs} ms`, f.help.overFloorMs <= TARGETS.helpOverFloorMs],
  f.listCluster && ['list VERSION/CLUSTER -f json over the floor', f.listCluster.overFloorMs, `<= ${TARGETS.listClusterOverFloorMs} ms`, f.listCluster.overFloorMs <= TARGETS.listClusterOverFloorMs],
  f.patronictl && ['same list vs patronictl (times faster)', f.patronictl.ratioVsListCluster, `>= ${TARGETS.speedupVsPatronictl}x`, f.patronictl.ratioVsListCluster >= TARGETS.speedupVsPatronictl],
  ...ours.map((k) => {
    const rss = f[k].peakRssMiB
    return [`peak RSS, ${commands.find((c) => c.key === k).label.replace('pgpatronictl ', '')} (MiB)`, rss, `<= ${TARGETS.peakRssMiB} MiB`, rss === null ? null : rss <= TARGETS.peakRssMiB]
  }),
].filter(Boolean)
results.verdicts = verdicts.map(([target, value, limit, pass]) => ({limit, pass, target, value}))
if (f.listHost && f.listCluster) {
  results.hostList = {
    extraMsOverOneCluster: f.listHost.medianMs - f.listCluster.medianMs,
    instancesListed: f.listHost.instancesListed,
    instancesProbed: f.listHost.instancesProbed,
    requestMsSum: f.listHost.requestMsSum,
    requests: f.listHost.requests,
  }
}
writeFileSync(join(benchDir, 'results.json'), `${JSON.stringify(results, null, 2)}\n`)

// --- print ------------------------------------------------------------------------------------
const fmt = (x, digits = 0, sign = false) => (x === null || x === undefined || Number.isNaN(x) ? '-' : `${sign && x >= 0 ? '+' : ''}${x.toFixed(digits)}`)
const pad = (s, n, right = false) => (right ? String(s).padEnd(n) : String(s).padStart(n))
const width = Math.max(...commands.map((c) => c.label.length))
const lines = []
lines.push(`pgpatronictl benchmark: ${results.machine.cpus} CPUs, node ${results.machine.node}, ${results.timer}, ${WARMUP} warmup + ${RUNS} runs, medians; load ${fmt(results.loadAverageBefore, 2)} -> ${fmt(results.loadAverageAfter, 2)}`)
for (const mode of modes) {
  const figs = results.modes[mode.key].figures
  lines.push('', `${mode.label}:`)
  lines.push(`  ${pad('command', width, true)}  ${pad('median ms', 9)}  ${pad('over floor', 10)}  ${pad('spread', 6)}  ${pad('peak RSS MiB', 12)}  exit`)
  for (const c of commands) {
    const x = figs[c.key]
    const note = c.key === 'patronictl' ? `  (${fmt(x.ratioVsListCluster, 1)}x the pgpatronictl list)` : c.key.endsWith('18') && !c.key.startsWith('floor') && figs[c.key.slice(0, -2)] ? `  (${fmt(x.overFloorMs - figs[c.key.slice(0, -2)].overFloorMs, 1, true)} ms vs ${nodes[0].version})` : ''
    lines.push(
      `  ${pad(c.label, width, true)}  ${pad(fmt(x.medianMs, 1), 9)}  ${pad(c.key.startsWith('floor') ? '' : `+${fmt(x.overFloorMs, 1)}`, 10)}  ${pad(`${fmt(x.spreadPct, 0)}%`, 6)}  ${pad(fmt(x.peakRssMiB, 1), 12)}  ${pad(x.exitCode ?? '-', 4)}${note}`,
    )
  }
}
if (results.hostList) {
  const h = results.hostList
  lines.push(
    '',
    `host-wide list: ${h.instancesListed} instances listed, ${h.instancesProbed} Patroni REST APIs probed (${h.requests} requests, ${fmt(h.requestMsSum)} ms if made one after another);`,
    h.extraMsOverOneCluster > 0
      ? `  it takes ${fmt(h.extraMsOverOneCluster, 1)} ms longer than listing one cluster: the probes run concurrently, about one round trip.`
      : `  it takes no longer than listing one cluster (${fmt(h.extraMsOverOneCluster, 1)} ms): the probes run concurrently, about one round trip.`,
  )
}
lines.push('', 'targets (NODE_EXTRA_CA_CERTS unset):')
for (const v of results.verdicts) {
  lines.push(`  ${v.pass === null ? 'SKIP' : v.pass ? 'PASS' : 'FAIL'}  ${pad(v.target, 44, true)} ${pad(fmt(v.value, 1), 6)}  (${v.limit})`)
}
const failing = Object.values(results.modes).flatMap((m) => Object.entries(m.figures).filter(([k, x]) => k !== 'listHost' && x.exitCode !== 0).map(([k, x]) => `${k}: exit ${x.exitCode} ${x.stderr}`))
if (failing.length) lines.push('', 'non-zero exits (the cluster may be mid-switchover):', ...[...new Set(failing)].map((l) => `  ${l}`))
if (Object.values(results.modes).some((m) => Object.values(m.figures).some((x) => x.spreadPct > 15)) || results.loadAverageAfter > 1.5) {
  lines.push('', 'figures look disturbed (spread > 15% or load > 1.5): rerun on a quiet machine')
}
lines.push('', `JSON: ${join('.bench', 'results.json')}`)
process.stdout.write(`${lines.join('\n')}\n`)
