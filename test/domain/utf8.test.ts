import { isUtf8 } from 'node:buffer'
import t from 'tap'
import { Utf8Check } from '../../src/domain/utf8.js'

function checkPieces (pieces: Uint8Array[]): boolean {
  const check = new Utf8Check()
  for (const piece of pieces) check.push(piece)
  return check.end()
}

t.test('pieces are well-formed UTF-8 exactly when the whole body is, wherever they are cut', async (t) => {
  const fc = await import('fast-check')
  // Text, raw bytes, and the sequences isUtf8 refuses or that a cut leaves unfinished.
  const part = fc.oneof(
    fc.string({ unit: 'binary' }).map((s) => [...Buffer.from(s)]),
    fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 8 }),
    fc.constantFrom([0xed, 0xa0, 0x80], [0xc0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xe0, 0x80, 0x80], [0xf0, 0x9f, 0x98], [0xe2, 0x82], [0xf0, 0x9f, 0x98, 0x80]))
  const outcomes = { valid: 0, invalid: 0 }
  fc.assert(fc.property(fc.array(part, { maxLength: 12 }), fc.array(fc.nat(), { maxLength: 6 }), (parts, cuts) => {
    const bytes = Buffer.from(parts.flat())
    const points = [0, ...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b)
    const pieces = points.map((from, i) => bytes.subarray(from, points[i + 1] ?? bytes.length))
    const whole = isUtf8(bytes)
    outcomes[whole ? 'valid' : 'invalid']++
    return checkPieces(pieces) === whole && checkPieces([...bytes].map((b) => Uint8Array.of(b))) === whole
  }), { seed: 5, numRuns: 20000 })
  t.ok(outcomes.valid > 2000 && outcomes.invalid > 2000, `both outcomes well represented: ${JSON.stringify(outcomes)}`)
})

t.test('a character cut by a boundary is checked whole', async (t) => {
  const smile = Buffer.from('😀')
  t.ok(checkPieces([Buffer.from('a'), smile.subarray(0, 1), smile.subarray(1, 2), smile.subarray(2), Buffer.from('b')]))
  t.notOk(checkPieces([Buffer.from('a'), smile.subarray(0, 3)]), 'left unfinished')
  t.notOk(checkPieces([smile.subarray(0, 2), Buffer.from('xy')]), 'not finished by what follows')
  t.notOk(checkPieces([Buffer.from([0xed]), Buffer.from([0xa0, 0x80])]), 'a surrogate across pieces')
  t.notOk(checkPieces([Buffer.from([0xff]), Buffer.from('a')]), 'a byte no character begins with')
  t.ok(checkPieces([Buffer.alloc(0), Buffer.from('é')]), 'empty pieces change nothing')
})
