/** Time source for everything that ages: syncs read their status from it, so tests advance it instead of sleeping. */
export interface Clock {
  now(): number
  /** Moves time forward: `POST /__mock/clock` lets a test skip waiting for syncs. */
  advance(ms: number): void
  /** Back to where it started, undoing every advance: `POST /__mock/reset`. */
  reset(): void
}

/** Real time, plus whatever the clock has been advanced by. */
export class SystemClock implements Clock {
  #offset = 0

  now (): number {
    return Date.now() + this.#offset
  }

  advance (ms: number): void {
    this.#offset += ms
  }

  /** Real time again. */
  reset (): void {
    this.#offset = 0
  }
}

/** A clock that only moves when told to; tests use it. */
export class ManualClock implements Clock {
  #now: number
  readonly #start: number

  constructor (start = Date.UTC(2024, 4, 1, 10, 0, 0)) {
    this.#now = start
    this.#start = start
  }

  now (): number {
    return this.#now
  }

  advance (ms: number): void {
    this.#now += ms
  }

  /** The time it was made with. */
  reset (): void {
    this.#now = this.#start
  }
}

/** The first and last instants Eloqua's timestamp format can show (four-digit years). */
export const FIRST_PRINTABLE_TIME = Date.parse('0001-01-01T00:00:00Z')
export const LAST_PRINTABLE_TIME = Date.UTC(9999, 11, 31, 23, 59, 59, 999)

/** The clock is not moved past this, leaving centuries for syncs queued from the last moment to end. */
export const LAST_CLOCK_TIME = Date.UTC(9000, 0, 1)

/**
 * Eloqua writes timestamps in UTC with seven fractional digits, e.g.
 * `2021-07-09T01:44:28.3435476Z` (eloqua-reference §3); we have milliseconds, so the last four are zero.
 */
export function eloquaTimestamp (ms: number): string {
  // Only dates with a four-digit year: Date would print +010000 or throw.
  const iso = new Date(Math.min(Math.max(ms, FIRST_PRINTABLE_TIME), LAST_PRINTABLE_TIME)).toISOString()
  return `${iso.slice(0, 23)}0000Z`
}

/** `YYYY-MM-DD HH:MM:SS.fff`, as Eloqua writes dates in exported rows (the mock's instance time zone is UTC). */
export function exportedDate (ms: number): string {
  const time = Math.min(Math.max(ms, FIRST_PRINTABLE_TIME), LAST_PRINTABLE_TIME)
  const day = Math.floor(time / DAY_MS)
  // Exports write many rows of the same day: the date part is formatted once per day.
  if (day !== lastDay) {
    lastDay = day
    lastDayText = new Date(day * DAY_MS).toISOString().slice(0, 11).replace('T', ' ')
  }
  const inDay = time - day * DAY_MS
  const seconds = Math.floor(inDay / 1000)
  return `${lastDayText}${TWO_DIGITS[Math.floor(seconds / 3600)] as string}:${TWO_DIGITS[Math.floor(seconds / 60) % 60] as string}:${TWO_DIGITS[seconds % 60] as string}.${String(inDay % 1000).padStart(3, '0')}`
}

const DAY_MS = 86_400_000
const TWO_DIGITS = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, '0'))
let lastDay = NaN
let lastDayText = ''
