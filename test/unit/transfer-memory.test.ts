// The transfers' memory bound (src/shared/transfer-memory.ts) works on the Node the action runs on:
// without it the download's peak RSS is back to what Node's own reads leave (bench: transfers).
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { transferMemoryBound, transferMemoryBoundActive } from '../../src/shared/transfer-memory.js'

describe('the transfers’ memory bound', () => {
  it('has a young-generation collection to call on this Node, and takes bytes without one in between', () => {
    assert.equal(transferMemoryBoundActive(), true)
    const bound = transferMemoryBound()
    // 64 MB in 64 KB reads, as a socket hands them: four collections, nothing thrown
    for (let i = 0; i < 1024; i++) bound(64 * 1024)
    assert.equal(typeof (globalThis as { gc?: unknown }).gc, 'undefined', 'the test context gets no gc of its own')
  })
})
