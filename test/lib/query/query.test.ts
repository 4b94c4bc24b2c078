import {describe, expect, it} from 'vitest'

import {parseCsv} from '../../../src/lib/query/csv.js'
import {chooseQueryMember, psqlTargetFor} from '../../../src/lib/query/member.js'
import {parsePsqlOutput, psqlFailure, psqlRun} from '../../../src/lib/query/psql.js'
import {renderQuery} from '../../../src/lib/query/render.js'
import {queryRecords} from '../../../src/lib/query/result.js'
import {normaliseCluster} from '../../../src/lib/rest/cluster.js'

const cluster = normaliseCluster(
  {
    members: [
      {host: '10.0.0.1', name: 'node1', port: 5432, role: 'leader', state: 'running'},
      {host: '10.0.0.2', lag: 4096, name: 'node2', port: 5433, role: 'replica', state: 'streaming'},
      {host: '10.0.0.3', lag: 0, name: 'node3', port: 5434, role: 'replica', state: 'streaming'},
    ],
  },
  '15-main',
  'http://10.0.0.1:8008',
)

describe('query: psql CSV', () => {
  it('parses quotes, doubled quotes, commas and line breaks, and tells "" from an empty field', () => {
    expect(parseCsv('a,b\n"x,""y""","1\n2"\n,""\n')).toEqual([
      [
        {quoted: false, text: 'a'},
        {quoted: false, text: 'b'},
      ],
      [
        {quoted: true, text: 'x,"y"'},
        {quoted: true, text: '1\n2'},
      ],
      [
        {quoted: false, text: ''},
        {quoted: true, text: ''},
      ],
    ])
    expect(() => parseCsv('"open')).toThrow('unterminated')
  })

  it('reads the result, NULL by its marker, and the types \\gdesc gave for the same columns', () => {
    const out = 'a,n,b,j\n1,NONCEN,t,"{""k"": 1}"\n\nNONCED\nColumn,Type\na,integer\nn,text\nb,boolean\nj,jsonb\n'
    const result = parsePsqlOutput(out, 'NONCE')
    expect(result).toEqual({
      columns: ['a', 'n', 'b', 'j'],
      rows: [['1', null, 't', '{"k": 1}']],
      types: ['integer', 'text', 'boolean', 'jsonb'],
    })
    expect(queryRecords(result)).toEqual([{a: 1, b: true, j: {k: 1}, n: null}])
    // types of other columns (psql variables interpolated differently) are not used
    const other = parsePsqlOutput('a\n1\nNONCED\nColumn,Type\nx,integer\n', 'NONCE')
    expect(queryRecords(other)).toEqual([{a: '1'}])
    expect(parsePsqlOutput('', 'NONCE')).toEqual({columns: [], rows: []})
  })

  it('keeps numbers a JSON reader would round, numeric, NaN and arrays as text', () => {
    const result = {
      columns: ['big', 'num', 'nan', 'arr', 'f'],
      rows: [['9007199254740993', '2.50', 'NaN', '{1,2}', 'f']],
      types: ['bigint', 'numeric', 'double precision', 'integer[]', 'boolean'],
    }
    expect(queryRecords(result)).toEqual([{arr: '{1,2}', big: '9007199254740993', f: false, nan: 'NaN', num: '2.50'}])
  })

  it('sends the SQL as one query in a dollar quote that it cannot end, and never a password in argv', () => {
    const run = psqlRun(
      'select $q$a$q$; select 2',
      {connectTimeoutS: 5, host: '/run/pg', password: 's3cret', port: 5433},
      {},
    )
    expect(run.script).toContain('SELECT $qq$select $q$a$q$; select 2$qq$ \\gexec')
    expect(run.script).not.toContain('\\gdesc') // two statements: no types
    expect(run.args.join(' ')).not.toContain('s3cret')
    expect(run.args).toEqual(
      expect.arrayContaining([
        '-X',
        '--csv',
        '-w',
        'ON_ERROR_STOP=1',
        'SHOW_ALL_RESULTS=off',
        '-h',
        '/run/pg',
        '-p',
        '5433',
      ]),
    )
    expect(run.env.PGPASSWORD).toBe('s3cret')
    const single = psqlRun('select 1 as a;', {connectTimeoutS: 5, host: 'h', inRecovery: true}, {PGPASSWORD: 'env'})
    expect(single.env.PGPASSWORD).toBe('env')
    expect(single.script).toContain('BEGIN READ ONLY;\nselect 1 as a\n\\gdesc')
    expect(single.script).toMatch(/\\if :pgpt_in_recovery\n\\else\n\\warn pgpt[0-9a-f]+R\n\\q/)
  })

  it('maps psql failures to exit codes: 2 unreachable (4), SQL errors 1, wrong role 1', () => {
    expect(psqlFailure(0, '', 'N', 'm')).toBeUndefined()
    const sql = psqlFailure(3, 'psql:<stdin>:3: ERROR:  division by zero\n', 'N', '15-main node1')
    expect(sql).toMatchObject({exitCode: 1, message: '15-main node1: ERROR:  division by zero'})
    const down = psqlFailure(
      2,
      'psql: error: connection to server failed: FATAL:  role "root" does not exist\n',
      'N',
      'm',
    )
    expect(down?.exitCode).toBe(4)
    expect(down?.message).toMatch(/run as postgres for peer authentication, or give -U\)$/)
    expect(psqlFailure(0, 'NR\n', 'N', 'm')).toMatchObject({exitCode: 1, message: 'm does not have the role asked for'})
  })
})

describe('query: member and output', () => {
  it('chooses as patronictl: the leader by default, a replica, a member by name; checks recovery', () => {
    expect(chooseQueryMember(cluster, {})).toMatchObject({inRecovery: undefined, member: {name: 'node1'}})
    expect(chooseQueryMember(cluster, {role: 'primary'})).toMatchObject({inRecovery: false, member: {name: 'node1'}})
    expect(chooseQueryMember(cluster, {role: 'standby'})).toMatchObject({inRecovery: true, member: {name: 'node3'}})
    expect(chooseQueryMember(cluster, {member: 'node2'}).member.name).toBe('node2')
    expect(() => chooseQueryMember(cluster, {role: 'standby-leader'})).toThrow(
      'no connection to role standby-leader is available: 15-main is not a standby cluster',
    )
  })

  it("reaches this host's member through its socket directory, the others at their address", () => {
    const config = {memberName: 'node1', pgSocket: {dir: '/var/run/postgresql'}}
    const leader = chooseQueryMember(cluster, {})
    expect(psqlTargetFor(leader, config, {connectTimeoutS: 5})).toMatchObject({host: '/var/run/postgresql', port: 5432})
    expect(psqlTargetFor(leader, config, {connectTimeoutS: 5, tcp: true})).toMatchObject({host: '10.0.0.1'})
    const replica = chooseQueryMember(cluster, {member: 'node2'})
    expect(psqlTargetFor(replica, config, {connectTimeoutS: 5, user: 'u'})).toMatchObject({
      host: '10.0.0.2',
      port: 5433,
      user: 'u',
    })
  })

  it('prints TSV with the delimiter, Python words for NULL and booleans, and JSON/YAML lists', async () => {
    const result = {columns: ['a', 'b', 'c'], rows: [['1', null, 't']], types: ['integer', 'text', 'boolean']}
    expect(await renderQuery(result, 'tsv')).toBe('a\tb\tc\n1\tNone\tTrue')
    expect(await renderQuery(result, 'tsv', ';')).toBe('a;b;c\n1;None;True')
    expect(await renderQuery(result, 'json')).toBe('[{"a":1,"b":null,"c":true}]')
    expect(await renderQuery(result, 'yml')).toBe('- a: 1\n  b: null\n  c: true')
    expect(await renderQuery(result, 'pretty')).toBe(
      '+---+------+------+\n| a | b    | c    |\n+---+------+------+\n| 1 | None | True |\n+---+------+------+',
    )
    expect(await renderQuery({columns: [], rows: []}, 'tsv')).toBe('')
    expect(await renderQuery({columns: [], rows: []}, 'json')).toBe('[]')
  })
})
