// npm run deb: builds pgpatronictl_<version>_all.deb in this directory with dpkg-deb, from this
// tree (no network: only what npm ci installed). Install it with
// `apt-get install ./pgpatronictl_*.deb`. What goes where, and why:
//   /usr/share/pgpatronictl/   package.json (what oclif reads), bin/pgpatronictl.cjs, dist/
//   /usr/bin/pgpatronictl      a link to bin/pgpatronictl.cjs, which runs /usr/bin/node
//   /usr/share/man/man1/pgpatronictl.1.gz          scripts/man.mjs: the commands' own help + README
//   /usr/share/bash-completion/completions/pgpatronictl, /usr/share/zsh/vendor-completions/_pgpatronictl
//                              what `pgpatronictl completion bash|zsh` prints
//   /usr/share/doc/pgpatronictl/  copyright (LICENSE and every bundled package's), changelog.Debian.gz
//                              (deb/changelog), README.md.gz
//   DEBIAN/                    deb/control, deb/postinst (V8 code cache into /var/cache/pgpatronictl),
//                              deb/postrm (removes it), deb/triggers (remake it when /usr/bin/node changes)
// Version: deb/changelog's first entry, which must be package.json's version plus a Debian
// revision (0.1.0-1). Timestamps: the last commit's time when the tree is clean (a reproducible
// package), else now, so that two different builds never look the same to the code cache.
import {execFileSync, spawnSync} from 'node:child_process'
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join, relative, resolve} from 'node:path'
import {fileURLToPath} from 'node:url'
import {gzipSync} from 'node:zlib'

import {manPage} from './man.mjs'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const say = (line) => process.stderr.write(`[deb] ${line}\n`)
const fail = (line) => {
  say(line)
  process.exit(1)
}
const read = (file) => readFileSync(join(root, file), 'utf8')
const gzip = (text) => gzipSync(text, {level: 9}) // no name, no time in the header: reproducible

const pkg = JSON.parse(read('package.json'))
const changelog = read('deb/changelog')
const version = /^pgpatronictl \(([^)]+)\)/.exec(changelog)?.[1]
if (!version?.startsWith(`${pkg.version}-`))
  fail(
    `deb/changelog's first entry is ${version ?? 'missing'}; package.json says ${pkg.version}: add an entry "pgpatronictl (${pkg.version}-1)"`,
  )
const nodeMin = /^>=\s*(\d+\.\d+)(\.0)?$/.exec(pkg.engines.node)?.[1]
if (!read('deb/control').includes(`Depends: nodejs (>= ${nodeMin})`))
  fail(`deb/control must depend on nodejs (>= ${nodeMin}), as package.json engines say (${pkg.engines.node})`)
for (const tool of ['dpkg-deb'])
  if (spawnSync(tool, ['--version'], {stdio: 'ignore'}).status !== 0) fail(`${tool} is missing (apt-get install dpkg)`)

const git = (...args) => spawnSync('git', args, {cwd: root, encoding: 'utf8'})
const clean = git('status', '--porcelain').status === 0 && git('status', '--porcelain').stdout.trim() === ''
const epoch =
  Number(process.env.SOURCE_DATE_EPOCH) ||
  (clean && Number(git('log', '-1', '--format=%ct').stdout.trim())) ||
  Math.floor(Date.now() / 1000)
process.env.SOURCE_DATE_EPOCH = String(epoch) // dpkg-deb takes its archive times from it

say('building dist/ (npm run build)')
execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs')], {cwd: root, stdio: 'inherit'})

const stage = mkdtempSync(join(tmpdir(), 'pgpatronictl-deb-'))
chmodSync(stage, 0o755) // the package's /
process.on('exit', () => rmSync(stage, {force: true, recursive: true}))
const put = (path, content, mode = 0o644) => {
  const file = join(stage, path)
  mkdirSync(dirname(file), {recursive: true})
  writeFileSync(file, content)
  chmodSync(file, mode)
}

// --- the program -------------------------------------------------------------------------
const share = 'usr/share/pgpatronictl'
const manifest = JSON.parse(read('dist/oclif.manifest.json'))
const runtime = Object.fromEntries(
  ['name', 'version', 'description', 'license', 'type', 'bin', 'engines', 'oclif'].map((k) => [k, pkg[k]]),
)
put(`${share}/package.json`, `${JSON.stringify(runtime, null, 2)}\n`)
// /usr/bin/node, not env: the nodejs package's node, whatever PATH says (Debian policy 10.4)
put(`${share}/bin/pgpatronictl.cjs`, read('bin/pgpatronictl.cjs').replace(/^#!.*\n/, '#!/usr/bin/node\n'), 0o755)
for (const file of pkg.files.filter((f) => f.startsWith('dist/')))
  put(`${share}/${file}`, readFileSync(join(root, file)))
const unlisted = readdirSync(join(root, 'dist')).filter((f) => f.endsWith('.cjs') && !pkg.files.includes(`dist/${f}`))
if (unlisted.length) fail(`dist/ has files package.json "files" does not ship: ${unlisted.join(', ')}`)
mkdirSync(join(stage, 'usr/bin'), {recursive: true})
symlinkSync('../share/pgpatronictl/bin/pgpatronictl.cjs', join(stage, 'usr/bin/pgpatronictl'))

// --- manual page and completion, from the staged program itself ----------------------------
put(
  'usr/share/man/man1/pgpatronictl.1.gz',
  gzip(
    manPage({
      date: new Date(epoch * 1000).toISOString().slice(0, 10),
      manifest,
      readme: read('README.md'),
      version: pkg.version,
    }),
  ),
)
const staged = (...args) =>
  execFileSync(process.execPath, [join(stage, share, 'bin/pgpatronictl.cjs'), ...args], {
    encoding: 'utf8',
    env: {...process.env, PGPATRONICTL_NO_CODE_CACHE: '1'},
  })
put('usr/share/bash-completion/completions/pgpatronictl', staged('completion', 'bash'))
put('usr/share/zsh/vendor-completions/_pgpatronictl', staged('completion', 'zsh'))

// --- documentation ---------------------------------------------------------------------------
const doc = 'usr/share/doc/pgpatronictl'
put(`${doc}/copyright`, copyright())
put(`${doc}/changelog.Debian.gz`, gzip(changelog))
put(`${doc}/README.md.gz`, gzip(read('README.md')))

// --- control ---------------------------------------------------------------------------------
const files = walk(stage)
const installedKiB = files.reduce(
  (sum, f) => sum + (f.link ? 1 : Math.ceil(statSync(join(stage, f.path)).size / 1024)),
  0,
)
put(
  'DEBIAN/control',
  read('deb/control').replace('@VERSION@', version).replace('@INSTALLED_SIZE@', String(installedKiB)),
)
for (const script of ['postinst', 'postrm']) put(`DEBIAN/${script}`, read(`deb/${script}`), 0o755)
put('DEBIAN/triggers', read('deb/triggers'))
const md5 = files
  .filter((f) => !f.link)
  .map((f) => `${execFileSync('md5sum', [join(stage, f.path)], {encoding: 'utf8'}).split(' ')[0]}  ${f.path}`)
put('DEBIAN/md5sums', `${md5.join('\n')}\n`)

for (const f of [...walk(stage, true), {path: ''}]) if (!f.link) utimesSync(join(stage, f.path), epoch, epoch)
const out = join(root, `pgpatronictl_${version}_all.deb`)
execFileSync('dpkg-deb', ['--root-owner-group', '-Zxz', '--build', stage, out], {
  stdio: ['ignore', 'ignore', 'inherit'],
})
say(
  `${relative(process.cwd(), out) || out}: ${(statSync(out).size / 1024).toFixed(0)} KiB, ${installedKiB} KiB installed, ${files.length} files`,
)

/** Files and links under dir (relative paths, sorted); with dirs, the directories too. */
function walk(dir, dirs = false, base = dir) {
  const found = []
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name)
    const stat = lstatSync(path)
    const rel = relative(base, path)
    if (stat.isDirectory()) {
      if (rel === 'DEBIAN' && !dirs) continue
      found.push(...walk(path, dirs, base))
      if (dirs) found.push({path: rel})
    } else {
      found.push({link: stat.isSymbolicLink(), path: rel})
    }
  }
  return found
}

/**
 * debian/copyright (machine-readable format): pgpatronictl's LICENSE, then every runtime
 * package of the lockfile (the bundles in dist/ are built from them) with its copyright lines.
 */
function copyright() {
  const TEXTS = {
    'Apache-2.0':
      ' On Debian systems, the complete text of the Apache License, Version 2.0, is in\n /usr/share/common-licenses/Apache-2.0.',
    Expat: licenseBody(read('LICENSE')),
    ISC: [
      'Permission to use, copy, modify, and/or distribute this software for any',
      'purpose with or without fee is hereby granted, provided that the above',
      'copyright notice and this permission notice appear in all copies.',
      '',
      'THE SOFTWARE IS PROVIDED "AS IS" AND THE AUTHOR DISCLAIMS ALL WARRANTIES',
      'WITH REGARD TO THIS SOFTWARE INCLUDING ALL IMPLIED WARRANTIES OF',
      'MERCHANTABILITY AND FITNESS. IN NO EVENT SHALL THE AUTHOR BE LIABLE FOR',
      'ANY SPECIAL, DIRECT, INDIRECT, OR CONSEQUENTIAL DAMAGES OR ANY DAMAGES',
      'WHATSOEVER RESULTING FROM LOSS OF USE, DATA OR PROFITS, WHETHER IN AN',
      'ACTION OF CONTRACT, NEGLIGENCE OR OTHER TORTIOUS ACTION, ARISING OUT OF',
      'OR IN CONNECTION WITH THE USE OR PERFORMANCE OF THIS SOFTWARE.',
    ]
      .map((l) => (l ? ` ${l}` : ' .'))
      .join('\n'),
  }
  const SPDX = {'Apache-2.0': 'Apache-2.0', ISC: 'ISC', MIT: 'Expat', '(MIT OR CC0-1.0)': 'Expat'}
  const own = /^Copyright \(c\) (.+)$/m.exec(read('LICENSE'))?.[1]
  const paragraphs = [
    [
      'Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/',
      'Upstream-Name: pgpatronictl',
      'Upstream-Contact: pgpatronictl maintainers',
    ],
    ['Files: *', `Copyright: ${own}`, 'License: Expat'],
  ]
  const lock = JSON.parse(read('package-lock.json'))
  const used = new Set()
  for (const [path, entry] of Object.entries(lock.packages)) {
    if (!path || entry.dev || entry.devOptional) continue
    const dir = join(root, path)
    const meta = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))
    if (!meta.main && !meta.exports && !existsSync(join(dir, 'index.js'))) continue // types only, nothing shipped
    const license = SPDX[entry.license ?? meta.license]
    if (!license) fail(`${path}: license ${entry.license ?? meta.license} has no text in scripts/deb.mjs: add it`)
    used.add(license)
    const holders = copyrightLines(dir) ?? [authorOf(meta) ?? `the ${meta.name} authors`]
    paragraphs.push([
      `Files: ${path}/*`,
      `Copyright: ${holders.join('\n ')}`,
      `License: ${license}`,
      `Comment: ${meta.name} ${meta.version}, bundled into /${share}/dist/`,
    ])
  }
  for (const license of ['Expat', ...[...used].filter((l) => l !== 'Expat').sort()])
    paragraphs.push([`License: ${license}`, TEXTS[license]])
  return `${paragraphs.map((p) => p.join('\n')).join('\n\n')}\n`
}

/** The license text after its copyright lines, as a DEP-5 paragraph body. */
function licenseBody(text) {
  const lines = text.trim().split('\n')
  const start = lines.findIndex((l) => /^Permission /.test(l))
  return lines
    .slice(start)
    .map((l) => (l.trim() ? ` ${l.trim()}` : ' .'))
    .join('\n')
}

/** "Copyright (c) 2015 Someone" lines of a package's license file, without the word Copyright. */
function copyrightLines(dir) {
  const file = readdirSync(dir).find((f) => /^(licen[cs]e|copying)(\.(md|txt))?$/i.test(f))
  if (!file) return undefined
  const lines = readFileSync(join(dir, file), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter(
      (l) =>
        /^copyright\b/i.test(l) &&
        !/^copyright (notice|and permission|holders?)\b/i.test(l) &&
        /\d{4}|\(c\)|©/i.test(l),
    )
    .map((l) =>
      l
        .replace(/^copyright\s*(\(c\)|©)?\s*/i, '')
        .replace(/[^\x20-\x7e]/g, '')
        .trim(),
    )
  return lines.length ? [...new Set(lines)] : undefined
}

function authorOf(meta) {
  const author = typeof meta.author === 'string' ? meta.author : meta.author?.name
  return author?.replace(/[^\x20-\x7e]/g, '').trim() || undefined
}
