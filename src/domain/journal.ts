/**
 * The request journal: the last N Eloqua API requests the mock answered, in a ring buffer, so a
 * test can ask what its client did ("exactly 3 uploads to definition 6"). Entries are plain
 * records; the HTTP side (plugins/journal.ts) fills them, the control surface reads them.
 * Matching a path filter is linear in the path (glob.ts): no pattern a client sends is a regex.
 */
import { starMatcher } from './glob.js'

export interface JournalEntry {
  /** 1, 2, 3… since the start: `since=<id>` asks for what came after. */
  readonly id: number
  /** When it was answered, on the mock clock (ISO 8601). */
  readonly time: string
  readonly method: string
  /** The path and query as sent. */
  readonly path: string
  /** The operation id of the route (as fault rules and the OpenAPI description name it); absent for paths the mock does not serve. */
  readonly operation?: string
  /** The site and user the request authenticated as, or claimed to be. */
  readonly site?: string
  readonly user?: string
  readonly status: number
  readonly durationMs: number
  /** The fault rule that answered or delayed it. */
  readonly fault?: string
  readonly requestBytes: number
  readonly responseBytes: number
  /** The X-Mock-Reason of the answer: why the mock answered as it did. */
  readonly reason?: string
  /** Seconds the answer's Retry-After asked the client to wait. */
  readonly retryAfter?: number
  /** The first JOURNAL_BODY_BYTES of each body, as text; never for OAuth token requests, which carry secrets. */
  readonly requestBody?: string
  readonly responseBody?: string
}

export interface JournalFilter {
  operation?: string | undefined
  method?: string | undefined
  /** A path without its query, `*` matching any run of characters; case is ignored. */
  path?: string | undefined
  /** A status, or a class such as `4xx`. */
  status?: string | undefined
  site?: string | undefined
  /** An entry id (what came after it) or an ISO 8601 time (what was answered at or after it). */
  since?: string | undefined
}

/** What the HTTP side hands over: an entry without its id, its time in epoch milliseconds. */
export type JournalRecord = { readonly [K in keyof Omit<JournalEntry, 'id' | 'time'>]: Omit<JournalEntry, 'id' | 'time'>[K] | (undefined extends JournalEntry[K] ? undefined : never) } & { time: number, wallMs?: number }

/** An entry with the real time it was answered at (epoch ms), which the client-behaviour report reads. */
export type TimedEntry = JournalEntry & { readonly wallMs: number }

type Predicate = (entry: JournalEntry) => boolean

/** One predicate for the whole filter; a filter part that cannot match anything matches nothing. */
export function journalPredicate (filter: JournalFilter): Predicate {
  const tests: Predicate[] = []
  if (filter.operation !== undefined) { const operation = filter.operation.toLowerCase(); tests.push((e) => e.operation?.toLowerCase() === operation) }
  if (filter.method !== undefined) { const method = filter.method.toUpperCase(); tests.push((e) => e.method === method) }
  if (filter.site !== undefined) { const site = filter.site.toLowerCase(); tests.push((e) => e.site?.toLowerCase() === site) }
  if (filter.path !== undefined) {
    const matches = starMatcher(filter.path)
    tests.push((e) => { const q = e.path.indexOf('?'); return matches(q < 0 ? e.path : e.path.slice(0, q)) })
  }
  if (filter.status !== undefined) {
    const status = filter.status.toLowerCase()
    const klass = status.length === 3 && status.endsWith('xx') ? Number(status[0]) : undefined
    tests.push(klass !== undefined ? (e) => Math.floor(e.status / 100) === klass : (e) => String(e.status) === status)
  }
  if (filter.since !== undefined) {
    const since = filter.since
    if (/^\d{1,16}$/.test(since)) { const id = Number(since); tests.push((e) => e.id > id) } else {
      const time = Date.parse(since)
      tests.push(Number.isNaN(time) ? () => false : (e) => Date.parse(e.time) >= time)
    }
  }
  return (entry) => tests.every((test) => test(entry))
}

/** Up to this many distinct strings (paths, users, operations…) are shared between entries. */
const MAX_INTERNED = 10_000
/** Longer strings are not shared: a few long paths must not hold megabytes for good. */
const MAX_INTERNED_LENGTH = 256
/** A path (with its query) is kept to this many characters. */
export const MAX_JOURNAL_PATH = 2048

/**
 * Strings that repeat from request to request (paths, operations, sites, users) are kept once,
 * so the journal retains no new object per request for them.
 */
class Interner {
  readonly #strings = new Map<string, string>()

  intern (value: string): string {
    if (value.length > MAX_INTERNED_LENGTH) return value
    const known = this.#strings.get(value)
    if (known !== undefined) return known
    if (this.#strings.size < MAX_INTERNED) this.#strings.set(value, value)
    return value
  }

  clear (): void {
    this.#strings.clear()
  }
}

/**
 * The entries live in columns (typed arrays for numbers, shared strings for text), not as one
 * object per request: objects that live for thousands of requests would each be copied by the
 * young-generation GC and promoted, which cost a busy mock a quarter of its CPU. An entry
 * object is made only when one is read.
 */
export class RequestJournal {
  readonly capacity: number
  readonly #ids: Float64Array
  readonly #times: Float64Array
  readonly #durations: Float64Array
  readonly #statuses: Uint16Array
  readonly #requestBytes: Float64Array
  readonly #responseBytes: Float64Array
  readonly #methods: string[]
  readonly #paths: string[]
  readonly #operations: Array<string | undefined>
  readonly #sites: Array<string | undefined>
  readonly #users: Array<string | undefined>
  readonly #faults: Array<string | undefined>
  readonly #wallTimes: Float64Array
  readonly #retryAfters: Float64Array
  readonly #reasons: Array<string | undefined>
  readonly #requestBodies: Array<string | undefined>
  readonly #responseBodies: Array<string | undefined>
  readonly #interned = new Interner()
  /** Where the next entry goes. */
  #next = 0
  #size = 0
  #lastId = 0
  #dropped = 0

  constructor (capacity: number) {
    this.capacity = capacity
    this.#ids = new Float64Array(capacity)
    this.#times = new Float64Array(capacity)
    this.#durations = new Float64Array(capacity)
    this.#statuses = new Uint16Array(capacity)
    this.#requestBytes = new Float64Array(capacity)
    this.#responseBytes = new Float64Array(capacity)
    this.#methods = new Array<string>(capacity)
    this.#paths = new Array<string>(capacity)
    this.#operations = new Array<string | undefined>(capacity)
    this.#sites = new Array<string | undefined>(capacity)
    this.#users = new Array<string | undefined>(capacity)
    this.#faults = new Array<string | undefined>(capacity)
    this.#wallTimes = new Float64Array(capacity)
    this.#retryAfters = new Float64Array(capacity)
    this.#reasons = new Array<string | undefined>(capacity)
    this.#requestBodies = new Array<string | undefined>(capacity)
    this.#responseBodies = new Array<string | undefined>(capacity)
  }

  get enabled (): boolean {
    return this.capacity > 0
  }

  /** The id the next entry will get. */
  nextId (): number {
    return this.#lastId + 1
  }

  /** `time` is in epoch milliseconds on the mock clock. */
  record (entry: JournalRecord): void {
    if (this.capacity === 0) return
    this.#lastId += 1
    if (this.#size === this.capacity) this.#dropped += 1
    else this.#size += 1
    const at = this.#next
    const interned = this.#interned
    this.#ids[at] = this.#lastId
    this.#times[at] = entry.time
    this.#durations[at] = entry.durationMs
    this.#statuses[at] = entry.status
    this.#requestBytes[at] = entry.requestBytes
    this.#responseBytes[at] = entry.responseBytes
    this.#methods[at] = interned.intern(entry.method)
    this.#paths[at] = interned.intern(entry.path.length > MAX_JOURNAL_PATH ? Buffer.from(entry.path.slice(0, MAX_JOURNAL_PATH)).toString() : entry.path)
    this.#operations[at] = entry.operation
    this.#sites[at] = entry.site === undefined ? undefined : interned.intern(entry.site)
    this.#users[at] = entry.user === undefined ? undefined : interned.intern(entry.user)
    this.#faults[at] = entry.fault
    this.#wallTimes[at] = entry.wallMs ?? entry.time
    this.#retryAfters[at] = entry.retryAfter ?? NaN
    this.#reasons[at] = entry.reason === undefined ? undefined : interned.intern(entry.reason)
    this.#requestBodies[at] = entry.requestBody
    this.#responseBodies[at] = entry.responseBody
    this.#next = (at + 1) % this.capacity
  }

  /** Entries that match, oldest first, at most `limit`. */
  find (filter: JournalFilter, limit = Infinity): JournalEntry[] {
    const matches = journalPredicate(filter)
    const found: JournalEntry[] = []
    for (const entry of this.#inOrder()) {
      if (found.length >= limit) break
      if (matches(entry)) found.push(entry)
    }
    return found
  }

  count (filter: JournalFilter): number {
    const matches = journalPredicate(filter)
    let count = 0
    for (const entry of this.#inOrder()) if (matches(entry)) count += 1
    return count
  }

  /** Entries dropped to make room since the start or the last clear. */
  get dropped (): number {
    return this.#dropped
  }

  get size (): number {
    return this.#size
  }

  /** Forgets every entry, or those of one site; ids go on counting. */
  clear (site?: string): void {
    const name = site?.toLowerCase()
    const kept = name === undefined ? [] : [...this.#inOrder()].filter((e) => e.site?.toLowerCase() !== name)
    const { dropped } = this
    this.#interned.clear()
    this.#next = 0
    this.#size = 0
    const lastId = this.#lastId
    for (const entry of kept) {
      this.#lastId = entry.id - 1
      this.record({ ...entry, time: Date.parse(entry.time) })
      this.#wallTimes[this.#size - 1] = entry.wallMs
    }
    this.#lastId = lastId
    this.#dropped = name === undefined ? 0 : dropped
    // Text of forgotten entries is let go.
    for (let i = this.#size; i < this.capacity; i++) {
      this.#paths[i] = this.#methods[i] = ''
      this.#operations[i] = this.#sites[i] = this.#users[i] = this.#faults[i] = this.#reasons[i] = this.#requestBodies[i] = this.#responseBodies[i] = undefined
    }
  }

  /** Every entry, oldest first, with the real time it was answered at. */
  timeline (): TimedEntry[] {
    return [...this.#inOrder()]
  }

  #entry (at: number): TimedEntry {
    const optional = (key: string, value: string | undefined): Record<string, string> => value === undefined ? {} : { [key]: value }
    const retryAfter = this.#retryAfters[at] as number
    const entry = {
      id: this.#ids[at] as number,
      time: new Date(this.#times[at] as number).toISOString(),
      method: this.#methods[at] as string,
      path: this.#paths[at] as string,
      ...optional('operation', this.#operations[at]),
      ...optional('site', this.#sites[at]),
      ...optional('user', this.#users[at]),
      status: this.#statuses[at] as number,
      durationMs: this.#durations[at] as number,
      ...optional('fault', this.#faults[at]),
      requestBytes: this.#requestBytes[at] as number,
      responseBytes: this.#responseBytes[at] as number,
      ...optional('reason', this.#reasons[at]),
      ...(Number.isNaN(retryAfter) ? {} : { retryAfter }),
      ...optional('requestBody', this.#requestBodies[at]),
      ...optional('responseBody', this.#responseBodies[at])
    }
    // Not enumerable: the control surface shows entries without it.
    return Object.defineProperty(entry, 'wallMs', { value: this.#wallTimes[at] as number, enumerable: false }) as TimedEntry
  }

  * #inOrder (): Generator<TimedEntry> {
    const start = this.#size < this.capacity ? 0 : this.#next
    for (let i = 0; i < this.#size; i++) yield this.#entry((start + i) % this.capacity)
  }
}
