import { isUtf8 } from 'node:buffer'
import { readFileSync } from 'node:fs'
import t from 'tap'
import { jsonProblem } from '../../src/domain/json-limits.js'
import { MAX_SCAN_DEPTH, RecordListScanner, countRecordList } from '../../src/domain/record-list.js'
import { GENERATED, recordScanModule } from '../../scripts/record-scan-wasm.js'

/** What the upload path read before the scan: JSON.parse, jsonProblem, then a list of objects. */
function parsedCount (text: string, maxDepth: number): number {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return -1
  }
  if (jsonProblem(value, maxDepth) !== undefined || !Array.isArray(value)) return -1
  return value.every((r) => r !== null && typeof r === 'object' && !Array.isArray(r)) ? value.length : -1
}

/** The count of a body read in the given pieces. */
function scanPieces (pieces: Uint8Array[], maxDepth: number): number {
  const scanner = new RecordListScanner(maxDepth)
  for (const piece of pieces) scanner.push(piece)
  return scanner.end()
}

/**
 * The count of a body read whole; the test fails unless the same body read byte by byte, and cut
 * in two at every point (up to 300 bytes), gives the same count.
 */
function scan (text: string, maxDepth = 32): number {
  const bytes = Buffer.from(text)
  const whole = countRecordList(bytes, maxDepth)
  const bytewise = scanPieces([...bytes].map((b) => Uint8Array.of(b)), maxDepth)
  if (bytewise !== whole) throw new Error(`read byte by byte: ${bytewise}, whole: ${whole}`)
  for (let cut = 1; cut < Math.min(bytes.length, 300); cut++) {
    const split = scanPieces([bytes.subarray(0, cut), bytes.subarray(cut)], maxDepth)
    if (split !== whole) throw new Error(`cut at ${cut}: ${split}, whole: ${whole}`)
  }
  return whole
}

t.test('countRecordList counts the records of a list of objects, as JSON.parse reads it', async (t) => {
  const accepted: Array<[string, number]> = [
    ['[]', 0],
    [' \t\r\n[ \n] \n', 0],
    ['[{}]', 1],
    ['[{"Id":"a"},{"Id":"b"}]', 2],
    ['[ { "a" : 1 , "b" : [ 1 , { } , [ ] ] } , { } ]', 2],
    ['[{"s":"\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u00e9 \\uD83D\\uDE00 \\udc00","u":"é😀"}]', 1],
    ['[{"n":[0,-0,1,-1,10,0.5,-0.5,1e3,1E-3,1e+3,-2.5e-10,1.7976931348623157e308,4.9e-324,1e-400]}]', 1],
    ['[{"t":true,"f":false,"z":null,"__proto__":{"x":1},"a":1,"a":2}]', 1],
    [`[{"big":${'9'.repeat(300)}}]`, 1],
    [`[{"d":${'['.repeat(30)}${']'.repeat(30)}}]`, 1]
  ]
  for (const [text, count] of accepted) {
    t.equal(scan(text), count, text.slice(0, 60))
    t.equal(parsedCount(text, 32), count, `reference agrees: ${text.slice(0, 60)}`)
  }
})

t.test('countRecordList answers -1 for anything else, so JSON.parse says what is wrong', async (t) => {
  const refused = [
    '', ' ', '{}', '{"a":1}', '1', '"x"', 'null', '[1]', '[null]', '[[]]', '["a"]', '[{},1]', '[{}, []]',
    '[', '[{}', '[{},]', '[,{}]', '[{}{}]', '[{}] x', '[{}],', '[{"a"}]', '[{"a":}]', '[{a:1}]', "[{'a':1}]",
    '[{"a":1,}]', '[{"a":1 "b":2}]', '[{"a":[1,]}]', '[{"a":[1 2]}]', '[{"a":{"b":1]}]', '[{"a":[1}]}]',
    '[{"a":01}]', '[{"a":-}]', '[{"a":1.}]', '[{"a":.5}]', '[{"a":1e}]', '[{"a":1e+}]', '[{"a":+1}]', '[{"a":0x1}]',
    '[{"a":1e400}]', '[{"a":-1e400}]', `[{"a":${'9'.repeat(400)}}]`, '[{"a":NaN}]', '[{"a":Infinity}]',
    '[{"a":tru}]', '[{"a":nul}]', '[{"a":fals}]', '[{"a":True}]', '[{"a":truex}]',
    '[{"a":"\\x"}]', '[{"a":"\\u12"}]', '[{"a":"\\u12G4"}]', '[{"a":"\n"}]', '[{"a":"\t"}]', '[{"a":"\u0000"}]', '[{"a":"abc}]',
    '[{"a":1}]\u00a0', '\u00a0[{"a":1}]', '\ufeff[{}]', '[{"a":1}]\u000b',
    `[{"d":${'['.repeat(31)}${']'.repeat(31)}}]`, `[{"d":${'{"a":'.repeat(31)}1${'}'.repeat(31)}}]`
  ]
  for (const text of refused) {
    t.equal(scan(text), -1, JSON.stringify(text.slice(0, 60)))
    t.equal(parsedCount(text, 32), -1, `reference agrees: ${JSON.stringify(text.slice(0, 60))}`)
  }
  t.equal(scan('[{"a":"\\u12'), -1, 'a body that ends inside an escape')
  t.equal(scan('[{"a":[[]]}]', 3), -1, 'the depth limit is the one given')
  t.equal(scan('[{}]', 1), -1, 'a limit that refuses records refuses the list')
  t.equal(scan('[{}]', 5000), -1, 'a limit beyond what the scan tracks sends the body to JSON.parse')
  t.equal(scan('[{}]', MAX_SCAN_DEPTH), 1, 'the deepest limit the scan tracks')
  t.equal(scan('[{}]', MAX_SCAN_DEPTH + 1), -1)
  t.equal(scan('[{"a":[]}]', 3), 1)
  t.equal(scan(`[{"d":${'['.repeat(100_000)}`), -1, 'deep nesting stops at the limit, without recursion')
})

t.test('strings are read eight bytes at a time: each byte that ends one is found wherever it falls', async (t) => {
  // Text before the byte: ASCII, two, three and four-byte characters, at every offset from a word's start.
  for (const filler of ['abcdefgh', 'é', '€', '😀', '~\u007f']) {
    for (let lead = 0; lead < 17; lead++) {
      const text = filler.repeat(9).slice(0, lead + filler.length)
      t.equal(scan(`[{"k":"${text}"}]`), 1, `a quote after ${JSON.stringify(text)}`)
      t.equal(scan(`[{"k":"${text}\\n${text}"}]`), 1, `a backslash after ${JSON.stringify(text)}`)
      t.equal(scan(`[{"${text}":"v"}]`), 1, `a key's quote after ${JSON.stringify(text)}`)
      for (const control of ['\u0000', '\u0001', '\u001f', '\t', '\n']) {
        t.equal(scan(`[{"k":"${text}${control}${text}"}]`), -1, `a raw control character after ${JSON.stringify(text)}`)
      }
    }
  }
  // Bytes just past a quote that would flag a word were the quote missed: the count stays exact.
  t.equal(scan('[{"a":"b\u0001c"}]'), -1)
  t.equal(scan('[{"abc":"d"},{"e":"\u00200"}]'), 2)
  t.equal(scan('[{"a":"1234"},{"b":"5678"},{"c":"9"}]'), 3, 'strings that end at a word boundary')
})

t.test('a record that ends where the next begins with a key is counted, and only a record', async (t) => {
  t.equal(scan('[{"a":"b"},{"c":"d"},{"e":"f"}]'), 3)
  t.equal(scan('[{"a":"b"},{}]'), 2, 'the next record empty')
  t.equal(scan('[{"a":"b"} , {"c":"d"}]'), 2, 'whitespace between records')
  t.equal(scan('[{"a":{"b":"c"},{"d":"e"}}]'), -1, 'an object inside a record is not a record: a key must follow its comma')
  t.equal(scan('[{"a":["b"],{"c":"d"}}]'), -1, 'nor is an array')
  t.equal(scan('[{"a":{"b":"c"}},{"d":"e"}]'), 2, 'the nested object closed first')
  t.equal(scan('[{"a"},{"b":"c"}]'), -1, 'a key without its value')
  t.equal(scan('[{"a":"b"},{"c"]'), -1, 'the next record cut short')
  t.equal(scan('[{"a":"b"},{"c":"d"}'), -1, 'the list not closed')
})

t.test('countRecordList agrees with JSON.parse on generated bodies', async (t) => {
  const fc = await import('fast-check')
  // Valid lists (of objects or not), then the same texts cut short or with one character changed.
  const json = fc.jsonValue({ maxDepth: 4, stringUnit: 'binary' })
  const list = fc.array(fc.oneof({ weight: 4, arbitrary: fc.dictionary(fc.string({ unit: 'binary' }), json, { maxKeys: 4 }) }, { weight: 1, arbitrary: json }), { maxLength: 5 })
  const text = fc.tuple(list, fc.constantFrom(undefined, 0, 1, 2)).map(([value, space]) => JSON.stringify(value, null, space))
  const mutated = fc.tuple(text, fc.nat(), fc.constantFrom(...'[]{}",:\\ 0123456789.-+eEtrufalsn\u0001\n\u00e9\ud83d')).map(([s, at, c]) => {
    const i = s.length === 0 ? 0 : at % s.length
    return at % 3 === 0 ? s.slice(0, i) : s.slice(0, i) + c + s.slice(i + (at % 3 === 1 ? 1 : 0))
  })
  const outcomes = { counted: 0, refused: 0 }
  fc.assert(fc.property(fc.oneof(text, mutated), fc.integer({ min: 2, max: 5 }), fc.array(fc.nat(), { maxLength: 4 }), (body, maxDepth, cuts) => {
    // Only well-formed UTF-8 reaches the scan: the upload path refuses anything else first.
    const bytes = Buffer.from(body)
    if (!isUtf8(bytes)) return true
    const count = countRecordList(bytes, maxDepth)
    outcomes[count < 0 ? 'refused' : 'counted']++
    // The same body in pieces cut at random points.
    const points = [0, ...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b)
    const pieces = points.map((from, i) => bytes.subarray(from, points[i + 1] ?? bytes.length))
    return count === parsedCount(body, maxDepth) && scanPieces(pieces, maxDepth) === count
  }), { seed: 11, numRuns: 5000 })
  t.ok(outcomes.counted > 1000 && outcomes.refused > 1000, `both outcomes well represented: ${JSON.stringify(outcomes)}`)
})

t.test('a number cut by a piece boundary is read whole, and one too long to keep is left to JSON.parse', async (t) => {
  const pieces = (...texts: string[]): Uint8Array[] => texts.map((text) => Buffer.from(text))
  t.equal(scanPieces(pieces('[{"a":1', 'e3}]'), 32), 1)
  t.equal(scanPieces(pieces('[{"a":1', 'e4', '00}]'), 32), -1, 'the exponent in two pieces: 1e400 is not finite')
  t.equal(scanPieces(pieces('[{"a":-', '0.', '5E', '-', '7}]'), 32), 1)
  t.equal(scanPieces(pieces(`[{"a":${'9'.repeat(200)}`, `${'9'.repeat(200)}}]`), 32), -1, '400 digits in two pieces')
  t.equal(scanPieces(pieces(`[{"a":${'9'.repeat(200)}`, `${'9'.repeat(100)}}]`), 32), 1, '300 digits in two pieces')
  const long = `0.${'1'.repeat(2500)}`
  t.equal(countRecordList(Buffer.from(`[{"a":${long}${long.slice(2)}}]`), 32), 1, 'a long number in one piece')
  t.equal(scanPieces(pieces(`[{"a":${long}`, long.slice(2), long.slice(2), '}]'), 32), -1, 'longer than the scan keeps across pieces')
})

t.test('a scanner reset reads the next body from the start', async (t) => {
  const scanner = new RecordListScanner(32)
  scanner.push(Buffer.from('[{"a":'))
  t.equal(scanner.end(), -1, 'unfinished')
  scanner.reset()
  scanner.push(Buffer.from('[{},{}]'))
  t.equal(scanner.end(), 2)
  scanner.push(Buffer.from(' x'))
  t.equal(scanner.end(), -1, 'nothing but whitespace after the list')
  scanner.push(Buffer.from(']'))
  t.equal(scanner.end(), -1, 'a failed scan stays failed')
})

t.test('scans read side by side keep apart: each sets the other aside mid-string, mid-number, mid-escape and deep in a record', async (t) => {
  const bodies = [
    `[{"a":"${'x'.repeat(40)}","n":-12.5e-3,"d":[[{"e":[1,{"f":"\\u00e9\\n"}]}]],"w":false},{"b":null,"c":true}]`,
    `[{"long":${'7'.repeat(250)}.${'1'.repeat(30)}},{"big":1${'0'.repeat(280)}e-5,"s":"\\"q\\""},{}]`,
    '[{"x":1}, {"y":[]} ,{"z":{}}]',
    '[{"broken":tru}]'
  ]
  const alone = bodies.map((body) => countRecordList(Buffer.from(body), 32))
  t.strictSame(alone, [2, 3, 3, -1])
  for (const step of [1, 2, 3, 7, 13]) {
    const scanners = bodies.map(() => new RecordListScanner(32))
    const bytes = bodies.map((body) => Buffer.from(body))
    for (let at = 0; bytes.some((b) => at < b.length); at += step) {
      // In turns, one piece of each body: every push takes the module from another scan.
      for (const [i, scanner] of scanners.entries()) if (at < bytes[i]!.length) scanner.push(bytes[i]!.subarray(at, at + step))
    }
    t.strictSame(scanners.map((scanner) => scanner.end()), alone, `pieces of ${step} bytes, in turns`)
  }
  const pending = new RecordListScanner(32)
  pending.push(Buffer.from('[{"a":[1,2,'))
  t.equal(countRecordList(Buffer.from('[{},{}]'), 32), 2, 'a whole body read while another scan is halfway')
  pending.push(Buffer.from('3]}]'))
  t.equal(pending.end(), 1, 'and the halfway scan goes on where it was')
})

t.test('a piece larger than the module reads at once is read in parts, with tokens across them', async (t) => {
  const records = Array.from({ length: 6000 }, (_, i) => ({ Id: `DLPSB${String(i).padStart(12, '0')}`, Note: 'é'.repeat(i % 7), n: i * 1.5, t: i % 2 === 0 }))
  const body = Buffer.from(JSON.stringify(records))
  t.ok(body.length > 3 * 65536, `${body.length} bytes`)
  t.equal(countRecordList(body, 32), 6000)
  const scanner = new RecordListScanner(32)
  scanner.push(body.subarray(0, 100_001))
  scanner.push(body.subarray(100_001))
  t.equal(scanner.end(), 6000)
  t.equal(countRecordList(Buffer.concat([body.subarray(0, -1), Buffer.from(',1]')]), 32), -1, 'a bad end after several parts')
})

t.test('nesting up to the deepest limit the scan tracks', async (t) => {
  for (const depth of [1019, 1020, 1021, 1022, 1023]) {
    const text = `[{"d":${'['.repeat(depth)}${']'.repeat(depth)}}]`
    t.equal(countRecordList(Buffer.from(text), MAX_SCAN_DEPTH), parsedCount(text, MAX_SCAN_DEPTH), `${depth} arrays in a record`)
  }
  // The list, the record and 1,021 arrays: 1,023 levels.
  t.equal(countRecordList(Buffer.from(`[{"d":${'['.repeat(1021)}${']'.repeat(1021)}}]`), MAX_SCAN_DEPTH), 1)
  t.equal(countRecordList(Buffer.from(`[{"d":${'['.repeat(1022)}${']'.repeat(1022)}}]`), MAX_SCAN_DEPTH), -1)
})

t.test('the WebAssembly module is built from its source (npm run wasm)', async (t) => {
  t.equal(readFileSync(GENERATED, 'utf8'), await recordScanModule())
  await t.rejects(recordScanModule('export function push (length: i32): void { undefinedName() }'), /record-scan\.ts does not compile/)
})
