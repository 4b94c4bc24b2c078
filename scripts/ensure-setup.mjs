// Everything `npm test`, `npm run demo` and `npm run bench` need, from a fresh clone:
// Node dependencies (npm ci), the bundle, and, as root on Debian, the real test cluster
// (apt packages, etcd, Patroni, PostgreSQL) from test/cluster/up.sh.
// PGPT_SKIP_CLUSTER=1 skips the cluster (unit tests only). Under CI=true a cluster that
// cannot be built is a failure, not a skip.
import {spawnSync} from 'node:child_process'
import {existsSync, statSync} from 'node:fs'

const run = (command, args, options = {}) => {
  const result = spawnSync(command, args, {stdio: 'inherit', ...options})
  return result.status ?? 1
}
const say = (line) => process.stderr.write(`[setup] ${line}\n`)
const ci = process.env.CI === 'true' || process.env.CI === '1'

const installed = existsSync('node_modules/.package-lock.json')
if (!installed || statSync('package-lock.json').mtimeMs > statSync('node_modules/.package-lock.json').mtimeMs) {
  say('installing Node dependencies (npm ci)')
  if (run('npm', ['ci', '--no-audit', '--no-fund']) !== 0) process.exit(1)
}
if (run('node', ['scripts/build.mjs']) !== 0) process.exit(1)

if (process.env.PGPT_SKIP_CLUSTER) {
  say('PGPT_SKIP_CLUSTER is set: not building the test cluster; integration tests will be skipped')
} else if (process.getuid?.() !== 0 || !existsSync('/etc/debian_version')) {
  const why = 'the test cluster needs root on Debian (apt-get, PostgreSQL, Patroni, etcd)'
  if (ci) {
    say(`${why}: failing because CI=true`)
    process.exit(1)
  }
  say(`${why}: integration tests will be skipped`)
} else if (run('bash', ['test/cluster/up.sh']) !== 0) {
  say('the test cluster did not come up (see above)')
  if (ci) process.exit(1)
  say('integration tests will be skipped')
}
