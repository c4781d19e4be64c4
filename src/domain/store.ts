/**
 * Every site of the fixtures, each its own Eloqua instance (see site.ts): a request works on the
 * site of the user who sent it, so two test suites that use two sites never see each other's
 * data. Sites can be reset one at a time or all together.
 */
import type { Clock } from './clock.js'
import { unauthorized } from './errors.js'
import type { Principal } from './directory.js'
import { Site, siteSeed, type SiteOptions, type SiteSeed } from './site.js'
import type { Sync, SyncShaper } from './sync-lifecycle.js'
import type { EntityFieldFixture, Fixtures } from '../schemas/fixtures.js'

export type StoreOptions = SiteOptions
export { hostKey, MAX_STATE_DECODE_BYTES, MAX_STATE_FILES, type SnapshotOptions } from './site.js'
export { UPLOAD_MIN_CHARGE } from './staging.js'
export type { Sync } from './sync-lifecycle.js'

/** A site's name as logins compare it: Eloqua site names are not case-sensitive. */
const siteKey = (name: string): string => name.toLowerCase()

export class Store {
  readonly #seed: SiteSeed
  readonly #sites = new Map<string, Site>()
  readonly #bySite = new WeakMap<Principal, Site>()
  /** Told about every sync as it ends (callbacks are sent from there). */
  onSyncEnded: (sync: Sync) => void = () => {}
  /** Told when processing a sync threw; the sync has ended in `error` all the same. */
  onSyncFailed: (sync: Sync, error: unknown) => void = () => {}
  /** Told when export rows wait to be written as JSON: call writeExports until it says none are left. */
  onExportWriting: () => void = () => {}
  /** Told when a site (or, with no name, every site) goes back to the fixtures, so nothing of the old state goes out later. */
  onReset: (site: string | undefined) => void = () => {}

  readonly #newSite: (name: string) => Site

  constructor (fixtures: Fixtures, options: StoreOptions, clock: Clock, shape: SyncShaper = () => undefined) {
    this.#seed = siteSeed(fixtures)
    const hooks = { ended: (sync: Sync) => { this.onSyncEnded(sync) }, failed: (sync: Sync, err: unknown) => { this.onSyncFailed(sync, err) }, writing: () => { this.onExportWriting() } }
    this.#newSite = (name) => new Site(name, this.#seed, options, clock, shape, hooks)
    for (const site of fixtures.sites) this.#sites.set(siteKey(site.name), this.#newSite(site.name))
  }

  readonly #added = new Set<Site>()

  /** A new site, seeded like the others; the name must be free. */
  addSite (name: string): Site {
    const site = this.#newSite(name)
    this.#sites.set(siteKey(name), site)
    this.#added.add(site)
    return site
  }

  /** Whether a site was added at run time (and so may be removed). */
  isAdded (site: Site): boolean {
    return this.#added.has(site)
  }

  /** Drops a site and all it holds; its syncs end nowhere and send no callbacks. */
  removeSite (site: Site): void {
    site.reset()
    this.#sites.delete(siteKey(site.name))
    this.#added.delete(site)
    this.onReset(site.name)
  }

  /** The site of the user a request authenticated as. */
  site (principal: Principal): Site {
    // Principals live as long as the directory: remembering their site keeps the hot path free of string work.
    let site = this.#bySite.get(principal)
    if (site === undefined) {
      site = this.#sites.get(siteKey(principal.siteName))
      // Removed at run time after the request authenticated: its users log in no more.
      if (site === undefined) throw unauthorized(`the site ${principal.siteName} has been removed`)
      this.#bySite.set(principal, site)
    }
    return site
  }

  siteNamed (name: string): Site | undefined {
    return this.#sites.get(siteKey(name))
  }

  /** Every site, in fixture order; the first is the one `/__mock/state` shows by default. */
  sites (): Site[] {
    return [...this.#sites.values()]
  }

  /** Back to the fixtures: one site, or all. */
  reset (site?: Site): void {
    for (const s of site === undefined ? this.#sites.values() : [site]) s.reset()
    this.onReset(site?.name)
  }

  /** The contact or account fields of the fixtures, the same for every site. */
  entityFields (entity: 'contacts' | 'accounts'): readonly EntityFieldFixture[] {
    return entity === 'contacts' ? this.#seed.fixtures.contactFields : this.#seed.fixtures.accountFields
  }

  /** The site a sync belongs to (callbacks read it from there). */
  siteOf (sync: Sync): Site {
    return this.#sites.get(siteKey(sync.site)) as Site
  }

  /** Ends every sync whose time is up, in every site. */
  tick (): void {
    for (const site of this.#sites.values()) site.tick()
  }

  /** Writes up to `rows` more exported rows as JSON over the sites; returns whether any are left. */
  writeExports (rows: number): boolean {
    let left = false
    for (const site of this.#sites.values()) left = site.writeExports(rows) || left
    return left
  }

  get hasRunningSyncs (): boolean {
    for (const site of this.#sites.values()) if (site.hasRunningSyncs) return true
    return false
  }
}
