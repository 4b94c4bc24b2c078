import {describe, expect, it} from 'vitest'

import {formatPgVersion, versionLine, versionsExitCode} from '../../../src/lib/output/versions.js'

describe('version', () => {
  it('formats server_version as patronictl does', () => {
    expect(formatPgVersion(150018)).toBe('15.18')
    expect(formatPgVersion(160004)).toBe('16.4')
    expect(formatPgVersion(90624)).toBe('9.6.24')
  })

  it('prints one line per member, and fails only when no member answered', () => {
    const ok = {member: 'node1', patroni: '3.0.2', postgresql: '15.18'}
    const down = {error: '127.0.0.1:58009: connection refused', exitCode: 4, member: 'node2'}
    const odd = {error: '127.0.0.1:58010: malformed answer (not JSON): x', exitCode: 1, member: 'node3'}
    expect(versionLine(ok)).toBe('node1: Patroni 3.0.2 PostgreSQL 15.18')
    expect(versionLine({member: 'node1', patroni: '4.1.4'})).toBe('node1: Patroni 4.1.4')
    expect(versionLine(down)).toBe('node2: failed to get version: 127.0.0.1:58009: connection refused')
    expect(versionsExitCode([ok, down])).toBe(0)
    expect(versionsExitCode([down, odd])).toBe(4)
    expect(versionsExitCode([odd])).toBe(1)
    expect(versionsExitCode([])).toBe(4)
  })
})
