/**
 * A typed client of the mock's control surface (`/__mock/*`), for a mock in this process (what
 * startMock returns is one) or in another process or container: `new MockAdmin(url)`. It speaks
 * HTTP with the platform's fetch, so it needs nothing but Node 20.
 */
import type { FaultRuleFixture, SiteFixture } from './schemas/fixtures.js'
import type { JournalEntry, JournalFilter } from './domain/journal.js'
import type { Finding } from './domain/report.js'

export type { FaultRuleFixture, Finding, JournalEntry, JournalFilter, SiteFixture }

/** A site made for one test file, and how to log in to it. */
export interface MockSite {
  readonly id: number
  readonly name: string
  readonly users: SiteFixture['users']
  /** `Site\User` of the first user, as Basic authentication spells it. */
  readonly login: string
  readonly password: string
  /** `Basic …` of the first user, ready for an Authorization header. */
  readonly authorization: string
  /** The first user's Bearer token, when it has one. */
  readonly token: string | undefined
}

export interface JournalPage {
  items: JournalEntry[]
  count: number
  recorded: number
  dropped: number
  capacity: number
  nextId: number
}

export class MockAdminError extends Error {
  readonly status: number
  readonly body: unknown

  constructor (method: string, path: string, status: number, body: unknown) {
    super(`${method} ${path} answered ${status}${body === undefined ? '' : `: ${JSON.stringify(body)}`}`)
    this.name = 'MockAdminError'
    this.status = status
    this.body = body
  }
}

type Query = Record<string, string | number | boolean | undefined>

function queryString (query: Query = {}): string {
  const params = new URLSearchParams()
  for (const [key, value] of Object.entries(query)) if (value !== undefined) params.set(key, String(value))
  const text = params.toString()
  return text === '' ? '' : `?${text}`
}

export class MockAdmin {
  /** The mock's origin, e.g. http://127.0.0.1:8080; also its login host (`/id`). */
  readonly url: string
  readonly #headers: Record<string, string>

  /** `adminToken` is the mock's ADMIN_TOKEN, when it has one. */
  constructor (url: string, options: { adminToken?: string } = {}) {
    this.url = url.replace(/\/+$/, '')
    this.#headers = options.adminToken === undefined ? {} : { authorization: `Bearer ${options.adminToken}` }
  }

  /** Where a client logs in and discovers its base URL: `<loginUrl>/id`. */
  get loginUrl (): string {
    return this.url
  }

  /** The Bulk API base, `<url>/api/bulk/2.0`. */
  get bulkUrl (): string {
    return `${this.url}/api/bulk/2.0`
  }

  async #call<T> (method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${this.url}${path}`, {
      method,
      headers: { ...this.#headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) })
    })
    const text = await res.text()
    const parsed: unknown = text === '' ? undefined : JSON.parse(text)
    if (!res.ok) throw new MockAdminError(method, path, res.status, parsed)
    return parsed as T
  }

  /** `{status: 'ok', version}` once the mock serves. */
  async health (): Promise<{ status: string, version: string }> {
    return await this.#call('GET', '/__mock/health')
  }

  /**
   * A fresh site for one test file: its own Eloqua instance in this mock, copied from the first
   * fixture site (or as given), with credentials ready to use.
   */
  async site (site: Partial<SiteFixture> = {}): Promise<MockSite> {
    const made = await this.#call<SiteFixture>('POST', '/__mock/sites', site)
    // A site has at least one user.
    const first = made.users[0] as SiteFixture['users'][number]
    const login = `${made.name}\\${first.username}`
    const password = first.password ?? ''
    return {
      id: made.id,
      name: made.name,
      users: made.users,
      login,
      password,
      authorization: `Basic ${Buffer.from(`${login}:${password}`).toString('base64')}`,
      token: first.tokens?.[0]
    }
  }

  /** Removes a site made with site(). */
  async removeSite (name: string): Promise<void> {
    await this.#call('DELETE', `/__mock/sites/${encodeURIComponent(name)}`)
  }

  /** Back to the fixtures: every site (and the clock, unless keepClock), or one site. */
  async reset (options: { site?: string, keepClock?: boolean } = {}): Promise<void> {
    await this.#call('POST', `/__mock/reset${queryString(options)}`)
  }

  /** What a site holds (see GET /__mock/state). */
  async state (options: { site?: string, records?: boolean, maxRecords?: number, customObject?: number, definition?: number, sync?: number } = {}): Promise<Record<string, unknown>> {
    return await this.#call('GET', `/__mock/state${queryString(options)}`)
  }

  /** Journal entries that match, oldest first. */
  async journal (filter: JournalFilter & { limit?: number } = {}): Promise<JournalEntry[]> {
    return (await this.journalPage(filter)).items
  }

  /** The journal answer with its counts (dropped, capacity, nextId). */
  async journalPage (filter: JournalFilter & { limit?: number } = {}): Promise<JournalPage> {
    return await this.#call('GET', `/__mock/requests${queryString(filter as Query)}`)
  }

  /** How many journal entries match: "exactly 3 uploads to definition 6". */
  async count (filter: JournalFilter = {}): Promise<number> {
    return (await this.#call<{ count: number }>('GET', `/__mock/requests/count${queryString(filter as Query)}`)).count
  }

  async clearJournal (): Promise<void> {
    await this.#call('DELETE', '/__mock/requests')
  }

  /** What the clients of a site did that real Eloqua would punish or that hints at a bug. */
  async report (options: { site?: string } = {}): Promise<{ site: string, findings: Finding[], journalDropped: number }> {
    return await this.#call('GET', `/__mock/report${queryString(options)}`)
  }

  /** Adds a fault rule (the fixtures format), tried before every other rule until reset. */
  async addFault (rule: FaultRuleFixture): Promise<Record<string, unknown>> {
    return await this.#call('POST', '/__mock/faults', rule)
  }

  async removeFault (name: string): Promise<void> {
    await this.#call('DELETE', `/__mock/faults/${encodeURIComponent(name)}`)
  }

  async faults (): Promise<Array<Record<string, unknown>>> {
    return await this.#call('GET', '/__mock/faults')
  }

  /** Moves the mock clock forward; syncs whose time comes end at once. Answers the new time. */
  async advanceClock (ms: number): Promise<string> {
    return (await this.#call<{ now: string }>('POST', '/__mock/clock', { advanceMs: ms })).now
  }

  async now (): Promise<string> {
    return (await this.#call<{ now: string }>('GET', '/__mock/clock')).now
  }
}
