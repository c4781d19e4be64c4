/**
 * Eloqua's list conventions (eloqua-reference §3.1): `limit` 1-1000 (default 1000), `offset`,
 * `totalResults`, `orderBy=term ASC|DESC` and `q=term<op>value` filters with `*` wildcards,
 * answered as `{items, totalResults, limit, offset, count, hasMore}`.
 *
 * `q` is read by a small scanner, not regular expressions, and wildcards are matched in linear
 * time (glob.ts), so no query can freeze the mock. Items are turned into their views only for the
 * page asked for, unless `q` or `orderBy` needs them all.
 *
 * LIMITATIONS: `q` takes conditions joined by AND only, at most MAX_Q_LENGTH characters and
 * MAX_Q_WILDCARDS stars per condition; `links` is accepted and ignored.
 */
import { validationError } from './errors.js'
import { starMatcher } from './glob.js'

export const MAX_Q_LENGTH = 1000
export const MAX_Q_WILDCARDS = 10

export interface ListQuery {
  limit?: number
  offset?: number
  totalResults?: boolean | string
  orderBy?: string
  q?: string
}

export interface ListPage<T> {
  items: T[]
  totalResults?: number
  limit: number
  offset: number
  count: number
  hasMore: boolean
}

/** What a list is read from: an array, or anything else that can say its length and give item i. */
export interface ListSource<T> {
  readonly length: number
  at: (index: number) => T | undefined
}

interface Condition { term: string, test: (value: unknown) => boolean }

function valueOf (item: object, term: string): unknown {
  return (item as Record<string, unknown>)[term]
}

function compare (a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b
  return String(a ?? '').localeCompare(String(b ?? ''))
}

const isSpace = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v'
const isLetter = (c: string | undefined): boolean => c !== undefined && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9'

/** Splits on AND (any case, with whitespace around it) outside quotes: name='Sales and Marketing' is one condition. */
function splitOnAnd (q: string): string[] {
  const parts: string[] = []
  let quote: string | undefined
  let start = 0
  for (let i = 0; i < q.length; i++) {
    const c = q[i]
    if (quote !== undefined) {
      if (c === quote) quote = undefined
    } else if (c === "'" || c === '"') {
      quote = c
    } else if (isSpace(c)) {
      let j = i
      while (isSpace(q[j])) j++
      if (q.slice(j, j + 3).toLowerCase() === 'and' && isSpace(q[j + 3])) {
        parts.push(q.slice(start, i))
        let k = j + 3
        while (isSpace(q[k])) k++
        start = k
        i = k - 1
      } else {
        i = j - 1
      }
    }
  }
  parts.push(q.slice(start))
  return parts
}

const OPERATORS = ['!=', '<=', '>=', '=', '<', '>'] as const

/** `term<op>value`, the value bare or in single or double quotes; undefined when it is not that. */
function readCondition (text: string): { term: string, op: typeof OPERATORS[number], value: string } | undefined {
  let s = text.trim()
  if (s.startsWith('"')) s = s.slice(1)
  let i = 0
  if (!isLetter(s[i])) return undefined
  while (isLetter(s[i]) || isDigit(s[i])) i++
  const term = s.slice(0, i)
  while (isSpace(s[i])) i++
  const op = OPERATORS.find((o) => s.startsWith(o, i))
  if (op === undefined) return undefined
  i += op.length
  while (isSpace(s[i])) i++
  const rest = s.slice(i)
  const quote = rest[0]
  if (quote === "'" || quote === '"') {
    const close = rest.indexOf(quote, 1)
    const tail = close < 0 ? undefined : rest.slice(close + 1).trimEnd()
    if (tail === '' || tail === '"') return { term, op, value: rest.slice(1, close) }
  }
  let value = rest.trimEnd()
  if (value.endsWith('"')) value = value.slice(0, -1)
  return { term, op, value }
}

function parseConditions (q: string, terms: ReadonlySet<string>): Condition[] {
  const refuse = (constraint: string): never => {
    throw validationError([{ field: 'q', value: q.length > 100 ? `${q.slice(0, 97)}...` : q, constraint }])
  }
  if (q.length > MAX_Q_LENGTH) refuse(`Must be at most ${MAX_Q_LENGTH} characters long.`)
  return splitOnAnd(q).map((part) => {
    const condition = readCondition(part)
    if (condition === undefined || !terms.has(condition.term)) {
      return refuse(`Must be term<operator>value joined by AND, with term one of ${[...terms].join(', ')}.`)
    }
    const { term, op, value: wanted } = condition
    if (op === '=' || op === '!=') {
      if (wanted.split('*').length - 1 > MAX_Q_WILDCARDS) refuse(`Must have at most ${MAX_Q_WILDCARDS} * wildcards in one condition.`)
      const matches = starMatcher(wanted)
      return { term, test: (value) => matches(String(value ?? '')) === (op === '=') }
    }
    return {
      term,
      test: (value) => {
        const order = compare(value, typeof value === 'number' ? Number(wanted) : wanted)
        return op === '<' ? order < 0 : op === '>' ? order > 0 : op === '<=' ? order <= 0 : order >= 0
      }
    }
  })
}

/**
 * One page of a list, filtered and sorted as the query asks; bad `q` or `orderBy` answers 400.
 * `view` turns an item into what the client sees; `terms` are the view properties `q` and
 * `orderBy` may name.
 */
export function paginate<T extends object, V extends object = T> (source: ListSource<T>, query: ListQuery, terms: readonly string[], view: (item: T) => V = (item) => item as unknown as V): ListPage<V> {
  const known = new Set(terms)
  const filter = query.q !== undefined && query.q.trim() !== '' ? parseConditions(query.q, known) : undefined
  let order: { term: string, direction: number } | undefined
  if (query.orderBy !== undefined && query.orderBy.trim() !== '') {
    const [term = '', direction = 'ASC', ...extra] = query.orderBy.trim().split(/\s+/)
    if (extra.length > 0 || !known.has(term) || !['ASC', 'DESC'].includes(direction.toUpperCase())) {
      throw validationError([{ field: 'orderBy', value: query.orderBy.slice(0, 100), constraint: `Must be "term ASC" or "term DESC", with term one of ${terms.join(', ')}.` }])
    }
    order = { term, direction: direction.toUpperCase() === 'DESC' ? -1 : 1 }
  }

  let selected: ListSource<V>
  if (filter === undefined && order === undefined) {
    selected = { length: source.length, at: (i) => view(source.at(i) as T) }
  } else {
    let views: V[] = []
    for (let i = 0; i < source.length; i++) views.push(view(source.at(i) as T))
    if (filter !== undefined) views = views.filter((item) => filter.every((c) => c.test(valueOf(item, c.term))))
    if (order !== undefined) {
      const { term, direction } = order
      views.sort((a, b) => direction * compare(valueOf(a, term), valueOf(b, term)))
    }
    selected = views
  }
  const limit = query.limit ?? 1000
  const offset = query.offset ?? 0
  const items: V[] = []
  for (let i = offset; i < Math.min(offset + limit, selected.length); i++) items.push(selected.at(i) as V)
  const result: ListPage<V> = { items, limit, offset, count: items.length, hasMore: offset + items.length < selected.length }
  if (String(query.totalResults).toLowerCase() !== 'false') result.totalResults = selected.length
  return result
}
