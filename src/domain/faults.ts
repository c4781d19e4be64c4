/**
 * Fault rules are data: which requests (`match`), which of those (`when`), and what to answer
 * (`response`). plugins/faults.ts applies them before authentication, like a gateway failure;
 * nothing else in the mock knows about them.
 */
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64'
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus'
import { validationError } from './errors.js'
import { PathPattern } from './glob.js'
import { FAULT_STATUS_CODES, type FAULT_CONNECTION_KINDS, type FaultRuleFixture } from '../schemas/fixtures.js'
import { erroredSync, type Sync, type SyncFinal, type SyncShaper, type SyncShaping } from './sync-lifecycle.js'
import { summaryLine } from './sync-engine.js'

export interface FaultRequest {
  /** The endpoint's operation id, when the request reached one. */
  readonly operation?: string | undefined
  readonly method: string
  /** Path, with or without its query string. */
  readonly path: string
  readonly params: Readonly<Record<string, string | undefined>>
  readonly headers: Readonly<Record<string, string | string[] | undefined>>
  /** Who the request claims to be; called only by rules that narrow by site or user. */
  readonly identity: () => { readonly site?: string, readonly user?: string }
}

export interface FaultResponse {
  readonly ruleName: string
  readonly explanation: string
  readonly status: number | undefined
  readonly headers: Readonly<Record<string, string>>
  /** `undefined`: the body Eloqua sends for `status`. */
  readonly body: unknown
  readonly delayMs: number
  /** A failure of the connection itself, instead of (or after the headers of) an answer. */
  readonly connection?: FaultConnection
  /** With truncate-body: the bytes of the body sent before the connection closes; 0 otherwise. */
  readonly bytes: number
}

export type FaultConnection = typeof FAULT_CONNECTION_KINDS[number]

export interface FaultRuleState {
  name: string
  description?: string
  explanation: string
  matched: number
  fired: number
}

/**
 * Longer request paths match no path template: Eloqua's paths are far shorter, and it bounds what
 * a request with a made-up path costs before authentication (path length x template length).
 */
export const MAX_MATCHED_PATH_LENGTH = 1024

/** `*` and `{param}` in one path template at most. */
export const MAX_PATH_WILDCARDS = 16

/** Lower-case, no query, one slash between segments, none at the end: how paths are compared. */
export function normalisePath (path: string): string {
  const query = path.indexOf('?')
  const collapsed = (query < 0 ? path : path.slice(0, query)).toLowerCase().replace(/\/{2,}/g, '/')
  return collapsed.length > 1 && collapsed.endsWith('/') ? collapsed.slice(0, -1) : collapsed
}

function randomSource (seed: number): () => number {
  const rng = xoroshiro128plus(seed)
  return () => uniformFloat64(rng)
}

class FaultRule {
  readonly #fixture: FaultRuleFixture
  // The criteria, taken from the fixture once: fixtures of different rules differ in shape, and
  // reading them on every request made each read a slow, generic one.
  readonly #matchesAll: boolean
  readonly #method: string | undefined
  readonly #operation: string | undefined
  readonly #parentId: string | undefined
  readonly #id: string | undefined
  readonly #site: string | undefined
  readonly #user: string | undefined
  readonly #path: PathPattern | undefined
  readonly #headers: Array<[string, string]>
  readonly shapesSyncs: boolean
  readonly #seed: number
  #random: () => number
  matched = 0
  fired = 0

  constructor (fixture: FaultRuleFixture, defaultSeed: number) {
    this.#fixture = fixture
    const match = fixture.match
    this.#matchesAll = match === undefined
    this.#method = match?.method
    this.#operation = match?.operation
    this.#parentId = match?.parentId === undefined ? undefined : String(match.parentId)
    this.#id = match?.id === undefined ? undefined : String(match.id)
    this.#site = match?.site?.toLowerCase()
    this.#user = match?.user?.toLowerCase()
    this.#path = match?.path === undefined ? undefined : new PathPattern(normalisePath(match.path))
    this.#headers = Object.entries(match?.headers ?? {}).map(([name, value]) => [name.toLowerCase(), value])
    this.shapesSyncs = fixture.sync !== undefined
    this.#seed = fixture.seed ?? defaultSeed
    this.#random = randomSource(this.#seed)
  }

  get name (): string {
    return this.#fixture.name
  }

  reset (): void {
    this.matched = 0
    this.fired = 0
    this.#random = randomSource(this.#seed)
  }

  /** Cheapest criteria first: most requests are turned away by method or header. */
  matches (request: FaultRequest): boolean {
    if (this.#matchesAll) return true
    if (this.#method !== undefined && this.#method !== request.method) return false
    if (this.#operation !== undefined && this.#operation !== request.operation) return false
    // A loop, not every(): this runs for each rule on every request, the seed call's included.
    // Reflect.get, not headers[name]: the names differ from rule to rule, and V8's optimising
    // compiler (Node 24's Maglev) kept dropping code built for one name when the next came.
    for (const [name, value] of this.#headers) if (Reflect.get(request.headers, name) !== value) return false
    if (this.#parentId !== undefined && request.params.parentId !== this.#parentId) return false
    if (this.#id !== undefined && request.params.id !== this.#id) return false
    if (this.#path !== undefined && (request.path.length > MAX_MATCHED_PATH_LENGTH || !this.#path.matches(normalisePath(request.path)))) return false
    if (this.#site !== undefined && this.#site !== request.identity().site?.toLowerCase()) return false
    return this.#user === undefined || this.#user === request.identity().user?.toLowerCase()
  }

  /** Counts a matching request and says whether the rule fires on it. */
  fires (): boolean {
    this.matched += 1
    const when = this.#fixture.when ?? 'always'
    let fire: boolean
    if (when === 'always') fire = true
    else if (when.first !== undefined) fire = this.matched <= when.first
    else if (when.after !== undefined) fire = this.matched > when.after
    else if (when.every !== undefined) fire = this.matched % when.every === 0
    // The schema allows exactly one policy key, so what is left is a probability.
    else fire = this.#random() < (when.probability as number)
    if (fire) this.fired += 1
    return fire
  }

  response (): FaultResponse {
    // Request rules always have `response` (fixtures are checked for that).
    const { status, headers = {}, body, delayMs = 0, connection, bytes } = this.#fixture.response as NonNullable<FaultRuleFixture['response']>
    return { ruleName: this.name, explanation: this.explain(), status, headers, body, delayMs, bytes: bytes ?? 0, ...(connection === undefined ? {} : { connection }) }
  }

  shaping (): SyncShaping {
    return { ruleName: this.name, ...this.#fixture.sync }
  }

  explain (): string {
    const m = this.#fixture.match ?? {}
    const criteria = [
      m.operation,
      m.method,
      m.path,
      m.parentId === undefined ? undefined : `parentId=${m.parentId}`,
      m.id === undefined ? undefined : `id=${m.id}`,
      m.site === undefined ? undefined : `site=${m.site}`,
      m.user === undefined ? undefined : `user=${m.user}`,
      ...this.#headers.map(([name, value]) => `${name}: ${value}`)
    ].filter((c) => c !== undefined)
    const when = this.#fixture.when ?? 'always'
    const policy = when === 'always' ? 'always' : Object.entries(when).map(([k, v]) => `${k} ${v}`).join('')
    const { status, delayMs, connection, bytes } = this.#fixture.response ?? {}
    const sync = this.#fixture.sync
    const action = sync !== undefined
      ? `syncs ${Object.entries(sync).map(([k, v]) => `${k}=${v}`).join(' ')}`
      : [status === undefined ? undefined : `answer ${status}`, connection === undefined ? undefined : `connection ${connection}${connection === 'truncate-body' ? ` after ${bytes ?? 0} bytes` : ''}`, delayMs === undefined ? undefined : `after ${delayMs} ms`]
          .filter((a) => a !== undefined).join(' ') || 'no change'
    return `${this.name}: ${criteria.length > 0 ? criteria.join(' ') : 'any request'}, ${policy}: ${action}`
  }

  state (): FaultRuleState {
    const state: FaultRuleState = { name: this.name, explanation: this.explain(), matched: this.matched, fired: this.fired }
    if (this.#fixture.description !== undefined) state.description = this.#fixture.description
    return state
  }
}

export class FaultStore {
  readonly #fixtureRules: FaultRule[]
  readonly #defaultSeed: number
  /** Runtime rules first, newest first, then the fixture rules. */
  #rules: FaultRule[]

  constructor (rules: readonly FaultRuleFixture[], defaultSeed: number) {
    this.#defaultSeed = defaultSeed
    this.#fixtureRules = rules.map((rule) => new FaultRule(rule, defaultSeed))
    this.#rules = [...this.#fixtureRules]
  }

  has (name: string): boolean {
    return this.#rules.some((rule) => rule.name === name)
  }

  /** Adds a rule at run time (already checked); it is tried before every other rule. */
  add (fixture: FaultRuleFixture): FaultRuleState {
    const rule = new FaultRule(fixture, this.#defaultSeed)
    this.#rules.unshift(rule)
    return rule.state()
  }

  /** Removes one rule, fixture or runtime, until the next reset; false when there is none. */
  remove (name: string): boolean {
    const before = this.#rules.length
    this.#rules = this.#rules.filter((rule) => rule.name !== name)
    return this.#rules.length < before
  }

  /** Drops the rules added at run time. */
  clearRuntime (): void {
    this.#rules = this.#rules.filter((rule) => this.#fixtureRules.includes(rule))
  }

  get size (): number {
    return this.#rules.length
  }

  /** Rules added at run time and still in force. */
  get runtimeSize (): number {
    return this.#rules.filter((rule) => !this.#fixtureRules.includes(rule)).length
  }

  /** The first rule, in fixture order, that matches the request and fires on it. */
  decide (request: FaultRequest): FaultResponse | undefined {
    for (const rule of this.#rules) {
      if (!rule.shapesSyncs && rule.matches(request) && rule.fires()) return rule.response()
    }
    return undefined
  }

  /** The first `sync` rule that matches a new sync and fires on it. */
  readonly decideSync: SyncShaper = ({ parentId, id, site, user }) => {
    const request: FaultRequest = { method: '', path: '', params: { parentId: parentId === undefined ? undefined : String(parentId), id: String(id) }, headers: {}, identity: () => ({ site, user }) }
    for (const rule of this.#rules) {
      if (rule.shapesSyncs && rule.matches(request) && rule.fires()) return rule.shaping()
    }
    return undefined
  }

  /** Back to the fixture rules, counters restarted. */
  reset (): void {
    this.#rules = [...this.#fixtureRules]
    for (const rule of this.#rules) rule.reset()
  }

  state (): FaultRuleState[] {
    return this.#rules.map((rule) => rule.state())
  }
}

const PREFERRABLE = new Set<number>(FAULT_STATUS_CODES)

/**
 * `Prefer: code=503` picks the answer of one request, as with Stoplight Prism. Other preferences
 * in the header are ignored; a `code` the mock cannot produce is a 400 from the mock.
 */
export function preferredFault (prefer: string | undefined): FaultResponse | undefined {
  if (prefer === undefined) return undefined
  const code = prefer.split(/[,;]/).map((p) => p.trim()).find((p) => /^code\s*=/i.test(p))
  if (code === undefined) return undefined
  const value = code.slice(code.indexOf('=') + 1).trim().replace(/^"(.*)"$/, '$1')
  const status = /^\d{3}$/.test(value) ? Number(value) : NaN
  if (!PREFERRABLE.has(status)) {
    throw validationError([{
      field: 'Prefer',
      value: prefer,
      constraint: `code must be one of ${FAULT_STATUS_CODES.join(', ')}.`
    }])
  }
  return { ruleName: 'prefer', explanation: `Prefer header: answer ${status}`, status, headers: {}, body: undefined, delayMs: 0, bytes: 0 }
}

/**
 * A sync's end under the fault rule that shaped it: `error` without processing a row (ELQ-00146),
 * or `warning` where it would have been `success`; otherwise what processing gives.
 */
export function shapedEnd (sync: Sync, process: () => SyncFinal): SyncFinal {
  if (sync.shaping?.status === 'error') return erroredSync(sync, 'ELQ-00146', 'The sync failed because of a temporary error.')
  const final = process()
  if (sync.shaping?.status === 'warning' && final.status === 'success') {
    final.status = 'warning'
    final.logs.splice(-1, 1, summaryLine(sync.id, 'warning'))
  }
  return final
}
