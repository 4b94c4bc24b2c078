import {describe, expect, it} from 'vitest'

import {standbyConfig} from '../../../src/lib/operations/cluster-role.js'

describe('demote-cluster: the standby_cluster section', () => {
  it('holds the options given, as patronictl 4.1; host, port or restore_command is required', () => {
    expect(standbyConfig({host: '10.0.0.9', port: 5432, primarySlotName: 'dc2'})).toEqual({
      host: '10.0.0.9',
      port: 5432,
      primary_slot_name: 'dc2',
    })
    expect(standbyConfig({restoreCommand: 'cp /a/%f %p'})).toEqual({restore_command: 'cp /a/%f %p'})
    expect(() => standbyConfig({primarySlotName: 'dc2'})).toThrow(
      expect.objectContaining({
        exitCode: 2,
        message: 'At least --host, --port or --restore-command should be specified',
      }),
    )
  })
})
