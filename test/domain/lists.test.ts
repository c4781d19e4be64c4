import t from 'tap'
import { paginate } from '../../src/domain/lists.js'
import { EloquaError } from '../../src/domain/errors.js'

const items = [
  { name: 'Bravo', createdAt: '2024-02-01T00:00:00.0000000Z', count: 2 },
  { name: 'alpha test', createdAt: '2024-01-01T00:00:00.0000000Z', count: 10 },
  { name: 'Charlie Test', createdAt: '2024-03-01T00:00:00.0000000Z', count: 1 }
]
const terms = ['name', 'createdAt', 'count']
const names = (page: { items: Array<{ name: string }> }): string[] => page.items.map((i) => i.name)

t.test('defaults: everything, limit 1000, offset 0, with totalResults', async (t) => {
  t.strictSame(paginate(items, {}, terms), { items, limit: 1000, offset: 0, count: 3, hasMore: false, totalResults: 3 })
})

t.test('limit and offset page through; hasMore says whether more follow', async (t) => {
  t.match(paginate(items, { limit: 2 }, terms), { count: 2, hasMore: true, totalResults: 3 })
  t.match(paginate(items, { limit: 2, offset: 2 }, terms), { count: 1, hasMore: false })
  t.match(paginate(items, { offset: 10 }, terms), { items: [], count: 0, hasMore: false, totalResults: 3 })
})

t.test('totalResults=false leaves the key out', async (t) => {
  t.notOk('totalResults' in paginate(items, { totalResults: false }, terms))
})

t.test('orderBy sorts by a term, ASC by default', async (t) => {
  t.strictSame(names(paginate(items, { orderBy: 'name' }, terms)), ['alpha test', 'Bravo', 'Charlie Test'])
  t.strictSame(names(paginate(items, { orderBy: 'createdAt DESC' }, terms)), ['Charlie Test', 'Bravo', 'alpha test'])
  t.strictSame(names(paginate(items, { orderBy: 'count asc' }, terms)), ['Charlie Test', 'Bravo', 'alpha test'], 'numbers sort as numbers')
  t.strictSame(names(paginate(items, { orderBy: ' ' }, terms)), names(paginate(items, {}, terms)))
})

t.test('q filters with = (wildcards, any case), !=, <, >, <=, >= and AND', async (t) => {
  t.strictSame(names(paginate(items, { q: "name='*test*'" }, terms)), ['alpha test', 'Charlie Test'])
  t.strictSame(names(paginate(items, { q: 'name=Bravo' }, terms)), ['Bravo'])
  t.strictSame(names(paginate(items, { q: '"name!=Bravo"' }, terms)), ['alpha test', 'Charlie Test'])
  t.strictSame(names(paginate(items, { q: 'createdAt<2024-02-01' }, terms)), ['alpha test'])
  t.strictSame(names(paginate(items, { q: 'createdAt>=2024-02-01' }, terms)), ['Bravo', 'Charlie Test'])
  t.strictSame(names(paginate(items, { q: 'count>1 and count<=2' }, terms)), ['Bravo'])
  t.strictSame(names(paginate(items, { q: 'createdAt>2024-02-02' }, terms)), ['Charlie Test'])
  t.strictSame(names(paginate(items, { q: 'name="a.c"' }, terms)), [], 'regex characters are literal')
  t.strictSame(names(paginate(items, { q: '' }, terms)), names(paginate(items, {}, terms)))
  const withAnd = [...items, { name: 'Sales and Marketing', createdAt: '2024-04-01T00:00:00.0000000Z', count: 3 }]
  t.strictSame(names(paginate(withAnd, { q: "name='Sales and Marketing'" }, terms)), ['Sales and Marketing'], 'AND inside quotes is part of the value')
  t.strictSame(names(paginate(withAnd, { q: "name='*and*' AND count>2" }, terms)), ['Sales and Marketing'])
  t.strictSame(paginate(items, { totalResults: 'False' }, terms).totalResults, undefined)
})

t.test('items without the term sort first and compare as empty text', async (t) => {
  const mixed = [{ name: 'b', endedAt: '2024-01-02' }, { name: 'a' }, { name: 'c', endedAt: '2024-01-01' }]
  t.strictSame(paginate(mixed, { orderBy: 'endedAt' }, ['name', 'endedAt']).items.map((i) => i.name), ['a', 'c', 'b'])
  t.strictSame(paginate(mixed, { q: 'endedAt=*' }, ['name', 'endedAt']).items.map((i) => i.name), ['b', 'a', 'c'])
  t.strictSame(paginate(mixed, { q: 'endedAt!=*' }, ['name', 'endedAt']).items.map((i) => i.name), [])
  t.strictSame(paginate(mixed, { q: 'name="b"' }, ['name', 'endedAt']).items.map((i) => i.name), ['b'])
})

t.test('an unknown term or a malformed q or orderBy is a 400 naming the parameter', async (t) => {
  for (const [query, field] of [[{ q: 'color=red' }, 'q'], [{ q: 'name~x' }, 'q'], [{ orderBy: 'color ASC' }, 'orderBy'], [{ orderBy: 'name sideways' }, 'orderBy']] as const) {
    const error = t.throws(() => paginate(items, query, terms)) as EloquaError
    t.equal(error.statusCode, 400)
    t.match(error.body(), { failures: [{ field, value: Object.values(query)[0] }] })
  }
})

t.test('q conditions may have spaces around the operator, quotes of either kind, and AND in any case', async (t) => {
  const items = [{ name: 'Alpha Beta', n: 1 }, { name: 'Gamma', n: 2 }]
  t.strictSame(paginate(items, { q: "name = 'Alpha Beta'" }, ['name', 'n']).items, [items[0]])
  t.strictSame(paginate(items, { q: 'name = "Gam*"  and  n >= 2' }, ['name', 'n']).items, [items[1]])
  t.strictSame(paginate(items, { q: "name='Alpha Beta' x" }, ['name', 'n']).items, [], 'text after a closing quote is part of a bare value')
  t.strictSame(paginate(items, { q: "\"name='Gamma'\"" }, ['name', 'n']).items, [items[1]], 'a condition in double quotes')
  t.throws(() => paginate(items, { q: 'name' }, ['name']), EloquaError)
  t.throws(() => paginate(items, { q: '=Gamma' }, ['name']), EloquaError)
  t.throws(() => paginate(items, { orderBy: 'name ASC extra' }, ['name']), EloquaError)
})

t.test('a quoted q value may be followed by a stray double quote; an unclosed quote is part of a bare value', async (t) => {
  const items = [{ name: 'Gamma' }, { name: "'Gamma" }]
  t.strictSame(paginate(items, { q: "name='Gamma'\"" }, ['name']).items, [items[0]])
  t.strictSame(paginate(items, { q: "name='Gamma" }, ['name']).items, [items[1]])
})
