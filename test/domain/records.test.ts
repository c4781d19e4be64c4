import t from 'tap'
import { BytePieces, MIN_KEPT_PIECE_BYTES, SMALL_UPLOAD_BYTES, compactBytes, decodeUpload } from '../../src/domain/records.js'

const upload = (bytes: Buffer | string | BytePieces): Parameters<typeof decodeUpload>[0] => ({ format: 'json', bytes, recordCount: 1, stagedAt: 0, stagedBy: 'API.User' })

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

/** `text` cut into pieces of `size` bytes, each a buffer of its own as Node reads them. */
function piecesOf (text: string, size: number): BytePieces {
  const bytes = Buffer.from(text)
  const pieces: Buffer[] = []
  for (let at = 0; at < bytes.length; at += size) {
    const piece = Buffer.allocUnsafeSlow(Math.min(size, bytes.length - at))
    bytes.copy(piece, 0, at, at + piece.length)
    pieces.push(piece)
  }
  return new BytePieces(pieces, bytes.length)
}

t.test('an upload in big pieces is kept in them; characters cut by a piece boundary decode whole', async (t) => {
  const records = Array.from({ length: 3000 }, (_, i) => ({ Id: `Zoë-${i}-✓😀` }))
  const text = JSON.stringify(records)
  const sent = piecesOf(text, MIN_KEPT_PIECE_BYTES + 1)
  t.ok(sent.pieces.length > 3)
  t.equal(compactBytes(sent), sent, 'no copy')
  t.strictSame(decodeUpload(upload(sent)), records)
  t.equal(sent.head(12).toString(), Buffer.from(text).subarray(0, 12).toString(), 'the head of the first piece')
  t.equal(sent.head(MIN_KEPT_PIECE_BYTES + 10).length, MIN_KEPT_PIECE_BYTES + 10, 'a head across pieces')
  t.equal(sent.head(10 * text.length).length, sent.length, 'no more than there is')
  t.equal(new BytePieces([], 0).head(5).length, 0)
})

t.test('small pieces, pieces that are views and small uploads are copied into one buffer or string', async (t) => {
  const text = JSON.stringify(Array.from({ length: 3000 }, (_, i) => ({ Id: `r${i}` })))
  const small = compactBytes(piecesOf(text, 100)) as Buffer
  t.ok(Buffer.isBuffer(small), 'many small pieces: one buffer')
  t.equal(small.buffer.byteLength, small.length, 'of its own')
  t.equal(small.toString(), text)
  const slab = Buffer.from(`xx${text}`)
  const views = new BytePieces([slab.subarray(2, 2 + MIN_KEPT_PIECE_BYTES), slab.subarray(2 + MIN_KEPT_PIECE_BYTES)], text.length)
  const copied = compactBytes(views) as Buffer
  t.ok(Buffer.isBuffer(copied), 'views into a bigger allocation: copied out')
  t.equal(copied.toString(), text)
  t.equal(compactBytes(piecesOf('[{"Id":"a"}]', 4)), '[{"Id":"a"}]', 'a small upload in pieces: a string')
  const one = piecesOf(text, text.length * 2)
  t.equal(compactBytes(one), one.pieces[0], 'one piece: kept as a buffer')
  t.strictSame(decodeUpload(upload(copied)), JSON.parse(text))
})
