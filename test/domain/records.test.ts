import t from 'tap'
import { SMALL_UPLOAD_BYTES, compactBytes, decodeUpload } from '../../src/domain/records.js'

const upload = (bytes: Buffer | string): Parameters<typeof decodeUpload>[0] => ({ format: 'json', bytes, recordCount: 1, stagedAt: 0, stagedBy: 'API.User' })

t.test('a small upload is kept as a latin1 string that decodes to the same UTF-8 records', async (t) => {
  const sent = Buffer.from('[{"Id":"Zoë ✓"}]')
  const kept = compactBytes(sent)
  t.type(kept, 'string')
  t.equal(kept.length, sent.length, 'one character a byte, so its length is the byte count')
  t.strictSame(decodeUpload(upload(kept)), [{ Id: 'Zoë ✓' }])
})

t.test('a large upload of its own is kept as it is; a view into a bigger allocation is copied out', async (t) => {
  const text = JSON.stringify([{ Id: 'x'.repeat(SMALL_UPLOAD_BYTES) }])
  const own = Buffer.allocUnsafeSlow(Buffer.byteLength(text))
  own.write(text)
  t.equal(compactBytes(own), own)
  const slab = Buffer.alloc(own.length * 2)
  own.copy(slab, 10)
  const view = slab.subarray(10, 10 + own.length)
  const kept = compactBytes(view) as Buffer
  t.not(kept, view)
  t.equal(kept.buffer.byteLength, own.length, 'no longer holds the bigger allocation')
  t.strictSame(decodeUpload(upload(kept)), JSON.parse(text))
})
