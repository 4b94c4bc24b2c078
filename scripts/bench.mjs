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
// Scale (no test cluster needed; --scale-only measures just that, startup and the floor):
// `list --fleet` over 1,000 synthetic clusters of 3 members (and 250 and 4,000, to show growth) in a
// private etcd started here (free ports, own data dir, stopped through its handle at the end), and
// `list V/C` of one /cluster of 20,000 members served by a local fake REST API: wall and CPU time,
// peak RSS, and the DCS requests made.
import {spawn, spawnSync} from 'node:child_process'
import {existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {createServer} from 'node:http'
import {createServer as createTcpServer} from 'node:net'
import {loadavg, tmpdir} from 'node:os'
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

const TARGETS = {
  helpOverFloorMs: 40,
  listClusterOverFloorMs: 60,
  speedupVsPatronictl: 6,
  peakRssMiB: 60,
  fleet1000WallMs: 1000,
  fleet1000CpuMs: 1000,
  render20000WallMs: 2000,
}

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
if (argv.includes('--scale-only')) cluster = undefined

const which = (cmd) => {
  for (const dir of (process.env.PATH || '/usr/bin:/bin').split(':')) {
    if (dir && existsSync(join(dir, cmd))) return join(dir, cmd)
  }
  return undefined
}
const patronictl = cluster && which('patronictl')
const bin = join(root, 'bin', 'pgpatronictl.cjs')
const cli = [process.execPath, bin] // the machine's node, for the scale figures

// The machine's node, and Node 18 (the oldest supported: Debian 12, Ubuntu 24.04) unless
// --no-node18: scripts/node18.mjs, or $PGPT_NODE18.
const nodes = [{key: '', node: process.execPath, version: process.version}]
if (!argv.includes('--no-node18')) {
  try {
    const node = node18({log: say})
    nodes.push({
      key: '18',
      node,
      version: `v${spawnSync(node, ['-p', 'process.versions.node'], {encoding: 'utf8'}).stdout.trim()}`,
    })
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
      {
        argv: [...cli, 'list', cluster.name, '-f', 'json'],
        key: `listCluster${key}`,
        label: `${tag}pgpatronictl list ${cluster.name} -f json`,
      },
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
    const args = [
      '-N',
      '--warmup',
      String(WARMUP),
      '--runs',
      String(RUNS),
      '-i',
      '--style',
      'none',
      '--export-json',
      out,
    ]
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
    const r = spawnSync(gnuTime, ['-f', '%M', ...c.argv], {
      cwd: root,
      encoding: 'utf8',
      env,
      stdio: ['ignore', 'ignore', 'pipe'],
    })
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
  {
    env: baseEnv,
    key: 'asIs',
    label: `environment as is (NODE_EXTRA_CA_CERTS ${process.env.NODE_EXTRA_CA_CERTS ? 'set' : 'not set'})`,
  },
  {
    env: Object.fromEntries(Object.entries(baseEnv).filter(([k]) => k !== 'NODE_EXTRA_CA_CERTS')),
    key: 'noCa',
    label: 'NODE_EXTRA_CA_CERTS unset',
  },
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
  timer: hyperfine
    ? `hyperfine ${spawnSync(hyperfine, ['--version'], {encoding: 'utf8'}).stdout.trim().split(' ').pop()}`
    : 'own loop, commands interleaved',
  rssTool: gnuTime ? 'GNU time' : python ? 'python3 getrusage' : 'none',
  warmup: WARMUP,
}
// Prime the code cache the way a user does: the first command run writes it.
for (const c of commands.filter((c) => c.argv[1] === bin))
  spawnSync(c.argv[0], c.argv.slice(1), {cwd: root, env: baseEnv, stdio: 'ignore'})

for (const mode of modes) {
  say(`measuring: ${mode.label}, ${WARMUP} warmup + ${RUNS} runs each (${results.timer})`)
  const times = timeAll(mode.env, mode.key)
  const figures = {}
  for (const c of commands) {
    const ms = times[c.key] ?? []
    const m = median(ms)
    const spread = ms.length ? (median(ms.map((t) => Math.abs(t - m))) / m) * 100 : null
    const rss = median([1, 2, 3].map(() => peakRss(c, mode.env)))
    figures[c.key] = {
      medianMs: m,
      minMs: ms.length ? Math.min(...ms) : null,
      peakRssMiB: rss,
      runs: ms.length,
      spreadPct: spread,
      ...probe(c, mode.env),
    }
  }
  for (const [key, f] of Object.entries(figures)) {
    const floor = figures[key.endsWith('18') ? 'floor18' : 'floor'].medianMs
    f.overFloorMs = f.medianMs === null ? null : f.medianMs - floor
  }
  if (figures.patronictl && figures.listCluster)
    figures.patronictl.ratioVsListCluster = figures.patronictl.medianMs / figures.listCluster.medianMs
  results.modes[mode.key] = {figures, label: mode.label}
}
results.loadAverageAfter = loadavg()[0]

// --- scale: 1,000 clusters from one DCS read, and a /cluster of 20,000 members -----------------
const freePort = () =>
  new Promise((resolvePort) => {
    const server = createTcpServer()
    server.listen(0, '127.0.0.1', () => {
      const {port} = server.address()
      server.close(() => resolvePort(port))
    })
  })

/** One run without blocking this process (the fake REST API answers from it): wall ms, CPU ms, peak RSS MiB, stderr. */
function runAsync(argv, env) {
  const timed = gnuTime ? [gnuTime, '-f', '%U %S %M', ...argv] : argv
  return new Promise((resolveRun) => {
    const started = process.hrtime.bigint()
    const child = spawn(timed[0], timed.slice(1), {cwd: root, env, stdio: ['ignore', 'pipe', 'pipe']})
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (c) => (stdout += c))
    child.stderr.on('data', (c) => (stderr += c))
    child.on('exit', (code) => {
      const wallMs = Number(process.hrtime.bigint() - started) / 1e6
      const last = stderr.trimEnd().split('\n').pop() ?? ''
      const m = gnuTime ? /^([\d.]+) ([\d.]+) (\d+)$/.exec(last) : null
      resolveRun({
        code,
        cpuMs: m ? (Number(m[1]) + Number(m[2])) * 1000 : null,
        rssMiB: m ? Number(m[3]) / 1024 : null,
        stderr: m ? stderr.slice(0, stderr.lastIndexOf(last)) : stderr,
        stdout,
        wallMs,
      })
    })
  })
}

async function measureRuns(argv, env, runs) {
  const all = []
  for (let i = 0; i < WARMUP + runs; i++) {
    const r = await runAsync(argv, env)
    if (i >= WARMUP) all.push(r)
  }
  const last = all.at(-1)
  return {
    cpuMs: median(all.map((r) => r.cpuMs)),
    exitCode: last.code,
    outputBytes: last.stdout.length,
    peakRssMiB: median(all.map((r) => r.rssMiB)),
    requests: [...last.stderr.matchAll(/^debug: (\w+ \S+) -> \d+ \((\d+) ms\)$/gm)].map(
      (x) => `${x[1].replace(/^(\w+) https?:\/\/[^/]+/, '$1 ')} (${x[2]} ms)`,
    ),
    runs: all.length,
    wallMs: median(all.map((r) => r.wallMs)),
  }
}

/** Patroni 3.0.2's keys for one 3-member cluster, with Debian's dynamic config and some history. */
function benchCluster(prefix, i) {
  const optime = 100_000_000 + i
  const config = {
    check_timeline: true,
    loop_wait: 10,
    maximum_lag_on_failover: 1_048_576,
    postgresql: {
      parameters: null,
      pg_hba: [
        'local   all             all                                     peer',
        'host    all             all             127.0.0.1/32            md5',
        'host    replication     all             127.0.0.1/32            md5',
      ],
      use_pg_rewind: true,
      use_slots: true,
    },
    retry_timeout: 10,
    ttl: 30,
  }
  const keys = {
    [`${prefix}config`]: JSON.stringify(config),
    [`${prefix}history`]: JSON.stringify([
      [1, 67_393_352, 'no recovery target specified', '2026-11-29T22:41:24.671731+00:00', 'node2'],
    ]),
    [`${prefix}initialize`]: String(7_712_075_003_020_000_000n + BigInt(i)),
    [`${prefix}leader`]: 'node1',
    [`${prefix}status`]: JSON.stringify({optime}),
  }
  for (const n of [1, 2, 3]) {
    const host = `10.${(i >> 8) & 255}.${i & 255}.${n}`
    keys[`${prefix}members/node${n}`] = JSON.stringify({
      api_url: `http://${host}:8008/patroni`,
      conn_url: `postgres://${host}:5432/postgres`,
      role: n === 1 ? 'master' : 'replica',
      state: 'running',
      timeline: 3,
      version: '3.0.2',
      xlog_location: optime,
    })
  }
  return keys
}

async function benchScale() {
  const etcdBin = '/usr/bin/etcd'
  const out = {}
  const work = mkdtempSync(join(tmpdir(), 'pgpt-bench-'))
  const env = {...baseEnv, PGPATRONICTL_CONFIG_DIR: join(work, 'patroni')}
  delete env.NODE_EXTRA_CA_CERTS
  mkdirSync(env.PGPATRONICTL_CONFIG_DIR)
  let etcd
  let rest
  try {
    if (existsSync(etcdBin)) {
      const [client, peer] = [await freePort(), await freePort()]
      const url = `http://127.0.0.1:${client}`
      etcd = spawn(
        etcdBin,
        [
          '--name',
          'pgpt-bench',
          '--data-dir',
          join(work, 'etcd'),
          '--listen-client-urls',
          url,
          '--advertise-client-urls',
          url,
          '--listen-peer-urls',
          `http://127.0.0.1:${peer}`,
          '--initial-advertise-peer-urls',
          `http://127.0.0.1:${peer}`,
          '--initial-cluster',
          `pgpt-bench=http://127.0.0.1:${peer}`,
          '--log-level',
          'error',
        ],
        {stdio: 'ignore'},
      )
      for (let i = 0; i < 200; i++) {
        try {
          if ((await fetch(`${url}/health`, {signal: AbortSignal.timeout(1000)})).ok) break
        } catch {}
        await new Promise((r) => setTimeout(r, 100))
      }
      const b64 = (t) => Buffer.from(t).toString('base64')
      // 1,000 clusters (the target), and 250 and 4,000 to show that time and memory grow with the data
      for (const count of [1000, 250, 4000]) {
        const ns = `/pgpt-bench-${count}/`
        const keys = Object.entries(
          Object.assign(
            {},
            ...Array.from({length: count}, (_, i) => benchCluster(`${ns}15-c${String(i).padStart(4, '0')}/`, i)),
          ),
        )
        for (let i = 0; i < keys.length; i += 128) {
          const success = keys
            .slice(i, i + 128)
            .map(([key, value]) => ({requestPut: {key: b64(key), value: b64(value)}}))
          await fetch(`${url}/v3/kv/txn`, {body: JSON.stringify({success}), method: 'POST'})
        }
        say(`fleet: ${count} clusters x 3 members (${keys.length} keys) in a private etcd on 127.0.0.1:${client}`)
        for (const format of count === 1000 ? ['json', 'pretty'] : ['json']) {
          const argv = [...cli, 'list', '--fleet', '-d', `etcd3://127.0.0.1:${client}${ns}`, '-f', format, '--debug']
          const runs = count === 1000 ? Math.max(5, Math.round(RUNS / 2)) : 3
          out[`fleet${count}${format === 'json' ? 'Json' : 'Pretty'}`] = {
            command: argv.slice(1).join(' '),
            ...(await measureRuns(argv, env, runs)),
          }
        }
      }
    } else {
      say(`fleet: ${etcdBin} missing (Debian package etcd-server): not measured`)
    }
    // a /cluster of 20,000 members from a fake REST API, rendered as list V/C does
    const members = Array.from({length: 20_000}, (_, i) => ({
      api_url: `http://10.0.${i >> 8}.${i & 255}:8008/patroni`,
      host: `10.0.${i >> 8}.${i & 255}`,
      lag: i === 0 ? undefined : 0,
      name: `node${i}`,
      port: 5432,
      role: i === 0 ? 'leader' : 'replica',
      state: 'running',
      timeline: 3,
    }))
    const body = JSON.stringify({members, scope: '15-bench'})
    rest = createServer((req, res) =>
      res.end(
        req.url === '/cluster'
          ? body
          : JSON.stringify({database_system_identifier: '7712075003020920185', role: 'master'}),
      ),
    )
    await new Promise((r) => rest.listen(0, '127.0.0.1', r))
    const restPort = rest.address().port
    writeFileSync(
      join(env.PGPATRONICTL_CONFIG_DIR, '15-bench.yml'),
      `scope: "15-bench"\nnamespace: "/pgpt-bench/"\nname: node0\nrestapi:\n  listen: 127.0.0.1:${restPort}\n  connect_address: 127.0.0.1:${restPort}\n`,
    )
    say('render: list 15/bench of a /cluster with 20,000 members')
    const argv = [...cli, 'list', '15/bench']
    out.render20000 = {
      command: argv.slice(1).join(' '),
      ...(await measureRuns(argv, env, Math.max(3, Math.round(RUNS / 4)))),
    }
  } finally {
    if (etcd && etcd.exitCode === null) {
      const exited = new Promise((r) => etcd.once('exit', r))
      etcd.kill('SIGKILL') // our own child, by its handle
      await exited
    }
    rest?.close()
    rmSync(work, {force: true, recursive: true})
  }
  return out
}
results.scale = await benchScale()

// --- judge (NODE_EXTRA_CA_CERTS unset) --------------------------------------------------------
const f = results.modes.noCa.figures
const ours = ['help', 'listHost', 'listCluster'].filter((k) => f[k])
const verdicts = [
  [
    '--help over the node floor',
    f.help.overFloorMs,
    `<= ${TARGETS.helpOverFloorMs} ms`,
    f.help.overFloorMs <= TARGETS.helpOverFloorMs,
  ],
  f.listCluster && [
    'list VERSION/CLUSTER -f json over the floor',
    f.listCluster.overFloorMs,
    `<= ${TARGETS.listClusterOverFloorMs} ms`,
    f.listCluster.overFloorMs <= TARGETS.listClusterOverFloorMs,
  ],
  f.patronictl && [
    'same list vs patronictl (times faster)',
    f.patronictl.ratioVsListCluster,
    `>= ${TARGETS.speedupVsPatronictl}x`,
    f.patronictl.ratioVsListCluster >= TARGETS.speedupVsPatronictl,
  ],
  ...ours.map((k) => {
    const rss = f[k].peakRssMiB
    return [
      `peak RSS, ${commands.find((c) => c.key === k).label.replace('pgpatronictl ', '')} (MiB)`,
      rss,
      `<= ${TARGETS.peakRssMiB} MiB`,
      rss === null ? null : rss <= TARGETS.peakRssMiB,
    ]
  }),
  results.scale.fleet1000Json && [
    'fleet 1,000 clusters -f json: wall ms',
    results.scale.fleet1000Json.wallMs,
    `< ${TARGETS.fleet1000WallMs} ms`,
    results.scale.fleet1000Json.wallMs < TARGETS.fleet1000WallMs,
  ],
  results.scale.fleet1000Pretty && [
    'fleet 1,000 clusters pretty: wall ms',
    results.scale.fleet1000Pretty.wallMs,
    `< ${TARGETS.fleet1000WallMs} ms`,
    results.scale.fleet1000Pretty.wallMs < TARGETS.fleet1000WallMs,
  ],
  results.scale.fleet1000Pretty?.cpuMs != null && [
    'fleet 1,000 clusters pretty: CPU ms',
    results.scale.fleet1000Pretty.cpuMs,
    `< ${TARGETS.fleet1000CpuMs} ms`,
    results.scale.fleet1000Pretty.cpuMs < TARGETS.fleet1000CpuMs,
  ],
  results.scale.fleet1000Json && [
    'fleet 1,000 clusters: DCS requests',
    results.scale.fleet1000Json.requests.length,
    '= 1',
    results.scale.fleet1000Json.requests.length === 1,
  ],
  results.scale.render20000 && [
    'list V/C of 20,000 members: wall ms',
    results.scale.render20000.wallMs,
    `< ${TARGETS.render20000WallMs} ms`,
    results.scale.render20000.wallMs < TARGETS.render20000WallMs,
  ],
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
const fmt = (x, digits = 0, sign = false) =>
  x === null || x === undefined || Number.isNaN(x) ? '-' : `${sign && x >= 0 ? '+' : ''}${x.toFixed(digits)}`
const pad = (s, n, right = false) => (right ? String(s).padEnd(n) : String(s).padStart(n))
const width = Math.max(...commands.map((c) => c.label.length))
const lines = []
lines.push(
  `pgpatronictl benchmark: ${results.machine.cpus} CPUs, node ${results.machine.node}, ${results.timer}, ${WARMUP} warmup + ${RUNS} runs, medians; load ${fmt(results.loadAverageBefore, 2)} -> ${fmt(results.loadAverageAfter, 2)}`,
)
for (const mode of modes) {
  const figs = results.modes[mode.key].figures
  lines.push('', `${mode.label}:`)
  lines.push(
    `  ${pad('command', width, true)}  ${pad('median ms', 9)}  ${pad('over floor', 10)}  ${pad('spread', 6)}  ${pad('peak RSS MiB', 12)}  exit`,
  )
  for (const c of commands) {
    const x = figs[c.key]
    const note =
      c.key === 'patronictl'
        ? `  (${fmt(x.ratioVsListCluster, 1)}x the pgpatronictl list)`
        : c.key.endsWith('18') && !c.key.startsWith('floor') && figs[c.key.slice(0, -2)]
          ? `  (${fmt(x.overFloorMs - figs[c.key.slice(0, -2)].overFloorMs, 1, true)} ms vs ${nodes[0].version})`
          : ''
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
if (Object.keys(results.scale).length > 0) {
  lines.push('', 'scale (NODE_EXTRA_CA_CERTS unset):')
  lines.push(
    `  ${pad('command', 72, true)}  ${pad('median ms', 9)}  ${pad('CPU ms', 7)}  ${pad('peak RSS MiB', 12)}  ${pad('output', 9)}  exit  DCS requests`,
  )
  for (const x of Object.values(results.scale)) {
    const requests = x.requests.length > 0 ? x.requests.join(', ') : '-'
    lines.push(
      `  ${pad(x.command.replace(/^\S*bin\/pgpatronictl\.cjs /, 'pgpatronictl '), 72, true)}  ${pad(fmt(x.wallMs, 1), 9)}  ${pad(fmt(x.cpuMs), 7)}  ${pad(fmt(x.peakRssMiB, 1), 12)}  ${pad(`${fmt(x.outputBytes / 1024)} KiB`, 9)}  ${pad(x.exitCode ?? '-', 4)}  ${requests}`,
    )
  }
}
lines.push('', 'targets (NODE_EXTRA_CA_CERTS unset):')
for (const v of results.verdicts) {
  lines.push(
    `  ${v.pass === null ? 'SKIP' : v.pass ? 'PASS' : 'FAIL'}  ${pad(v.target, 44, true)} ${pad(fmt(v.value, 1), 6)}  (${v.limit})`,
  )
}
const failing = Object.values(results.modes).flatMap((m) =>
  Object.entries(m.figures)
    .filter(([k, x]) => k !== 'listHost' && x.exitCode !== 0)
    .map(([k, x]) => `${k}: exit ${x.exitCode} ${x.stderr}`),
)
if (failing.length)
  lines.push('', 'non-zero exits (the cluster may be mid-switchover):', ...[...new Set(failing)].map((l) => `  ${l}`))
if (
  Object.values(results.modes).some((m) => Object.values(m.figures).some((x) => x.spreadPct > 15)) ||
  results.loadAverageAfter > 1.5
) {
  lines.push('', 'figures look disturbed (spread > 15% or load > 1.5): rerun on a quiet machine')
}
lines.push('', `JSON: ${join('.bench', 'results.json')}`)
process.stdout.write(`${lines.join('\n')}\n`)
