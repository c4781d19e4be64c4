import t from 'tap'
import { jsonProblem } from '../../src/domain/json-limits.js'

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
