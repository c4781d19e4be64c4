/** Time source for everything that ages: syncs read their status from it, so tests advance it instead of sleeping. */
export interface Clock {
  now(): number
  /** Moves time forward: `POST /__mock/clock` lets a test skip waiting for syncs. */
  advance(ms: number): void
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
}

/** A clock that only moves when told to; tests use it. */
export class ManualClock implements Clock {
  #now: number

  constructor (start = Date.UTC(2024, 4, 1, 10, 0, 0)) {
    this.#now = start
  }

  now (): number {
    return this.#now
  }

  advance (ms: number): void {
    this.#now += ms
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
