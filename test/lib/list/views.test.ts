import {describe, expect, it} from 'vitest'

import {type InstanceSummary, overviewExitCode} from '../../../src/lib/list/host.js'
import {renderClusters, renderHost} from '../../../src/lib/list/views.js'
import {lagInMb} from '../../../src/lib/output/member-table.js'
import {normaliseCluster} from '../../../src/lib/rest/cluster.js'
import {fixture} from '../../helpers/fake-patroni.js'

const recorded = normaliseCluster(JSON.parse(fixture('cluster-3.0.2.json')), '15-main', 'http://127.0.0.1:58008')

describe('member table (patronictl list)', () => {
  it('lays out the table as patronictl 3.0.2 does (the integration tests compare with patronictl itself)', async () => {
    expect(await renderClusters([{cluster: recorded}], 'pretty', false)).toBe(
      [
        '+ Cluster: 15-main --------+---------+---------+----+-----------+',
        '| Member | Host            | Role    | State   | TL | Lag in MB |',
        '+--------+-----------------+---------+---------+----+-----------+',
        '| node1  | 127.0.0.1:55432 | Leader  | running |  1 |           |',
        '| node2  | 127.0.0.1:55433 | Replica | running |  1 |         0 |',
        '| node3  | 127.0.0.1:55434 | Replica | running |  1 |         0 |',
        '+--------+-----------------+---------+---------+----+-----------+',
      ].join('\n'),
    )
  })

  it('matches patronictl list -e', async () => {
    const text = await renderClusters([{cluster: recorded}], 'pretty', true)
    expect(text.split('\n')[1]).toBe(
      '| Member | Host            | Role    | State   | TL | Lag in MB | Pending restart | Scheduled restart | Tags |',
    )
  })

  it('puts the system identifier in the title when known', async () => {
    const text = await renderClusters([{cluster: recorded, systemId: '7711549161429863252'}], 'pretty', false)
    expect(text.split('\n')[0]).toBe('+ Cluster: 15-main (7711549161429863252) ------+----+-----------+')
  })

  it('gives the same JSON as patronictl list -f json', async () => {
    const patronictl = [
      {Cluster: '15-main', Host: '127.0.0.1:55432', Member: 'node1', Role: 'Leader', State: 'running', TL: 1},
      {
        Cluster: '15-main',
        Host: '127.0.0.1:55433',
        'Lag in MB': 0,
        Member: 'node2',
        Role: 'Replica',
        State: 'running',
        TL: 1,
      },
      {
        Cluster: '15-main',
        Host: '127.0.0.1:55434',
        'Lag in MB': 0,
        Member: 'node3',
        Role: 'Replica',
        State: 'running',
        TL: 1,
      },
    ]
    expect(JSON.parse(await renderClusters([{cluster: recorded}], 'json', false))).toEqual(patronictl)
  })

  it('shows a member mid-switchover as patronictl does', async () => {
    const cluster = normaliseCluster(
      {
        members: [
          {host: '127.0.0.1', lag: 'unknown', name: 'node1', port: 55432, role: 'replica', state: 'stopping'},
          {host: '127.0.0.1', name: 'node2', port: 55433, role: 'leader', state: 'running', timeline: 2},
        ],
      },
      '15-main',
      'http://x:1',
    )
    const lines = (await renderClusters([{cluster}], 'pretty', false)).split('\n')
    expect(lines[3]).toBe('| node1  | 127.0.0.1:55432 | Replica | stopping |    |   unknown |')
    expect(JSON.parse(await renderClusters([{cluster}], 'json', false))[0]).toEqual({
      Cluster: '15-main',
      Host: '127.0.0.1:55432',
      'Lag in MB': 'unknown',
      Member: 'node1',
      Role: 'Replica',
      State: 'stopping',
    })
  })

  it('renders 4.1 extras: extended columns, tags block, footer', async () => {
    const cluster = normaliseCluster(JSON.parse(fixture('cluster-4.1.json')), 'demo', 'http://x:1')
    const text = await renderClusters([{cluster}], 'pretty', false)
    expect(text).toContain('| Pending restart | Scheduled restart ')
    expect(text).toContain('| clonefrom: true |')
    expect(text).toContain('2026-11-25T03:00:00+00:00 if version < 16.5')
    expect(text).toContain('|   0/4000060 |   0 |  0/4000060 |   3 |') // 3 MiB of replay lag, in 4.1's columns
    expect(text.split('\n').slice(-4)).toEqual([
      ' Maintenance mode: on',
      ' Switchover scheduled at: 2023-09-24T10:36:00+02:00',
      '                    from: patroni1',
      '                      to: patroni3',
    ])
    expect(text.split('\n')[3]).toContain('| 10.89.0.4 ') // same port everywhere: no :port
  })

  it('writes tsv with the Cluster column and tags in flow style, yaml as a list', async () => {
    const cluster = normaliseCluster(JSON.parse(fixture('cluster-4.1.json')), 'demo', 'http://x:1')
    const tsv = (await renderClusters([{cluster}], 'tsv', false)).split('\n')
    expect(tsv[0]).toBe(
      'Cluster\tMember\tHost\tRole\tState\tTL\tReceive LSN\tReceive Lag\tReplay LSN\tReplay Lag\tPending restart\tScheduled restart\tTags',
    )
    expect(tsv[1]).toBe('demo\tpatroni1\t10.89.0.4\tLeader\trunning\t5\t\t\t\t\t\t\t{clonefrom: true}')
    const yaml = await renderClusters([{cluster: recorded}], 'yaml', false)
    expect(yaml.split('\n').slice(0, 6)).toEqual([
      '- Cluster: 15-main',
      '  Member: node1',
      '  Host: 127.0.0.1:55432',
      '  Role: Leader',
      '  State: running',
      '  TL: 1',
    ])
  })

  it('rounds lag like Python', () => {
    expect([0, 524288, 1572864, 2621440, 'unknown' as const].map(lagInMb)).toEqual([0, 0, 2, 2, 'unknown'])
  })
})

describe('host overview', () => {
  const rows: InstanceSummary[] = [
    {cluster: 'legacy', instance: '15/legacy', port: 5452, status: 'online', type: 'plain', version: '15'},
    {
      cluster: 'main',
      config: '/etc/patroni/15-main.yml',
      instance: '15/main',
      leader: 'node1',
      max_lag_mb: 0,
      member: 'node1',
      members_running: 3,
      members_total: 3,
      paused: false,
      port: 55432,
      rest: 'http://127.0.0.1:58008',
      role: 'Leader',
      scope: '15-main',
      state: 'running',
      status: 'online',
      timeline: 1,
      type: 'patroni',
      version: '15',
    },
    {
      cluster: 'new',
      config: '/etc/patroni/15-new.yml',
      error: '127.0.0.1:58038: connection refused',
      error_kind: 'rest',
      instance: '15/new',
      rest: 'http://127.0.0.1:58038',
      scope: '15-new',
      state: 'unreachable',
      type: 'not_bootstrapped',
      version: '15',
    },
  ]

  it('lays the table out like pg_lsclusters, with notes for unreachable instances', async () => {
    const text = await renderHost(rows, 'pretty', false)
    expect(text.split('\n')).toEqual([
      'Ver Cluster Port  Status Type             Scope   REST API        Member Role   State       TL Leader Members Lag MB',
      '15  legacy  5452  online pg-common        -       -               -      -      -            - -      -            -',
      '15  main    55432 online patroni          15-main 127.0.0.1:58008 node1  Leader running      1 node1  3/3          0',
      '15  new     -     -      not-bootstrapped 15-new  127.0.0.1:58038 -      -      unreachable  - -      -            -',
      '',
      '15/new: 127.0.0.1:58038: connection refused',
    ])
  })

  it('colours rows only when asked', async () => {
    const text = await renderHost(rows, 'pretty', true)
    expect(text).toContain('\u001B[32m15  main')
    expect(text).not.toContain('\u001B[31m15  new') // not bootstrapped: down is normal
    expect(await renderHost(rows, 'json', true)).not.toContain('\u001B')
  })

  it('keeps numbers as numbers in JSON', async () => {
    const [, main] = JSON.parse(await renderHost(rows, 'json', false))
    expect(main).toMatchObject({members_running: 3, port: 55432, timeline: 1})
  })

  it('exits 4 only when a bootstrapped Patroni instance is unreachable, 3 for a config error', () => {
    expect(overviewExitCode(rows)).toBe(0)
    expect(overviewExitCode([...rows, {...rows[1]!, error_kind: 'rest', state: 'unreachable'}])).toBe(4)
    expect(overviewExitCode([...rows, {...rows[1]!, error_kind: 'config'}])).toBe(3)
  })
})
