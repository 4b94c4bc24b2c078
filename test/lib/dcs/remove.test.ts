import {describe, expect, it} from 'vitest'

import {scopeDelete} from '../../../src/lib/dcs/remove.js'

describe('remove: the delete request of a scope', () => {
  it('etcd3 deletes the range of exactly <namespace><scope>/, etcd v2 and consul that directory recursively', () => {
    const b64 = (text: string) => Buffer.from(text).toString('base64')
    expect(scopeDelete('etcd3', '/service/15-main/')).toEqual({
      body: {key: b64('/service/15-main/'), range_end: b64('/service/15-main0')},
      method: 'POST',
      path: '/v3/kv/deleterange',
    })
    expect(scopeDelete('etcd', '/postgresql-common/15-main/')).toEqual({
      method: 'DELETE',
      path: '/v2/keys/postgresql-common/15-main?recursive=true&dir=true',
    })
    expect(scopeDelete('consul', '/service/15 main/')).toEqual({
      method: 'DELETE',
      path: '/v1/kv/service/15%20main/?recurse',
    })
  })

  it('never deletes a namespace or anything without the trailing slash', () => {
    expect(() => scopeDelete('etcd3', '/service/')).toThrow('not a scope')
    expect(() => scopeDelete('etcd3', '/service/15-main')).toThrow('not a scope')
  })
})
