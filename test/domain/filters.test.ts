import t from 'tap'
import { FilterSyntaxError, compileFilter, filterDate, likeMatcher, parseFilter, MAX_LIKE_PATTERN, type FilterColumn, type FilterContext } from '../../src/domain/filters.js'
import { EntityTable, type EntityRecord } from '../../src/domain/entities.js'

const table = new EntityTable([
  { id: 1, fieldValues: { Country: 'Belgium', Score: '10', Born: '2024-05-01 00:00:00', Email: 'ana@example.com' } },
  { id: 2, fieldValues: { Country: 'belgium', Score: '2.5', Born: '2023-01-01', Email: 'BO@Example.org' } },
  { id: 3, fieldValues: { Country: '', Score: '', Born: '' } }
])
const records = [...table.records()]
const [one, , three] = records as [EntityRecord, EntityRecord, EntityRecord]
three.destinations['{{ActionInstance(abc).Execution[1]}}'] = { status: 'complete', syncUri: '/syncs/1', updatedAt: 'x' }
one.destinations['{{ActionInstance(abc).Execution[2]}}'] = { status: 'pending', syncUri: '/syncs/1', updatedAt: 'x' }
one.destinations['{{ContactList[1]}}'] = { member: true, syncUri: '/syncs/1', updatedAt: 'x' }

const columns: Record<string, FilterColumn> = {
  '{{Country}}': { read: (r) => r.fieldValues.Country ?? '', type: 'text' },
  '{{Email}}': { read: (r) => r.fieldValues.Email ?? '', type: 'text' },
  '{{Score}}': { read: (r) => r.fieldValues.Score ?? '', type: 'number' },
  '{{Born}}': { read: (r) => r.fieldValues.Born ?? '', type: 'date' }
}
const context: FilterContext = {
  column: (statement) => columns[statement],
  container: (statement) => statement === '{{ContactList[1]}}' ? (r) => r.destinations[statement]?.member === true : undefined,
  destinations: (r) => r.destinations
}
function ids (filter: string): number[] {
  const { predicate, problems } = compileFilter(parseFilter(filter), context)
  if (problems.length > 0) throw new Error(problems.join(' '))
  return records.filter(predicate).map((r) => r.id)
}
function problemsOf (filter: string): string[] {
  return compileFilter(parseFilter(filter), context).problems
}
function syntax (filter: string): [number, string] {
  try {
    parseFilter(filter)
  } catch (err) {
    return [(err as FilterSyntaxError).offset, (err as Error).message]
  }
  return [-1, 'parsed']
}

t.test('comparisons of text ignore case; blanks match only = and !=', async (t) => {
  t.strictSame(ids("'{{Country}}' = 'BELGIUM'"), [1, 2])
  t.strictSame(ids("'{{Country}}' != 'belgium'"), [3])
  t.strictSame(ids("'{{Country}}' = ''"), [3])
  t.strictSame(ids("'{{Country}}' < 'c'"), [1, 2])
  t.strictSame(ids("'{{Country}}' > 'a'"), [1, 2])
  t.strictSame(ids("'{{Country}}' <= 'belgium' AND '{{Country}}' >= 'belgium'"), [1, 2])
  t.strictSame(ids("{{Country}} = 'Belgium'"), [1, 2], 'a statement without quotes')
  t.strictSame(ids("'{{Email}}' = 'it''s'"), [], 'a doubled quote is a quote')
})

t.test('numbers and dates compare by value; a blank never compares', async (t) => {
  t.strictSame(ids("'{{Score}}' > '3'"), [1])
  t.strictSame(ids("'{{Score}}' < 3"), [2])
  t.strictSame(ids("'{{Score}}' != '10'"), [2])
  t.strictSame(ids("'{{Born}}' >= '2024-01-01 00:00:00'"), [1])
  t.strictSame(ids("'{{Born}}' < 2024-01-01"), [2])
  t.strictSame(ids("'{{Born}}' = 2024-05-01 00:00:00.000"), [1])
  t.strictSame(problemsOf("'{{Born}}' > 'yesterday'"), ['"yesterday" is not a date such as \'2024-05-01 00:00:00\'.'])
  t.strictSame(problemsOf("'{{Score}}' > 'lots'"), ['"lots" is not a number.'])
  t.strictSame(problemsOf("'{{Score}}' > ''"), ['"" is not a number.'])
  for (const good of ['2024-05-01', '2024-05-01 10:00', '2024-05-01 10:00:00', '2024-05-01T10:00:00.1234567Z']) t.type(filterDate(good), 'number', good)
  for (const bad of ['2024-5-1', '2024-13-45', 'yesterday', '2024-05-01 10']) t.equal(filterDate(bad), undefined, bad)
  t.equal(filterDate('2024-05-01'), Date.UTC(2024, 4, 1))
})

t.test('AND binds tighter than OR; NOT and parentheses', async (t) => {
  t.strictSame(ids("'{{Score}}' = 10 OR '{{Score}}' = 2.5 AND '{{Country}}' = 'x'"), [1])
  t.strictSame(ids("('{{Score}}' = 10 OR '{{Score}}' = 2.5) AND '{{Country}}' = 'belgium'"), [1, 2])
  t.strictSame(ids("NOT '{{Country}}' = 'belgium'"), [3])
  t.strictSame(ids("not not '{{Country}}' = 'belgium' and EXISTS('{{ContactList[1]}}')"), [1], 'keywords in any case')
})

t.test('LIKE: %, _, classes, without case, in linear time', async (t) => {
  t.strictSame(ids("'{{Email}}' ~ '%@example.%'"), [1, 2])
  t.strictSame(ids("'{{Email}}' ~ '___@%'"), [1])
  t.strictSame(ids("'{{Country}}' ~ '[b-c]elgium'"), [1, 2])
  t.strictSame(ids("'{{Country}}' ~ '[^b]%'"), [])
  const match = (pattern: string, value: string): boolean => likeMatcher(pattern, [])(value.toLowerCase())
  t.ok(match('a%b%c', 'aXXbYYc'))
  t.notOk(match('a%b%c', 'aXXcYYb'))
  t.ok(match('%', ''))
  t.ok(match('ab', 'AB'))
  t.notOk(match('ab', 'abc'))
  t.ok(match('[ab]', 'b'))
  t.ok(match('[x', '[x'), 'an unclosed class is literal')
  t.notOk(match('%abc%', 'ab'))
  t.notOk(match('abc%', 'ab'))
  t.notOk(match('%xyz', 'ab'))
  const problems: string[] = []
  likeMatcher('x'.repeat(MAX_LIKE_PATTERN + 1), problems)('x')
  t.strictSame(problems, ['A ~ pattern may have at most 100 characters besides %.'])
  const started = performance.now()
  t.notOk(match(`%${'a'.repeat(50)}b%`, 'a'.repeat(100_000)))
  t.ok(performance.now() - started < 2000, 'a hostile pattern over a long value stays cheap')
})

t.test('STATUS reads what setStatus sync actions did; EXISTS names a container', async (t) => {
  t.strictSame(ids("STATUS('{{ActionInstance(abc)}}') = 'COMPLETE'"), [3])
  t.strictSame(ids("STATUS('{{ActionInstance(abc)}}') != 'complete'"), [1, 2], 'a record without a status is blank, and != matches blanks')
  t.strictSame(ids('EXISTS({{ContactList[1]}})'), [1])
  t.strictSame(problemsOf("STATUS('{{Nope}}') = 'complete'"), ["STATUS takes '{{ActionInstance(<id>)}}' and = or != a status."])
  t.strictSame(problemsOf("STATUS('{{ActionInstance(abc)}}') > 'a'"), ["STATUS takes '{{ActionInstance(<id>)}}' and = or != a status."])
  t.strictSame(problemsOf("STATUS('{{ActionInstance(abc)}}') = 'bogus'"), ['STATUS compares with one of bounced, subscribed, unsubscribed, active, complete, pending, errored, yes, no, invalid, permission, not "bogus".'])
  t.strictSame(problemsOf("EXISTS('{{ContactList[2]}}') AND EXISTS('{{ContactList[1]}}') AND STATUS({{ActionInstance(a)}}) = 'complete' OR STATUS('{{ActionInstance(b)}}') = 'pending'"), [
    '{{ContactList[2]}} is not a list, segment or filter of this entity that exists.',
    'A filter may use EXISTS once.',
    'A filter may use STATUS once.'
  ])
  t.strictSame(problemsOf("'{{Nope}}' = 'x'"), ['{{Nope}} is not a field or attribute this export can filter on.'])
})

t.test('a filter that does not parse says where and why', async (t) => {
  t.strictSame(syntax("'{{Country}}' = "), [16, 'the filter ends too soon'])
  t.strictSame(syntax("'{{Country}}' @ 'x'"), [14, 'unexpected character "@"'])
  t.strictSame(syntax("'{{Country}}' = 'x' 'y'"), [20, 'unexpected "\'y\'"'])
  t.strictSame(syntax("('{{Country}}' = 'x'"), [20, 'the filter ends too soon'])
  t.strictSame(syntax("'unterminated"), [0, 'unexpected character "\'"'])
  t.strictSame(syntax('AND'), [0, 'unexpected "AND"'])
  t.strictSame(syntax(`${'('.repeat(101)}'{{Country}}' = 'x'${')'.repeat(101)}`), [100, 'it nests more than 100 parentheses or NOTs'])
  t.strictSame(syntax(`${'NOT '.repeat(101)}'{{Country}}' = 'x'`), [400, 'it nests more than 100 parentheses or NOTs'])
  t.strictSame(ids(`${'('.repeat(100)}'{{Country}}' = ''${')'.repeat(100)}`), [3], '100 levels are fine')
})

t.test('a filter with problems matches nothing', async (t) => {
  const { predicate, problems } = compileFilter(parseFilter("'{{Nope}}' = 'x' OR EXISTS('{{ContactList[9]}}') OR STATUS('{{x}}') = 'y' OR '{{Score}}' = 'z' OR STATUS('{{ActionInstance(a)}}') = 'y'"), context)
  t.equal(problems.length, 6, 'five problems, and STATUS twice')
  t.strictSame(records.filter(predicate), [])
})
