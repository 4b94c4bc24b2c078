import {chownSync, copyFileSync, mkdirSync, symlinkSync} from 'node:fs'
import {join} from 'node:path'
import {stringify} from 'yaml'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {auditHost} from '../../../src/lib/check/check.js'
import {type AuditReport, type Finding, auditExitCode} from '../../../src/lib/check/findings.js'
import {ExitCode} from '../../../src/lib/errors.js'
import {HostTree} from '../../helpers/host-tree.js'

type Doc = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any

/** Debian's template as pg_createconfig_patroni writes it, with a superuser password and paths inside the tree. */
function debianConfig(tree: HostTree, version: string, cluster: string, pgPort: number): Doc {
  return {
    bootstrap: {
      dcs: {
        maximum_lag_on_failover: 1_048_576,
        postgresql: {
          pg_hba: [
            'local   all             all                                     peer',
            'host    all             all             127.0.0.1/32            md5',
            'host    replication     all             127.0.0.1/32            md5',
          ],
          use_pg_rewind: true,
        },
      },
      method: 'pg_createcluster',
      pg_createcluster: {command: '/usr/share/patroni/pg_createcluster_patroni'},
    },
    etcd3: {hosts: '127.0.0.1:1'},
    name: 'node1',
    namespace: '/postgresql-common/',
    postgresql: {
      authentication: {
        replication: {password: 'SECRET-replication-pw', username: 'replicator'},
        superuser: {password: 'SECRET-superuser-pw', username: 'postgres'},
      },
      config_dir: join(tree.paths.pg.confRoot, version, cluster),
      connect_address: `127.0.0.1:${pgPort}`,
      create_replica_method: ['basebackup'],
      data_dir: join(tree.root, 'var/lib/postgresql', version, cluster),
      listen: `127.0.0.1:${pgPort}`,
      use_unix_socket: true,
    },
    restapi: {connect_address: `127.0.0.1:${pgPort + 2576}`, listen: `127.0.0.1:${pgPort + 2576}`},
    scope: `${version}-${cluster}`,
  }
}

describe('check: config and host checks', () => {
  let tree: HostTree
  const systemdDir = () => join(tree.root, 'etc/systemd/system')
  const audit = async (...names: string[]): Promise<AuditReport> =>
    auditHost(
      {...tree.paths, systemdDir: systemdDir()},
      names.map((n) => ({cluster: n.split('/')[1]!, version: n.split('/')[0]!})),
      {connect: {timeoutMs: 1000, warn: () => {}}, live: false},
    )
  /** Findings other than the inline-secret note every config with a password gets. */
  const problems = (report: AuditReport, check?: string): Finding[] =>
    report.findings.filter((f) => f.check !== 'inline-secret' && (check === undefined || f.check === check))
  /** A bootstrapped Patroni instance: pg-common cluster (start.conf manual) plus its config. */
  const instance = (cluster: string, pgPort: number, change: (doc: Doc) => void = () => {}, mode = 0o660) => {
    tree.pgCluster('15', cluster, pgPort)
    const doc = debianConfig(tree, '15', cluster, pgPort)
    change(doc)
    return tree.patroniConfig(`15-${cluster}`, stringify(doc), mode)
  }

  beforeEach(() => {
    tree = new HostTree()
    tree.installVersion('15')
    mkdirSync(systemdDir(), {recursive: true})
  })
  afterEach(() => tree.remove())

  it('finds nothing wrong with a clean Debian instance but the inline passwords (info)', async () => {
    const file = instance('main', 5432)
    const report = await audit()
    expect(report.checked).toEqual(['15/main'])
    expect(problems(report)).toEqual([])
    expect(report.findings).toEqual([
      expect.objectContaining({
        fix: expect.stringMatching(
          /^move them to PATRONI_SUPERUSER_PASSWORD, PATRONI_REPLICATION_PASSWORD in a 0600 root-owned file, loaded with EnvironmentFile= in `systemctl edit patroni@15-main`$/,
        ),
        instance: '15/main',
        key: 'postgresql.authentication.superuser.password, postgresql.authentication.replication.password',
        line: expect.any(Number),
        severity: 'info',
        where: file,
      }),
    ])
    expect(auditExitCode(report)).toBe(ExitCode.ok)
  })

  describe('config file access', () => {
    it('errors on a world-readable config that holds passwords', async () => {
      const file = instance('main', 5432, undefined, 0o644)
      const report = await audit()
      expect(problems(report)).toEqual([
        {
          check: 'config-access',
          fix: `chown postgres:postgres ${file} && chmod 0660 ${file} (as pg_createconfig_patroni does)`,
          instance: '15/main',
          key: 'mode 0644 root:root',
          line: undefined,
          problem:
            'readable by every user and holds passwords (postgresql.authentication.superuser.password, postgresql.authentication.replication.password)',
          severity: 'error',
          where: file,
        },
      ])
      expect(auditExitCode(report)).toBe(ExitCode.failed)
    })

    it('errors on an owner other than root or postgres, and on anyone else writing it', async () => {
      const file = instance('main', 5432, undefined, 0o666)
      chownSync(file, 65_534, 65_534)
      const found = problems(await audit(), 'config-access')
      expect(found.map((f) => f.problem)).toEqual([
        'writable by its owner (uid 65534), group 65534, every user: they can make Patroni run any command as postgres',
        'readable by its owner (uid 65534), group 65534, every user and holds passwords (postgresql.authentication.superuser.password, postgresql.authentication.replication.password)',
      ])
      expect(found.every((f) => f.severity === 'error')).toBe(true)
    })

    it('lets a world-readable config without passwords be', async () => {
      instance('main', 5432, (doc) => delete doc.postgresql.authentication, 0o644)
      const report = await audit()
      expect(report.findings.map((f) => f.check)).toEqual(['superuser-password']) // no password at all now
    })
  })

  describe('superuser without a password and md5 over TCP', () => {
    const noPassword = (doc: Doc) => (doc.postgresql.authentication.superuser.password = null)

    it("warns that pg_rewind cannot connect (Debian's default template)", async () => {
      const file = instance('main', 5432, noPassword)
      const [found] = problems(await audit())
      expect(found).toMatchObject({
        check: 'superuser-password',
        fix: expect.stringContaining(
          'set postgresql.authentication.superuser.password (or PATRONI_SUPERUSER_PASSWORD)',
        ),
        key: 'bootstrap.dcs.postgresql.pg_hba.1',
        problem: expect.stringContaining('pg_rewind of a former leader fails'),
        severity: 'warning',
        where: file,
      })
      expect(found!.line).toBeGreaterThan(1)
      expect(found!.fix).toContain('postgresql.authentication.rewind')
    })

    it('errors when Patroni itself must use TCP (use_unix_socket off)', async () => {
      instance('main', 5432, (doc) => {
        noPassword(doc)
        doc.postgresql.use_unix_socket = false
      })
      expect(problems(await audit())).toEqual([
        expect.objectContaining({
          check: 'superuser-password',
          problem: expect.stringContaining('Patroni cannot connect to its own PostgreSQL'),
          severity: 'error',
        }),
      ])
    })

    it('is fine with a rewind user (PostgreSQL 11+), a trust rule first, or the password in env.conf', async () => {
      instance('a', 5432, (doc) => {
        noPassword(doc)
        doc.postgresql.authentication.rewind = {password: 'SECRET-rewind-pw', username: 'rewind'}
      })
      instance('b', 5433, (doc) => {
        noPassword(doc)
        doc.bootstrap.dcs.postgresql.pg_hba.unshift('host all postgres 127.0.0.1/32 trust')
      })
      expect(problems(await audit())).toEqual([])
      tree.write('etc/patroni/env.conf', 'PATRONI_SUPERUSER_PASSWORD="SECRET-env-pw"\n')
      instance('c', 5434, noPassword)
      expect(problems(await audit())).toEqual([])
    })
  })

  describe('REST API', () => {
    it('errors on a network address without authentication, warns on no TLS', async () => {
      const file = instance('main', 5432, (doc) => (doc.restapi.listen = '0.0.0.0:8008'))
      const found = problems(await audit())
      expect(found).toEqual([
        expect.objectContaining({
          check: 'rest-auth',
          fix: 'add restapi.authentication (username, password) and the same under ctl.authentication, or listen on 127.0.0.1 only',
          key: 'restapi.listen',
          problem: expect.stringContaining('every interface (0.0.0.0:8008) without restapi.authentication'),
          severity: 'error',
          where: file,
        }),
        expect.objectContaining({check: 'rest-tls', key: 'restapi.listen', severity: 'warning'}),
      ])
      expect(found[0]!.line).toBe(found[1]!.line)
    })

    it('accepts authentication, and only warns with an allowlist', async () => {
      instance('a', 5432, (doc) => {
        doc.restapi.listen = '10.0.0.1:8008'
        doc.restapi.authentication = {password: 'SECRET-rest-pw', username: 'patroni'}
      })
      instance('b', 5433, (doc) => {
        doc.restapi.listen = '10.0.0.1:8009'
        doc.restapi.allowlist = ['10.0.0.0/24']
      })
      const found = problems(await audit())
      expect(found.map((f) => [f.instance, f.check, f.severity])).toEqual([
        ['15/a', 'rest-tls', 'warning'],
        ['15/b', 'rest-auth', 'warning'],
        ['15/b', 'rest-tls', 'warning'],
      ])
    })

    it('says where an env.conf override comes from', async () => {
      tree.write('etc/patroni/env.conf', '# shared by every instance\nPATRONI_RESTAPI_LISTEN=0.0.0.0:8008\n')
      instance('main', 5432)
      expect(problems(await audit(), 'rest-auth')).toEqual([
        expect.objectContaining({
          key: 'PATRONI_RESTAPI_LISTEN',
          severity: 'error',
          where: join(tree.paths.configDir, 'env.conf'),
        }),
      ])
    })

    it('warns when client certificates are required and ctl has none', async () => {
      instance('main', 5432, (doc) => {
        doc.restapi = {
          ...doc.restapi,
          certfile: '/etc/ssl/server.pem',
          keyfile: '/etc/ssl/server.key',
          listen: '10.0.0.1:8008',
          verify_client: 'required',
        }
      })
      expect(problems(await audit())).toEqual([
        expect.objectContaining({
          check: 'rest-client-cert',
          fix: 'add ctl.certfile and ctl.keyfile: a client certificate signed by the CA in restapi.cafile',
          key: 'restapi.verify_client',
          severity: 'warning',
        }),
      ])
    })
  })

  describe('agreement with pg-common', () => {
    it('errors when start.conf lets pg-common start the cluster', async () => {
      instance('main', 5432)
      const startConf = tree.write('etc/postgresql/15/main/start.conf', 'auto\n')
      expect(problems(await audit())).toEqual([
        {
          check: 'start-conf',
          fix: `write manual into ${startConf} (as pg_createcluster_patroni does), then systemctl daemon-reload`,
          instance: '15/main',
          key: undefined,
          line: undefined,
          problem: 'start.conf is auto: postgresql.service starts this cluster itself, outside Patroni',
          severity: 'error',
          where: startConf,
        },
      ])
    })

    it('warns about a port, scope, namespace, data_dir or config_dir that pg-common does not share', async () => {
      tree.pgCluster('15', 'main', 5432)
      const doc = debianConfig(tree, '15', 'main', 5433)
      doc.scope = 'main'
      delete doc.namespace
      doc.postgresql.data_dir = '/srv/pg/main'
      doc.postgresql.config_dir = '/srv/pg/main'
      tree.patroniConfig('15-main', stringify(doc), 0o660)
      const found = problems(await audit())
      expect(found.map((f) => [f.check, f.severity, f.key])).toEqual([
        ['pg-port', 'warning', 'postgresql.listen'],
        ['scope', 'warning', 'scope'],
        ['namespace', 'warning', 'namespace'],
        ['config-dir', 'warning', 'postgresql.config_dir'],
        ['data-dir', 'warning', 'postgresql.data_dir'],
      ])
      expect(found.map((f) => f.fix)).toEqual([
        `make postgresql.listen use port 5432, or set port = 5433 in ${join(tree.paths.pg.confRoot, '15/main/postgresql.base.conf')}`,
        'scope: "15-main" (on a bootstrapped cluster the DCS keys move with it: rename only with the cluster stopped)',
        'namespace: "/postgresql-common/" (with the cluster stopped: its DCS keys are under the old namespace)',
        `postgresql.config_dir: ${join(tree.paths.pg.confRoot, '15/main')}`,
        `postgresql.data_dir: ${join(tree.root, 'var/lib/postgresql/15/main')}`,
      ])
      expect(found[1]!.problem).toBe(
        'scope is "main", not 15-main: Debian\'s bootstrap and clone wrappers name the pg-common cluster after the scope',
      )
    })

    it('errors when postgresql@ is enabled alongside patroni@, warns when alone', async () => {
      instance('main', 5432)
      instance('other', 5433)
      const wants = join(systemdDir(), 'multi-user.target.wants')
      mkdirSync(wants)
      symlinkSync('/lib/systemd/system/postgresql@.service', join(wants, 'postgresql@15-main.service'))
      symlinkSync('/lib/systemd/system/patroni@.service', join(wants, 'patroni@15-main.service'))
      symlinkSync('/lib/systemd/system/postgresql@.service', join(wants, 'postgresql@15-other.service'))
      expect(problems(await audit()).map((f) => [f.instance, f.severity, f.where, f.fix])).toEqual([
        ['15/main', 'error', join(wants, 'postgresql@15-main.service'), 'systemctl disable postgresql@15-main.service'],
        [
          '15/other',
          'warning',
          join(wants, 'postgresql@15-other.service'),
          'systemctl disable postgresql@15-other.service && systemctl enable patroni@15-other.service',
        ],
      ])
    })

    describe('a dash in the cluster name', () => {
      const clone = (tree: HostTree) => {
        const script = join(tree.root, 'usr/share/patroni/pg_clonecluster_patroni')
        mkdirSync(join(tree.root, 'usr/share/patroni'), {recursive: true})
        copyFileSync(join(import.meta.dirname, '../../fixtures/pg_clonecluster_patroni'), script)
        return script
      }
      const withClone = (script: string, used: boolean) => (doc: Doc) => {
        doc.postgresql.pg_clonecluster = {command: script}
        doc.postgresql.create_replica_method = used ? ['pg_clonecluster'] : ['basebackup']
      }

      it("warns that Debian's clone wrapper takes the part after the last dash", async () => {
        const script = clone(tree)
        const file = instance('my-db', 5432, withClone(script, true))
        expect(problems(await audit())).toEqual([
          expect.objectContaining({
            check: 'dashed-name',
            fix: 'use create_replica_method: [basebackup] (Patroni clones into data_dir itself), or a cluster name without dashes',
            key: 'postgresql.pg_clonecluster.command',
            problem: `${script} splits scope 15-my-db at its last dash (version 15, cluster "db"): a replica clone registers pg-common cluster 15/db instead of 15/my-db`,
            severity: 'warning',
            where: file,
          }),
        ])
      })

      it('errors when that wrong name is an existing cluster the clone would drop', async () => {
        instance('my-db', 5432, withClone(clone(tree), true))
        tree.pgCluster('15', 'db', 5440)
        expect(problems(await audit('15/my-db'))).toEqual([
          expect.objectContaining({
            check: 'dashed-name',
            problem: expect.stringContaining('runs pg_dropcluster 15 db, dropping the existing cluster 15/db'),
            severity: 'error',
          }),
        ])
      })

      it('is only an info while the wrapper is not a create_replica_method, and nothing without it', async () => {
        instance('my-db', 5432, withClone(clone(tree), false))
        instance('other-db', 5433)
        expect(problems(await audit()).map((f) => [f.instance, f.severity])).toEqual([['15/my-db', 'info']])
      })

      it('takes a list where the command belongs as an unusable config (a finding), not as no command', async () => {
        const file = instance('my-db', 5432, (doc) => (doc.postgresql.pg_clonecluster = {command: ['/usr/bin/a', 'b']}))
        expect(problems(await audit(), 'config-read')).toEqual([
          expect.objectContaining({
            instance: '15/my-db',
            problem: `${file}: postgresql.pg_clonecluster.command must be a string; this instance's config was not checked`,
            severity: 'error',
          }),
        ])
      })
    })
  })

  describe('host-wide', () => {
    it('errors on shared PostgreSQL and REST ports and on duplicate scopes, per instance', async () => {
      instance('a', 5432)
      instance('b', 5432, (doc) => (doc.scope = '15-a'))
      tree.pgCluster('15', 'plain', 5432)
      const found = problems(await audit())
      const summary = found
        .filter((f) => f.check.endsWith('collision') || f.check === 'duplicate-scope')
        .map((f) => [f.instance, f.check, f.problem])
      expect(summary).toEqual(
        expect.arrayContaining([
          ['15/a', 'pg-port-collision', 'PostgreSQL port 5432 is also used by 15/b, 15/plain'],
          ['15/a', 'rest-port-collision', 'REST API port 8008 is also used by 15/b: only one Patroni can bind it'],
          [
            '15/a',
            'duplicate-scope',
            'same namespace and scope as 15/b: both Patroni instances join one cluster and fight over its leader key',
          ],
          [
            '15/b',
            'duplicate-scope',
            'same namespace and scope as 15/a: both Patroni instances join one cluster and fight over its leader key',
          ],
          ['15/plain', 'pg-port-collision', 'PostgreSQL port 5432 is also used by 15/a, 15/b'],
        ]),
      )
      expect(found.find((f) => f.instance === '15/plain')).toMatchObject({
        key: 'port',
        where: join(tree.paths.pg.confRoot, '15/plain/postgresql.conf'),
      })
      // only what concerns the instances asked about
      expect(new Set((await audit('15/plain')).findings.map((f) => f.instance))).toEqual(new Set(['15/plain']))
    })

    it('warns about a config for a PostgreSQL version that is not installed', async () => {
      const file = tree.patroniConfig('13-old', stringify(debianConfig(tree, '13', 'old', 5440)), 0o660)
      expect(problems(await audit())).toEqual([
        {
          check: 'orphan',
          fix: `apt install postgresql-13, or remove ${file} if the instance is gone`,
          instance: '13/old',
          problem: 'a Patroni config for PostgreSQL 13, which is not installed: patroni@13-old cannot start',
          severity: 'warning',
          where: file,
        },
      ])
    })
  })

  describe('configs that cannot be read', () => {
    it('are a finding when other instances could be checked', async () => {
      instance('main', 5432)
      const broken = tree.patroniConfig(
        '15-broken',
        'scope: x\nrestapi:\n  listen: 1\n   connect_address: {password: SECRET-leak}\n',
      )
      const report = await audit()
      expect(report.findings.find((f) => f.instance === '15/broken')).toEqual({
        check: 'config-read',
        fix: 'fix the file: Patroni cannot start with it either',
        instance: '15/broken',
        problem: expect.stringMatching(
          new RegExp(`^${broken}:3:\\d+: invalid YAML: .*; this instance's config was not checked$`),
        ),
        severity: 'error',
        where: broken,
      })
      expect(JSON.stringify(report)).not.toContain('SECRET-leak')
      expect(auditExitCode(report)).toBe(ExitCode.failed)
    })

    it('keep their exit code when nothing else could be checked', async () => {
      tree.patroniConfig('15-broken', 'scope: [\n')
      await expect(audit('15/broken')).rejects.toMatchObject({
        exitCode: ExitCode.config,
        message: expect.stringMatching(/^15\/broken: .*15-broken\.yml:\d+:\d+: invalid YAML/),
      })
      await expect(audit('15/nope')).rejects.toMatchObject({
        exitCode: ExitCode.config,
        message: expect.stringContaining('no instance 15/nope on this host'),
      })
    })
  })
})
