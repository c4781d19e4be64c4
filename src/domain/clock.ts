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

/**
 * Eloqua writes timestamps in UTC with seven fractional digits, e.g.
 * `2021-07-09T01:44:28.3435476Z` (eloqua-reference §3); we have milliseconds, so the last four are zero.
 */
export function eloquaTimestamp (ms: number): string {
  const iso = new Date(ms).toISOString()
  return `${iso.slice(0, 23)}0000Z`
}
