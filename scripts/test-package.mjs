// npm test's last step (posttest), as root on Debian with the test cluster up: tests the .deb as
// installed. Builds it (npm run deb), installs it with apt-get, checks lintian, the files, the
// install-time code cache, the man page and completion, runs `pgpatronictl list` as postgres,
// runs the integration and command suites against /usr/bin/pgpatronictl with the machine's node
// and with Node 18 (scripts/node18.mjs), then purges the package and checks that nothing is left.
// Skipped, with the reason, without root, Debian, the cluster, or when PGPT_SKIP_PACKAGE or
// PGPT_SKIP_CLUSTER is set; under CI=true a skip for a missing prerequisite is a failure. It never
// replaces a pgpatronictl package it did not install.
import {execFileSync, spawnSync} from 'node:child_process'
import {chmodSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join, resolve} from 'node:path'
import {fileURLToPath} from 'node:url'

import {node18} from './node18.mjs'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const ci = process.env.CI === 'true' || process.env.CI === '1'
const say = (line) => process.stderr.write(`[package] ${line}\n`)
const started = Date.now()
const apt = {...process.env, DEBIAN_FRONTEND: 'noninteractive'}
const sh = (command, args, options = {}) =>
  execFileSync(command, args, {encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...options})
const ok = (command, args, options = {}) => spawnSync(command, args, {stdio: 'ignore', ...options}).status === 0

function skip(why, prerequisite = true) {
  if (ci && prerequisite) {
    say(`${why}: failing because CI=true`)
    process.exit(1)
  }
  say(`${why}: the installed package is not tested`)
  process.exit(0)
}
if (process.env.PGPT_SKIP_PACKAGE) skip('PGPT_SKIP_PACKAGE is set', false)
if (process.env.PGPT_SKIP_CLUSTER) skip('PGPT_SKIP_CLUSTER is set', false)
if (process.getuid?.() !== 0 || !existsSync('/etc/debian_version') || !ok('dpkg-deb', ['--version']))
  skip('installing a .deb needs root on Debian')
const statePath = join(process.env.PGPT_TEST_STATE || '/var/lib/pgpatronictl-test', 'cluster.json')
if (!existsSync(statePath)) skip(`no test cluster (${statePath})`)
const lab = JSON.parse(readFileSync(statePath, 'utf8'))
if (
  ok('dpkg-query', ['-W', '-f=${Status}', 'pgpatronictl']) &&
  sh('dpkg-query', ['-W', '-f=${Status}', 'pgpatronictl']).includes('installed')
) {
  skip(
    'a pgpatronictl package is installed already, and this test does not replace what it did not install (apt-get purge pgpatronictl, or set PGPT_SKIP_PACKAGE=1)',
  )
}

const failures = []
const check = (what, condition, detail = '') => {
  say(`${condition ? 'ok  ' : 'FAIL'} ${what}${condition || !detail ? '' : `: ${detail}`}`)
  if (!condition) failures.push(what)
}
const work = mkdtempSync(join(tmpdir(), 'pgpt-package-'))
chmodSync(work, 0o755)
let installed = false
let files = []
try {
  // --- build, lint, install ----------------------------------------------------------------
  for (const old of readdirSync(root).filter((f) => /^pgpatronictl_.*_all\.deb$/.test(f))) rmSync(join(root, old))
  execFileSync(process.execPath, [join(root, 'scripts', 'deb.mjs')], {
    cwd: root,
    stdio: ['ignore', 'inherit', 'inherit'],
  })
  const deb = readdirSync(root).find((f) => /^pgpatronictl_.*_all\.deb$/.test(f))
  check(`npm run deb built ${deb}`, Boolean(deb))
  if (!ok('lintian', ['--version'])) {
    say('installing lintian (apt-get)')
    execFileSync('apt-get', ['install', '-y', '-qq', 'lintian'], {env: apt, stdio: ['ignore', 'ignore', 'inherit']})
  }
  const lint = spawnSync('lintian', ['--fail-on', 'error', '-I', deb], {cwd: root, encoding: 'utf8'})
  const tags = lint.stdout.trim().split('\n').filter(Boolean)
  check('lintian: no error', lint.status === 0 && !tags.some((t) => t.startsWith('E:')), tags.join(' | '))
  check(
    'lintian: only the documented warning (initial-upload-closes-no-bugs)',
    tags.every((t) => /^[WI]: pgpatronictl: initial-upload-closes-no-bugs /.test(t)),
    tags.join(' | '),
  )
  sh('apt-get', ['install', '-y', '-qq', `./${deb}`], {cwd: root, env: apt, stdio: ['ignore', 'ignore', 'inherit']})
  installed = true
  files = sh('dpkg-query', ['-L', 'pgpatronictl']).trim().split('\n')

  // --- what is installed -------------------------------------------------------------------
  const want = [
    '/usr/bin/pgpatronictl',
    '/usr/share/pgpatronictl/bin/pgpatronictl.cjs',
    '/usr/share/pgpatronictl/dist/cli.cjs',
    '/usr/share/pgpatronictl/package.json',
    '/usr/share/man/man1/pgpatronictl.1.gz',
    '/usr/share/bash-completion/completions/pgpatronictl',
    '/usr/share/zsh/vendor-completions/_pgpatronictl',
    '/usr/share/doc/pgpatronictl/copyright',
    '/usr/share/doc/pgpatronictl/changelog.Debian.gz',
  ]
  check(
    'the files are where Debian looks for them',
    want.every((f) => files.includes(f) && existsSync(f)),
    want.filter((f) => !existsSync(f)).join(' '),
  )
  const control = sh('dpkg-query', ['-W', '-f=${Depends}|${Recommends}', 'pgpatronictl'])
  check(
    'Depends: nodejs (>= 18.19); Recommends: patroni, postgresql-common',
    control === 'nodejs (>= 18.19)|patroni, postgresql-common',
    control,
  )
  const cache = '/var/cache/pgpatronictl'
  const cached = existsSync(cache)
    ? readdirSync(cache)
        .map((f) => f.replace(/-[0-9a-f]{14}\.bin$/, ''))
        .sort()
    : []
  check(
    `postinst made the code cache in ${cache} (bundle and chunks)`,
    cached.join(' ') === 'code-cli code-prompts code-undici code-yaml',
    cached.join(' '),
  )
  check(
    `${cache} is root's and only root writes it`,
    existsSync(cache) && statSync(cache).uid === 0 && (statSync(cache).mode & 0o022) === 0,
  )

  // --- as the postgres user, as Debian runs things -------------------------------------------
  const pgCache = join(work, 'postgres-cache')
  const asPostgres = (args, env = {}) =>
    spawnSync(
      'runuser',
      [
        '-u',
        'postgres',
        '--',
        'env',
        `PGPATRONICTL_CONFIG_DIR=${lab.configDir}`,
        'NO_COLOR=1',
        ...Object.entries(env).map(([k, v]) => `${k}=${v}`),
        'pgpatronictl',
        ...args,
      ],
      {cwd: '/', encoding: 'utf8', timeout: 60_000},
    )
  sh('install', ['-d', '-o', 'postgres', '-g', 'postgres', '-m', '0700', pgCache])
  const list = asPostgres(['list'], {XDG_CACHE_HOME: pgCache})
  check(
    'runuser -u postgres -- pgpatronictl list: exit 0, every instance',
    list.status === 0 && list.stdout.includes('pgpt_ha') && list.stdout.includes('pgpt_plain'),
    `${list.status} ${list.stderr}`,
  )
  const written = readdirSync(join(pgCache, 'pgpatronictl')).filter((f) => f.startsWith('code-'))
  check(
    "the install-time cache served it: no code cache in postgres's cache directory",
    written.length === 0,
    written.join(' '),
  )
  const noHome = asPostgres(['list', lab.instances.ha.name, '-f', 'json'], {HOME: '/nonexistent', XDG_CACHE_HOME: ''})
  check(
    'as postgres without a home: list works, nothing on stderr',
    noHome.status === 0 && noHome.stderr === '' && JSON.parse(noHome.stdout).length === 3,
    `${noHome.status} ${noHome.stderr}`,
  )
  const dsn = asPostgres(['dsn', lab.instances.ha.name, '--member', 'node1'])
  const psql = spawnSync('runuser', ['-u', 'postgres', '--', 'psql', '-XAtc', 'select 1', dsn.stdout.trim()], {
    cwd: '/',
    encoding: 'utf8',
    timeout: 30_000,
  })
  check(
    `psql "$(pgpatronictl dsn ...)" as postgres (peer authentication over the socket): ${dsn.stdout.trim()}`,
    psql.stdout.trim() === '1',
    psql.stderr.trim(),
  )
  chmodSync(cache, 0o777)
  try {
    const distrusted = asPostgres(['--help'], {XDG_CACHE_HOME: pgCache})
    const own = readdirSync(join(pgCache, 'pgpatronictl')).filter((f) => f.startsWith('code-'))
    check(
      'a code cache directory others can write is ignored (compiled, and cached per user instead)',
      distrusted.status === 0 && own.length === 1,
      own.join(' '),
    )
  } finally {
    chmodSync(cache, 0o755)
  }

  // --- man page and completion ---------------------------------------------------------------
  const man = spawnSync('man', ['--warnings', '-l', '/usr/share/man/man1/pgpatronictl.1.gz'], {
    encoding: 'utf8',
    env: {...process.env, MANWIDTH: '100', MAN_KEEP_FORMATTING: ''},
  })
  const sections = [
    'NAME',
    'SYNOPSIS',
    'DESCRIPTION',
    'COMMANDS',
    'OPTIONS',
    'EXIT STATUS',
    'ENVIRONMENT',
    'FILES',
    'SECURITY',
    'SEE ALSO',
  ]
  const commands = Object.entries(
    JSON.parse(readFileSync('/usr/share/pgpatronictl/dist/oclif.manifest.json', 'utf8')).commands,
  )
    .filter(([, c]) => !c.hidden)
    .map(([id]) => id)
  check(
    'man -l pgpatronictl.1.gz: no warning, every section and command, patronictl(1) and pg_lsclusters(1)',
    man.status === 0 &&
      man.stderr === '' &&
      sections.every((s) => new RegExp(`^${s}$`, 'm').test(man.stdout)) &&
      commands.every((id) => man.stdout.includes(`pgpatronictl ${id}`)) &&
      /patronictl\(1\)/.test(man.stdout) &&
      /pg_lsclusters\(1\)/.test(man.stdout),
    man.stderr.trim().split('\n')[0],
  )
  check(
    'man pgpatronictl finds it',
    sh('man', ['-w', 'pgpatronictl']).trim() === '/usr/share/man/man1/pgpatronictl.1.gz',
  )
  const bash = spawnSync(
    'bash',
    ['-c', 'source /usr/share/bash-completion/completions/pgpatronictl && complete -p pgpatronictl'],
    {encoding: 'utf8'},
  )
  check('bash completion loads', bash.stdout.trim() === 'complete -F _pgpatronictl pgpatronictl', bash.stderr)
  check(
    'zsh completion is a #compdef file',
    readFileSync('/usr/share/zsh/vendor-completions/_pgpatronictl', 'utf8').startsWith('#compdef pgpatronictl\n'),
  )

  // --- the suites, against /usr/bin/pgpatronictl -----------------------------------------------
  const nodes = [["the machine's node", '/usr/bin/node']]
  try {
    nodes.push(['Node 18', node18({log: say})])
  } catch (error) {
    check('a Node 18 binary (scripts/node18.mjs)', false, error.message)
  }
  for (const [label, node] of nodes) {
    const version = sh(node, ['--version']).trim()
    say(`integration and command suites against /usr/bin/pgpatronictl on ${label} (${version})`)
    const t = Date.now()
    const suite = spawnSync(
      join(root, 'node_modules', '.bin', 'vitest'),
      ['run', 'test/integration', 'test/commands'],
      {
        cwd: root,
        env: {...process.env, PGPT_CLI: '/usr/bin/pgpatronictl', PGPT_NODE: node},
        stdio: ['ignore', 'inherit', 'inherit'],
      },
    )
    check(`suites pass on ${label} ${version} (${((Date.now() - t) / 1000).toFixed(0)} s)`, suite.status === 0)
  }
} catch (error) {
  check('the package test ran to its end', false, error.message.split('\n')[0])
} finally {
  if (installed) {
    spawnSync('apt-get', ['purge', '-y', '-qq', 'pgpatronictl'], {env: apt, stdio: ['ignore', 'ignore', 'inherit']})
    const left = [...files.filter((f) => f.includes('pgpatronictl')), '/var/cache/pgpatronictl'].filter((f) =>
      existsSync(f),
    )
    check(
      'apt-get purge pgpatronictl leaves nothing behind',
      !ok('dpkg-query', ['-W', 'pgpatronictl']) ||
        !sh('dpkg-query', ['-W', '-f=${Status}', 'pgpatronictl']).includes(' installed'),
      'still installed',
    )
    check('no file of the package, and no code cache, is left', left.length === 0, left.join(' '))
  }
  rmSync(work, {force: true, recursive: true})
}
say(
  `${failures.length ? `${failures.length} FAILED` : 'all passed'} in ${((Date.now() - started) / 1000).toFixed(0)} s`,
)
process.exit(failures.length ? 1 : 0)
