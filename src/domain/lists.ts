/**
 * Eloqua's list conventions (eloqua-reference §3.1): `limit` 1-1000 (default 1000), `offset`,
 * `totalResults`, `orderBy=term ASC|DESC` and `q=term<op>value` filters with `*` wildcards,
 * answered as `{items, totalResults, limit, offset, count, hasMore}`.
 *
 * LIMITATIONS: `q` takes conditions joined by AND only; `links` is accepted and ignored.
 */
import { validationError } from './errors.js'

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

type Item = object

const CONDITION = /^\s*"?([A-Za-z][A-Za-z0-9]*)\s*(!=|<=|>=|=|<|>)\s*(?:'([^']*)'|"([^"]*)"|(.*?))"?\s*$/

interface Condition { term: string, test: (value: unknown) => boolean }

function valueOf (item: Item, term: string): unknown {
  return (item as Record<string, unknown>)[term]
}

function compare (a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b
  return String(a ?? '').localeCompare(String(b ?? ''))
}

function parseConditions (q: string, terms: ReadonlySet<string>): Condition[] {
  // AND outside quotes joins conditions: name='Sales and Marketing' is one condition.
  return q.split(/\s+and\s+(?=(?:[^'"]*'[^']*'|[^'"]*"[^"]*")*[^'"]*$)/i).map((part) => {
    const match = CONDITION.exec(part)
    const term = match?.[1]
    if (match === null || term === undefined || !terms.has(term)) {
      throw validationError([{ field: 'q', value: q, constraint: `Must be term<operator>value joined by AND, with term one of ${[...terms].join(', ')}.` }])
    }
    const op = match[2] as string
    // The last alternative matches anything, so one of the three groups is set.
    const wanted = (match[3] ?? match[4] ?? match[5]) as string
    if (op === '=' || op === '!=') {
      const pattern = new RegExp(`^${wanted.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 'i')
      return { term, test: (value) => pattern.test(String(value ?? '')) === (op === '=') }
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

/** One page of `items`, filtered and sorted as the query asks; bad `q` or `orderBy` answers 400. */
export function paginate<T extends Item> (items: readonly T[], query: ListQuery, terms: readonly string[]): ListPage<T> {
  const known = new Set(terms)
  let selected = [...items]
  if (query.q !== undefined && query.q.trim() !== '') {
    const conditions = parseConditions(query.q, known)
    selected = selected.filter((item) => conditions.every((c) => c.test(valueOf(item, c.term))))
  }
  if (query.orderBy !== undefined && query.orderBy.trim() !== '') {
    const match = /^\s*([A-Za-z][A-Za-z0-9]*)(?:\s+(ASC|DESC))?\s*$/i.exec(query.orderBy)
    const term = match?.[1]
    if (match === null || term === undefined || !known.has(term)) {
      throw validationError([{ field: 'orderBy', value: query.orderBy, constraint: `Must be "term ASC" or "term DESC", with term one of ${terms.join(', ')}.` }])
    }
    const direction = match[2]?.toUpperCase() === 'DESC' ? -1 : 1
    selected.sort((a, b) => direction * compare(valueOf(a, term), valueOf(b, term)))
  }
  const limit = query.limit ?? 1000
  const offset = query.offset ?? 0
  const page = selected.slice(offset, offset + limit)
  const result: ListPage<T> = { items: page, limit, offset, count: page.length, hasMore: offset + page.length < selected.length }
  if (String(query.totalResults).toLowerCase() !== 'false') result.totalResults = selected.length
  return result
}
