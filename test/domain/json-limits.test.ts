import { isUtf8 } from 'node:buffer'
import t from 'tap'
import { countRecordList, jsonProblem } from '../../src/domain/json-limits.js'

const deep = (depth: number): unknown => JSON.parse(`${'['.repeat(depth)}${']'.repeat(depth)}`)

t.test('values within the depth and with finite numbers pass', async (t) => {
  for (const value of ['text', 1, null, true, [], {}, [{ Id: 'a', n: 1.5e308 }], deep(32)]) t.equal(jsonProblem(value, 32), undefined)
})

t.test('nesting deeper than the limit is named, arrays and objects alike', async (t) => {
  t.equal(jsonProblem(deep(33), 32), 'Must not nest arrays and objects more than 32 levels deep.')
  t.equal(jsonProblem(JSON.parse(`${'{"a":'.repeat(40)}1${'}'.repeat(40)}`), 32), 'Must not nest arrays and objects more than 32 levels deep.')
  t.equal(jsonProblem(deep(100000), 32), 'Must not nest arrays and objects more than 32 levels deep.', 'no stack overflow however deep')
})

t.test('numbers beyond a double are named, at the top, in arrays and in objects', async (t) => {
  for (const text of ['1e400', '[1e400]', '{"a":[{"b":-1e400}]}']) t.equal(jsonProblem(JSON.parse(text), 32), 'Numbers must be finite (at most about 1.8e308).', text)
})

// countRecordList ---------------------------------------------------------------------------

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

const scan = (text: string, maxDepth = 32): number => countRecordList(Buffer.from(text), maxDepth)

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
  t.equal(scan('[{"a":[]}]', 3), 1)
  t.equal(scan(`[{"d":${'['.repeat(100_000)}`), -1, 'deep nesting stops at the limit, without recursion')
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
  fc.assert(fc.property(fc.oneof(text, mutated), fc.integer({ min: 2, max: 5 }), (body, maxDepth) => {
    // Only well-formed UTF-8 reaches the scan: the upload path refuses anything else first.
    if (!isUtf8(Buffer.from(body))) return true
    const count = scan(body, maxDepth)
    outcomes[count < 0 ? 'refused' : 'counted']++
    return count === parsedCount(body, maxDepth)
  }), { seed: 11, numRuns: 5000 })
  t.ok(outcomes.counted > 1000 && outcomes.refused > 1000, `both outcomes well represented: ${JSON.stringify(outcomes)}`)
})
