import {chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'

import type {HostPaths} from '../../src/lib/instances/discovery.js'

/** A throwaway /etc + /usr/lib/postgresql tree for discovery tests. */
export class HostTree {
  readonly root = mkdtempSync(join(tmpdir(), 'pgpt-host-'))
  readonly paths: HostPaths = {
    configDir: join(this.root, 'etc/patroni'),
    pg: {binRoot: join(this.root, 'usr/lib/postgresql'), confRoot: join(this.root, 'etc/postgresql')},
  }

  constructor() {
    mkdirSync(this.paths.configDir, {recursive: true})
  }

  write(relative: string, text: string, mode?: number): string {
    const file = join(this.root, relative)
    mkdirSync(dirname(file), {recursive: true})
    writeFileSync(file, text)
    if (mode !== undefined) chmodSync(file, mode)
    return file
  }

  installVersion(version: string): void {
    this.write(`usr/lib/postgresql/${version}/bin/postgres`, '#!/bin/sh\n', 0o755)
  }

  /** A pg-common cluster: postgresql.conf with its port, a data dir, a start.conf. */
  pgCluster(version: string, cluster: string, port: number, extra = ''): void {
    const dataDir = join(this.root, `var/lib/postgresql/${version}/${cluster}`)
    mkdirSync(dataDir, {recursive: true})
    this.write(
      `etc/postgresql/${version}/${cluster}/postgresql.conf`,
      `data_directory = '${dataDir}'\nport = ${port}\nexternal_pid_file = '${this.root}/run/${version}-${cluster}.pid'\n${extra}`,
    )
    this.write(`etc/postgresql/${version}/${cluster}/start.conf`, '# comment\nmanual\n')
  }

  patroniConfig(stem: string, yaml: string, mode?: number): string {
    return this.write(`etc/patroni/${stem}.yml`, yaml, mode)
  }

  remove(): void {
    rmSync(this.root, {force: true, recursive: true})
  }
}

/**
 * A DCS address for test configs that must never reach one: nothing listens on port 1, so a
 * DCS fallback fails at once (a real host's etcd on 2379 is never asked).
 */
export const NO_DCS = '127.0.0.1:1'

/** Not Debian's namespace: a test config never names a key a real host's cluster uses. */
export const TEST_NAMESPACE = '/pgpt-test/'

/** The parts of Debian's template that pgpatronictl reads, on private ports and a private namespace. */
export function debianYaml(
  version: string,
  cluster: string,
  restPort: number,
  extra = '',
  where: {dcs?: string; namespace?: string} = {},
): string {
  return `scope: "${version}-${cluster}"
namespace: "${where.namespace ?? TEST_NAMESPACE}"
name: node1

etcd3:
  hosts: ${where.dcs ?? NO_DCS}

restapi:
  listen: 127.0.0.1:${restPort}
  connect_address: 127.0.0.1:${restPort}
${extra}
postgresql:
  listen: "127.0.0.1:${restPort - 2576}"
  connect_address: 127.0.0.1:${restPort - 2576}
  authentication:
    replication:
      username: replicator
      password: rep-pass
`
}
