/**
 * Eloqua's export filter language (imports-exports §3.2), read by a chevrotain lexer and parser
 * built once at start: `'{{statement}}' <op> 'value'` with `= != < > <= >= ~`, joined by
 * `AND`, `OR`, `NOT` and parentheses, plus `EXISTS('{{ContactList[1]}}')` and
 * `STATUS('{{ActionInstance(<id>)}}') = 'complete'`. A filter is parsed and checked when its
 * definition is created, and compiled once per sync into a predicate over records.
 *
 * Every token pattern is anchored and free of nested repetition, so lexing is linear in the
 * filter's length (at most MAX_FILTER_LENGTH characters).
 */
import type { IToken, TokenType } from 'chevrotain'
import { EmbeddedActionsParser, Lexer, createToken } from './chevrotain.js'
import type { EntityRecord } from './entities.js'
import { SYNC_ACTION_STATUSES } from '../schemas/fixtures.js'

/** What a filter says, as a tree. */
export type FilterNode =
  | { readonly kind: 'and' | 'or', readonly left: FilterNode, readonly right: FilterNode }
  | { readonly kind: 'not', readonly operand: FilterNode }
  | { readonly kind: 'compare', readonly statement: string, readonly op: ComparisonOp, readonly value: string }
  | { readonly kind: 'exists', readonly container: string }
  | { readonly kind: 'status', readonly instance: string, readonly op: ComparisonOp, readonly value: string }

export type ComparisonOp = '=' | '!=' | '<' | '>' | '<=' | '>=' | '~'

const WhiteSpace = createToken({ name: 'WhiteSpace', pattern: /[ \t\r\n]+/, group: Lexer.SKIPPED })
const Identifier = createToken({ name: 'Identifier', pattern: /[A-Za-z_][A-Za-z0-9_]*/ })
const keyword = (name: string, pattern: RegExp): TokenType => createToken({ name, pattern, longer_alt: Identifier })
const And = keyword('AND', /AND/i)
const Or = keyword('OR', /OR/i)
const Not = keyword('NOT', /NOT/i)
const Exists = keyword('EXISTS', /EXISTS/i)
const Status = keyword('STATUS', /STATUS/i)
const LParen = createToken({ name: 'LParen', pattern: /\(/ })
const RParen = createToken({ name: 'RParen', pattern: /\)/ })
// Longest operators first: `>=` before `>`.
const Operator = createToken({ name: 'Operator', pattern: /!=|<=|>=|=|<|>|~/ })
/** A single-quoted text; a quote inside is doubled, as in SQL. */
const Quoted = createToken({ name: 'Quoted', pattern: /'(?:[^']|'')*'/ })
/** A statement without quotes, `{{Contact.Id}}`. */
const Statement = createToken({ name: 'Statement', pattern: /\{\{[^{}]*\}\}/ })
/** An unquoted number or date, `2024-05-01`, or a time after it, `10:00:00.000`. */
const Bare = createToken({ name: 'Bare', pattern: /[0-9][0-9:.-]*/ })

const TOKENS = [WhiteSpace, And, Or, Not, Exists, Status, LParen, RParen, Operator, Quoted, Statement, Bare, Identifier]
// Built when the first filter arrives, as the parser is: building them costs start-up time.
let lexer: InstanceType<typeof Lexer> | undefined

const unquote = (token: IToken): string => token.tokenType === Quoted ? token.image.slice(1, -1).replaceAll("''", "'") : token.image

class FilterParser extends EmbeddedActionsParser {
  constructor () {
    super(TOKENS, { maxLookahead: 2 })
    this.performSelfAnalysis()
  }

  readonly filter = this.RULE('filter', (): FilterNode => {
    let node = this.SUBRULE(this.conjunction)
    this.MANY(() => {
      this.CONSUME(Or)
      const right = this.SUBRULE2(this.conjunction)
      node = this.ACTION(() => ({ kind: 'or', left: node, right }))
    })
    return node
  })

  readonly conjunction = this.RULE('conjunction', (): FilterNode => {
    let node = this.SUBRULE(this.negation)
    this.MANY(() => {
      this.CONSUME(And)
      const right = this.SUBRULE2(this.negation)
      node = this.ACTION(() => ({ kind: 'and', left: node, right }))
    })
    return node
  })

  readonly negation = this.RULE('negation', (): FilterNode => this.OR([
    {
      ALT: () => {
        this.CONSUME(Not)
        const operand = this.SUBRULE(this.negation)
        return { kind: 'not', operand }
      }
    },
    { ALT: () => this.SUBRULE(this.primary) }
  ]))

  readonly primary = this.RULE('primary', (): FilterNode => this.OR([
    {
      ALT: () => {
        this.CONSUME(LParen)
        const node = this.SUBRULE(this.filter)
        this.CONSUME(RParen)
        return node
      }
    },
    {
      ALT: () => {
        this.CONSUME(Exists)
        this.CONSUME2(LParen)
        const container = this.OR2([{ ALT: () => this.CONSUME(Quoted) }, { ALT: () => this.CONSUME(Statement) }])
        this.CONSUME2(RParen)
        return { kind: 'exists', container: unquote(container) }
      }
    },
    {
      ALT: () => {
        this.CONSUME(Status)
        this.CONSUME3(LParen)
        const instance = this.OR3([{ ALT: () => this.CONSUME2(Quoted) }, { ALT: () => this.CONSUME2(Statement) }])
        this.CONSUME3(RParen)
        const op = this.CONSUME(Operator)
        const value = this.SUBRULE(this.value)
        return { kind: 'status', instance: unquote(instance), op: op.image as ComparisonOp, value }
      }
    },
    {
      ALT: () => {
        const statement = this.OR4([{ ALT: () => this.CONSUME3(Quoted) }, { ALT: () => this.CONSUME3(Statement) }])
        const op = this.CONSUME2(Operator)
        const value = this.SUBRULE2(this.value)
        return { kind: 'compare', statement: unquote(statement), op: op.image as ComparisonOp, value }
      }
    }
  ]))

  /** A quoted value, or a bare number or date with an optional bare time after it. */
  readonly value = this.RULE('value', (): string => this.OR([
    { ALT: () => unquote(this.CONSUME(Quoted)) },
    {
      ALT: () => {
        const date = this.CONSUME(Bare).image
        const time = this.OPTION(() => this.CONSUME2(Bare).image)
        return time === undefined ? date : `${date} ${time}`
      }
    }
  ]))
}

// Built at the first filter: Chevrotain's self-analysis takes a quarter of a second, which a
// mock that is never sent a filter (and every test process) should not pay at start.
let parser: FilterParser | undefined

/** A filter that does not parse: where (a 0-based character offset) and why, in words. */
export class FilterSyntaxError extends Error {
  readonly offset: number

  constructor (offset: number, message: string) {
    super(message)
    this.offset = offset
  }
}

/** Parentheses and NOTs a filter may nest: the parser is recursive, and the stack is finite. */
export const MAX_FILTER_NESTING = 100

function checkNesting (tokens: readonly IToken[]): void {
  let depth = 0
  let nots = 0
  for (const token of tokens) {
    if (token.tokenType === LParen) depth++
    else if (token.tokenType === RParen) depth--
    else if (token.tokenType === Not) nots++
    if (depth > MAX_FILTER_NESTING || nots > MAX_FILTER_NESTING) {
      throw new FilterSyntaxError(token.startOffset, `it nests more than ${MAX_FILTER_NESTING} parentheses or NOTs`)
    }
  }
}

/** The tree of a filter, or a FilterSyntaxError saying where and why it does not parse. */
export function parseFilter (text: string): FilterNode {
  lexer ??= new Lexer(TOKENS, { positionTracking: 'onlyOffset', ensureOptimizations: false })
  const lexed = lexer.tokenize(text)
  const [bad] = lexed.errors
  if (bad !== undefined) throw new FilterSyntaxError(bad.offset, `unexpected character ${JSON.stringify(text.charAt(bad.offset))}`)
  checkNesting(lexed.tokens)
  parser ??= new FilterParser()
  parser.input = lexed.tokens
  const tree = parser.filter()
  const [problem] = parser.errors
  if (problem !== undefined) {
    const token = problem.token
    const at = Number.isNaN(token.startOffset) ? text.length : token.startOffset
    throw new FilterSyntaxError(at, token.tokenType.name === 'EOF' ? 'the filter ends too soon' : `unexpected ${JSON.stringify(token.image)}`)
  }
  return tree
}

/**
 * How a filter reads a statement from a row, and how its values compare. A row is a record, or
 * (activities, which are never materialised) the index of one.
 */
export interface FilterColumn<R = EntityRecord> {
  readonly read: (record: R) => string
  readonly type: 'text' | 'number' | 'date'
  /** A date column's value in epoch milliseconds, when it has one without parsing text. */
  readonly time?: (record: R) => number
}

export interface FilterContext<R = EntityRecord> {
  /** The column a statement names in this export's entity, or undefined. */
  readonly column: (statement: string) => FilterColumn<R> | undefined
  /** Whether an EXISTS container names a list, segment or filter of this entity that exists. */
  readonly container: (statement: string) => ((record: R) => boolean) | undefined
  /** What sync actions set on a row, for STATUS; entities without sync actions have none. */
  readonly destinations?: (record: R) => EntityRecord['destinations']
}

export type RecordPredicate<R = EntityRecord> = (record: R) => boolean

/** `~` patterns are matched by a linear scan; this many characters besides `%` keep it cheap. */
export const MAX_LIKE_PATTERN = 100

/**
 * A filter compiled against one entity: a predicate over records, or the problems that keep it
 * from running (each a sentence), so a definition with them is refused.
 */
export function compileFilter<R = EntityRecord> (tree: FilterNode, context: FilterContext<R>): { predicate: RecordPredicate<R>, problems: string[] } {
  const problems: string[] = []
  let exists = 0
  let status = 0
  const compile = (node: FilterNode): RecordPredicate<R> => {
    switch (node.kind) {
      case 'and': {
        const [left, right] = [compile(node.left), compile(node.right)]
        return (record) => left(record) && right(record)
      }
      case 'or': {
        const [left, right] = [compile(node.left), compile(node.right)]
        return (record) => left(record) || right(record)
      }
      case 'not': {
        const operand = compile(node.operand)
        return (record) => !operand(record)
      }
      case 'exists': {
        exists += 1
        const member = context.container(node.container)
        if (member === undefined) problems.push(`${node.container} is not a list, segment or filter of this entity that exists.`)
        return member ?? never
      }
      case 'status': {
        status += 1
        if (context.destinations === undefined) {
          problems.push('STATUS is not available on exports of this entity.')
          return never
        }
        return statusPredicate(node, context.destinations, problems)
      }
      case 'compare': {
        const column = context.column(node.statement)
        if (column === undefined) {
          problems.push(`${node.statement} is not a field or attribute this export can filter on.`)
          return never
        }
        return comparison(column, node.op, node.value, problems)
      }
    }
  }
  const predicate = compile(tree)
  if (exists > 1) problems.push('A filter may use EXISTS once.')
  if (status > 1) problems.push('A filter may use STATUS once.')
  return { predicate, problems }
}

const never = (): boolean => false

const ACTION_INSTANCE = /^\{\{ActionInstance\(([0-9A-Za-z-]{1,64})\)\}\}$/

/** `STATUS('{{ActionInstance(<id>)}}') = 'complete'`: what a setStatus sync action last did to the record for that instance. */
function statusPredicate<R> (node: Extract<FilterNode, { kind: 'status' }>, destinations: (record: R) => EntityRecord['destinations'], problems: string[]): RecordPredicate<R> {
  const id = ACTION_INSTANCE.exec(node.instance)?.[1]
  if (id === undefined || (node.op !== '=' && node.op !== '!=')) {
    problems.push("STATUS takes '{{ActionInstance(<id>)}}' and = or != a status.")
    return never
  }
  const wanted = node.value.toLowerCase()
  if (!(SYNC_ACTION_STATUSES as readonly string[]).includes(wanted)) {
    problems.push(`STATUS compares with one of ${SYNC_ACTION_STATUSES.join(', ')}, not ${JSON.stringify(node.value)}.`)
    return never
  }
  const prefix = `{{actioninstance(${id.toLowerCase()})`
  return (record) => {
    let current: string | undefined
    for (const [destination, state] of Object.entries(destinations(record))) {
      if (state.status !== undefined && destination.toLowerCase().startsWith(prefix)) current = state.status.toLowerCase()
    }
    // A record the instance never set a status on has a blank one, which != matches, as blank fields do.
    return node.op === '=' ? current === wanted : current !== wanted
  }
}

/** A date as filters write them (`2024-05-01`, `2024-05-01 10:00:00.000`, ISO 8601), in UTC. */
export function filterDate (text: string): number | undefined {
  const trimmed = text.trim()
  if (!/^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?)?Z?$/.test(trimmed)) return undefined
  const iso = trimmed.replace(' ', 'T')
  const ms = Date.parse(iso.length === 10 ? `${iso}T00:00:00Z` : iso.endsWith('Z') ? iso : `${iso}Z`)
  return Number.isNaN(ms) ? undefined : ms
}

function comparison<R> (column: FilterColumn<R>, op: ComparisonOp, value: string, problems: string[]): RecordPredicate<R> {
  const { read } = column
  if (op === '~') {
    const like = likeMatcher(value, problems)
    return (record) => like(read(record).toLowerCase())
  }
  if (column.type === 'text') {
    const wanted = value.toLowerCase()
    // Blank values match = '' and != anything else; other comparisons need a value, as in SQL.
    return (record) => {
      const actual = read(record).toLowerCase()
      if (actual === '' && op !== '=' && op !== '!=') return false
      return holds(op, actual < wanted ? -1 : actual > wanted ? 1 : 0)
    }
  }
  const parse = column.type === 'date' ? filterDate : (text: string): number | undefined => text.trim() === '' || !Number.isFinite(Number(text)) ? undefined : Number(text)
  const wanted = parse(value)
  if (wanted === undefined) {
    problems.push(`${JSON.stringify(value)} is not a ${column.type === 'date' ? "date such as '2024-05-01 00:00:00'" : 'number'}.`)
    return never
  }
  const { time } = column
  if (time !== undefined) return (record) => holds(op, time(record) - wanted)
  return (record) => {
    const actual = parse(read(record))
    return actual !== undefined && holds(op, actual - wanted)
  }
}

function holds (op: Exclude<ComparisonOp, '~'>, order: number): boolean {
  switch (op) {
    case '=': return order === 0
    case '!=': return order !== 0
    case '<': return order < 0
    case '>': return order > 0
    case '<=': return order <= 0
    case '>=': return order >= 0
  }
}

type Atom = { any: true } | { any: false, test: (c: string) => boolean }

/**
 * SQL Server's LIKE without case: `%` any run, `_` any one character, `[abc]`, `[a-z]`, `[^a]` one
 * of (or none of) a set. Segments between `%` are found leftmost, one after another, so matching
 * takes time linear in the value times the (bounded) pattern length.
 */
export function likeMatcher (pattern: string, problems: string[]): (value: string) => boolean {
  const segments: Atom[][] = [[]]
  let atoms = 0
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern.charAt(i).toLowerCase()
    const segment = segments[segments.length - 1] as Atom[]
    if (c === '%') {
      segments.push([])
      continue
    }
    atoms += 1
    if (c === '_') {
      segment.push({ any: true })
    } else if (c === '[' && pattern.indexOf(']', i + 2) > 0) {
      const end = pattern.indexOf(']', i + 2)
      segment.push({ any: false, test: charClass(pattern.slice(i + 1, end).toLowerCase()) })
      i = end
    } else {
      segment.push({ any: false, test: (x) => x === c })
    }
  }
  if (atoms > MAX_LIKE_PATTERN) {
    problems.push(`A ~ pattern may have at most ${MAX_LIKE_PATTERN} characters besides %.`)
    return () => false
  }
  const matchesAt = (value: string, at: number, segment: readonly Atom[]): boolean =>
    segment.every((atom, k) => at + k < value.length && (atom.any || atom.test(value.charAt(at + k))))
  return (value) => {
    const first = segments[0] as Atom[]
    if (segments.length === 1) return value.length === first.length && matchesAt(value, 0, first)
    const last = segments[segments.length - 1] as Atom[]
    if (!matchesAt(value, 0, first)) return false
    let at = first.length
    const end = value.length - last.length
    for (const segment of segments.slice(1, -1)) {
      let found = -1
      for (let start = at; start + segment.length <= end; start++) {
        if (matchesAt(value, start, segment)) {
          found = start
          break
        }
      }
      if (found < 0) return false
      at = found + segment.length
    }
    return end >= at && matchesAt(value, end, last)
  }
}

/** `abc`, `a-z`, `^a-z`: the characters of a LIKE class. */
function charClass (body: string): (c: string) => boolean {
  const negated = body.startsWith('^')
  const chars = negated ? body.slice(1) : body
  const ranges: Array<[string, string]> = []
  for (let i = 0; i < chars.length; i++) {
    const from = chars.charAt(i)
    if (chars.charAt(i + 1) === '-' && i + 2 < chars.length) {
      ranges.push([from, chars.charAt(i + 2)])
      i += 2
    } else {
      ranges.push([from, from])
    }
  }
  return (c) => ranges.some(([from, to]) => c >= from && c <= to) !== negated
}
