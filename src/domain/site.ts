/**
 * One site: an Eloqua instance of its own, as in Eloqua, where every company's data is apart. It
 * holds the records of every entity (contacts, accounts, custom object records), the definitions
 * of every kind in one registry, one staging area and the syncs, with ids of its own. Pure
 * TypeScript: it takes a clock and never sleeps.
 *
 * Every kind of data is bounded (see SiteOptions): staging by a byte quota, definitions by count,
 * running syncs by count, and ended syncs with their logs and rejects by count, by retained
 * rejects and by age, oldest dropped first.
 */
import { eloquaTimestamp, type Clock } from './clock.js'
import { conflict, describeValue, forbidden, notFound, tooManyRequests, validationError } from './errors.js'
import { mayUseCustomObject, type Principal } from './directory.js'
import { parseId } from './definitions.js'
import { EntityTable, recordState, type EntityRecord } from './entities.js'
import { shapedEnd } from './faults.js'
import { decodeUpload, type StagedUpload, type UploadFormat } from './records.js'
import { Staging, emptyStagingArea, kbUsed, type NewUpload, type StagingOptions } from './staging.js'
import { FieldCatalogue, type Entity } from './statements.js'
import { RejectList, type Rejects, type SyncReject } from './sync-engine.js'
import { SyncLifecycle, type CallbackAttempt, type Sync, type SyncLifecycleOptions, type SyncShaper, type SyncView } from './sync-lifecycle.js'
import type { Definition, DefinitionKind, KindScope, LeadScore } from './kinds/kind.js'
import { ActivityLog, planActivities } from './activity-log.js'
import { customObjectSyncActions } from './kinds/sync-actions.js'
import type { CustomObjectFixture, Fixtures } from '../schemas/fixtures.js'
import { materialised, snapshotRows, type ExportData } from './kinds/exports.js'
import { JsonRows } from './export-json.js'
import { CONTAINER_KINDS, containerView, memberOf, parseContainer, type ContainerKind } from './containers.js'
import type { ContainerFixture, ScoringModelFixture } from '../schemas/fixtures.js'
import { scoringModelView } from './scoring.js'

export interface SiteOptions extends StagingOptions, SyncLifecycleOptions {
  /** Definitions the instance holds, fixtures included; one more answers 400. */
  readonly maxDefinitions: number
  /** Host names a callbackUrl may name; empty allows any. */
  readonly callbackHosts: readonly string[]
  /** `isSyncTriggeredOnImport` of an import definition whose body does not say. */
  readonly importSyncTriggeredDefault: boolean
  /** Records each entity (contacts, accounts, each custom object) holds at most; imports create no more. */
  readonly maxRecords: number
  /** Exported rows kept over all export syncs; the oldest syncs' data is dropped beyond it. */
  readonly maxRetainedExportRows: number
  /** `dataRetentionDuration` of an export definition whose body does not say. */
  readonly exportRetentionDefault: string
  /** Bytes of export rows kept written as JSON (export-json.ts); rows past it are written for each page. */
  readonly exportCacheBytes: number
}

/** What the fixtures give every site, read once. */
export interface ReportFacts {
  definitions: Array<{ uri: string, createdByClient: boolean, stagedUploads: number, syncing: boolean }>
  syncs: Array<{ uri: string, status: string }>
}

export interface SiteSeed {
  readonly fixtures: Fixtures
  readonly contactFields: FieldCatalogue
  readonly accountFields: FieldCatalogue
  readonly customObjectFields: ReadonlyMap<number, FieldCatalogue>
  /** Activities never change through the API, so every site reads the same log. */
  readonly activities: ActivityLog
  /** Lead scores by model id, then contact id. */
  readonly leadScores: ReadonlyMap<number, ReadonlyMap<number, LeadScore>>
}

export function siteSeed (fixtures: Fixtures): SiteSeed {
  const { listed, generators } = planActivities(fixtures.activities)
  // Generated activities belong to the fixtures' contacts (with the ids every site gives them) and were sent to their addresses.
  const activityContacts = [...new EntityTable(fixtures.contacts).records()].map((c) => ({ id: c.id, email: c.fieldValues.C_EmailAddress ?? '' }))
  return {
    fixtures,
    contactFields: FieldCatalogue.ofEntity('contacts', fixtures.contactFields),
    accountFields: FieldCatalogue.ofEntity('accounts', fixtures.accountFields),
    customObjectFields: new Map(fixtures.customObjects.map((c) => [c.id, FieldCatalogue.ofCustomObject(c)])),
    activities: new ActivityLog(listed, generators, activityContacts),
    leadScores: new Map(fixtures.scoringModels.map((m) => [m.id, new Map((m.scores ?? []).map((s) => [s.contactId, s]))]))
  }
}

export interface SiteHooks {
  /** Told about every sync as it ends (callbacks are sent from there). */
  ended: (sync: Sync) => void
  /** Told when processing a sync threw; the sync has ended in `error` all the same. */
  failed: (sync: Sync, error: unknown) => void
  /** Told when an export sync starts whose rows are to be written as JSON: writeExports has work. */
  writing: () => void
}

interface CustomObjectState { readonly fixture: CustomObjectFixture, readonly catalogue: FieldCatalogue, readonly table: EntityTable }

/** Files listed per definition or sync in `/__mock/state`; the counts still cover them all. */
export const MAX_STATE_FILES = 100
/** Larger files are listed in `/__mock/state` without their records: decoding them would take seconds. */
export const MAX_STATE_DECODE_BYTES = 4 * 1024 * 1024
const MAX_CALLBACK_URL_LENGTH = 2048
/** EXISTS names no container of custom objects or activities. */
const noContainer = (): undefined => undefined
/** Rows of an export sync written as JSON when it is created; more are written between requests. */
const SYNC_WRITTEN_ROWS = 10_000
/** Rows written each time a held-back sync is looked at (a settle): some milliseconds' worth. */
const ROWS_PER_LOOK = 20_000
/** What a definition with no exported data serves: a page without items. */
const NO_DATA: ExportData = materialised([], [], 0)

export interface SnapshotOptions {
  records: boolean
  /** Staged records decoded at most, over the whole answer; default 1000. */
  maxRecords?: number
  customObject?: number | undefined
  definition?: number | undefined
  sync?: number | undefined
}

/** A host name as callback hosts are compared: trimmed, lower-case, IPv6 without brackets. */
export function hostKey (host: string): string {
  return host.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1')
}

export class Site {
  readonly name: string
  readonly #seed: SiteSeed
  readonly #options: SiteOptions
  readonly #clock: Clock
  readonly #shape: SyncShaper
  readonly #hooks: SiteHooks
  #contacts = new EntityTable([])
  #accounts = new EntityTable([])
  #customObjects = new Map<number, CustomObjectState>()
  #definitions = new Map<number, Definition>()
  /** Definitions from this id on were created by clients, not loaded from fixtures. */
  #firstRuntimeDefinitionId = 1
  #byUri = new Map<string, Definition>()
  #nextDefinitionId = 1
  /** When the next staged upload or definition expires; until then there is nothing to drop. */
  #nextHousekeepingAt = Infinity
  /** When the fixtures were last loaded into this site. */
  #loadedAt = 0
  /** Export syncs whose data is kept, oldest first, and the rows they hold. */
  #exported: Sync[] = []
  #exportedRows = 0
  #exportedChars = 0
  /** Rows the snapshots of running export syncs hold, by sync: MAX_RETAINED_EXPORT_ROWS bounds them with the kept ones. */
  #runningExports = new Map<Sync, number>()
  #runningExportRows = 0
  /** Export syncs whose rows are being written as JSON, oldest first, and the bytes all written rows hold. */
  #writing: Array<{ readonly sync: Sync, readonly json: JsonRows }> = []
  #jsonBytes = 0
  #staging: Staging
  #syncs: SyncLifecycle

  constructor (name: string, seed: SiteSeed, options: SiteOptions, clock: Clock, shape: SyncShaper, hooks: SiteHooks) {
    this.name = name
    this.#seed = seed
    this.#options = options
    this.#clock = clock
    this.#shape = shape
    this.#hooks = hooks
    this.#derived = { contacts: this.#externalIdOf('contacts', 'ContactIDExt', 'C'), accounts: this.#externalIdOf('accounts', 'CompanyIDExt', 'A') }
    this.#staging = new Staging(options)
    this.#syncs = this.#newLifecycle()
    this.reset()
  }

  /** Back to the state the fixtures describe: their records and definitions, nothing staged, no syncs. */
  reset (): void {
    const { fixtures } = this.#seed
    const loadedAt = this.#clock.now()
    this.#loadedAt = loadedAt
    const { maxRecords } = this.#options
    this.#contacts = new EntityTable(fixtures.contacts, maxRecords, loadedAt)
    this.#accounts = new EntityTable(fixtures.accounts, maxRecords, loadedAt)
    this.#customObjects = new Map(fixtures.customObjects.map((c) => [c.id, {
      fixture: c,
      catalogue: this.#seed.customObjectFields.get(c.id) as FieldCatalogue,
      table: EntityTable.ofCustomObject(c, maxRecords, loadedAt)
    }]))
    this.#definitions = new Map()
    this.#byUri = new Map()
    for (const d of fixtures.syncActionDefinitions) {
      const createdAt = d.createdAt === undefined ? loadedAt : Date.parse(d.createdAt)
      const definition = this.#register(customObjectSyncActions as DefinitionKind, d.id, d.parentId, {
        name: d.name,
        fields: { ...d.fields },
        identifierFieldName: d.identifierFieldName,
        isSyncTriggeredOnImport: d.isSyncTriggeredOnImport ?? false,
        syncActions: structuredClone(d.syncActions)
      }, createdAt, d.createdBy ?? 'API.User')
      definition.updatedAt = d.updatedAt === undefined ? createdAt : Date.parse(d.updatedAt)
      definition.updatedBy = d.updatedBy ?? definition.createdBy
    }
    this.#nextDefinitionId = Math.max(0, ...this.#definitions.keys()) + 1
    this.#firstRuntimeDefinitionId = this.#nextDefinitionId
    this.#staging = new Staging(this.#options)
    this.#syncs = this.#newLifecycle()
    this.#nextHousekeepingAt = Infinity
    this.#exported = []
    this.#exportedRows = 0
    this.#exportedChars = 0
    this.#writing = []
    this.#jsonBytes = 0
    this.#runningExports = new Map()
    this.#runningExportRows = 0
  }

  /** Ends the syncs whose time is up, then expires staged uploads and definitions whose time is up; returns the current time. */
  #settle (): number {
    const now = this.#syncs.settle()
    if (now >= this.#nextHousekeepingAt) this.#housekeep(now)
    return now
  }

  /**
   * Drops unsynced uploads past their definition's retention, definitions past their
   * autoDeleteDuration, and exported data past its dataRetentionDuration.
   */
  #housekeep (now: number): void {
    // What this sweep drops can end syncs and keep new data (#remove settles), which asks for a look at its own time.
    this.#nextHousekeepingAt = Infinity
    let next = Infinity
    for (const sync of [...this.#exported]) {
      const expiresAt = this.#dataExpiresAt(sync)
      if (expiresAt <= now) this.#dropData(sync)
      else next = Math.min(next, expiresAt)
    }
    for (const definition of [...this.#definitions.values()]) {
      const lifetimes = definition.kind.lifetimes?.(definition.body)
      if (lifetimes === undefined) continue
      const { stagedMs, definitionMs } = lifetimes
      if (definitionMs !== undefined && definition.updatedAt + definitionMs <= now) {
        this.#remove(definition)
        continue
      }
      if (definitionMs !== undefined) next = Math.min(next, definition.updatedAt + definitionMs)
      this.#staging.expire(definition, now - stagedMs)
      const [oldest] = definition.staged
      if (oldest !== undefined) next = Math.min(next, oldest.stagedAt + stagedMs)
    }
    this.#nextHousekeepingAt = Math.min(this.#nextHousekeepingAt, next)
  }

  /** Looks again at `at` (or sooner) for what expires. */
  #housekeepBy (at: number): void {
    if (at < this.#nextHousekeepingAt) this.#nextHousekeepingAt = at
  }

  /** When a definition's lifetimes (if its kind has any) next need a look. */
  #watch (definition: Definition): void {
    const lifetimes = definition.kind.lifetimes?.(definition.body)
    if (lifetimes === undefined) return
    if (lifetimes.definitionMs !== undefined) this.#housekeepBy(definition.updatedAt + lifetimes.definitionMs)
    const [oldest] = definition.staged
    if (oldest !== undefined) this.#housekeepBy(oldest.stagedAt + lifetimes.stagedMs)
  }

  #newLifecycle (): SyncLifecycle {
    return new SyncLifecycle(this.#options, this.#clock, {
      process: (sync) => shapedEnd(sync, () => this.#process(sync)),
      release: (area, sync) => { this.#staging.release(area, sync) },
      ended: (sync) => {
        this.#runningExportRows -= this.#runningExports.get(sync) ?? 0
        this.#runningExports.delete(sync)
        this.#stopWriting(sync)
        this.#keepData(sync)
        this.#hooks.ended(sync)
      },
      failed: (sync, err) => { this.#hooks.failed(sync, err) },
      ready: (sync) => this.#ready(sync),
      // A sync that retention drops takes its data with it.
      retired: (sync) => { this.#dropData(sync) }
    })
  }

  // Entities -----------------------------------------------------------------------------------

  /** The custom object a path names: 404 when there is none, 403 when the user may not use it. */
  resolveCustomObject (principal: Principal, idSegment: string): CustomObjectFixture {
    return this.#customObjectState(principal, idSegment).fixture
  }

  #customObjectState (principal: Principal, idSegment: string): CustomObjectState {
    const id = parseId(idSegment)
    const state = id === undefined ? undefined : this.#customObjects.get(id)
    if (id === undefined || state === undefined) throw notFound(`custom object ${idSegment} does not exist`)
    if (!mayUseCustomObject(principal, id)) throw forbidden(`user ${principal.loginName} may not use custom object ${id}`)
    return state
  }

  /** Custom objects the user may use. */
  customObjects (principal: Principal): CustomObjectFixture[] {
    return [...this.#customObjects.values()].map((c) => c.fixture).filter((c) => mayUseCustomObject(principal, c.id))
  }

  // Containers ---------------------------------------------------------------------------------

  /** The lists, segments or filters of one kind, with their member counts now. */
  containers (kind: ContainerKind): Array<{ fixture: ContainerFixture, view: () => object }> {
    // Syncs whose time is up act first: a count must include what they did.
    this.#settle()
    const table = CONTAINER_KINDS[kind].entity === 'contacts' ? this.#contacts : this.#accounts
    return this.#seed.fixtures[CONTAINER_KINDS[kind].section].map((fixture) => ({
      fixture,
      view: () => {
        const member = memberOf(kind, fixture)
        let count = 0
        for (const record of table.records()) if (member(record)) count++
        return containerView(kind, fixture, count, this.#loadedAt)
      }
    }))
  }

  /** The lead scoring models, as the API shows them. */
  scoringModels (): Array<{ fixture: ScoringModelFixture, view: () => object }> {
    return this.#seed.fixtures.scoringModels.map((fixture) => ({ fixture, view: () => scoringModelView(fixture, this.#loadedAt) }))
  }

  /** Where the rows of a definition of this entity go. */
  #scope (entity: Entity | 'activities', parentId: number | undefined): KindScope {
    const related = (other: 'contacts' | 'accounts'): { catalogue: FieldCatalogue, table: EntityTable } =>
      other === 'contacts' ? { catalogue: this.#seed.contactFields, table: this.#contacts } : { catalogue: this.#seed.accountFields, table: this.#accounts }
    const { activities, leadScores } = this.#seed
    const shared = {
      related,
      importSyncDefault: this.#options.importSyncTriggeredDefault,
      exportRetentionDefault: this.#options.exportRetentionDefault,
      activities,
      leadScores: (modelId: number) => leadScores.get(modelId)
    }
    if (entity === 'customObjects') {
      const state = this.#customObjects.get(parentId as number) as CustomObjectState
      return { ...shared, catalogue: state.catalogue, table: state.table, container: noContainer }
    }
    // Activities have no table of their own; the contacts are those they belong to.
    if (entity === 'activities') return { ...shared, ...related('contacts'), container: noContainer }
    return { ...shared, ...related(entity), derive: this.#derived[entity], container: (statement) => this.#container(entity, statement) }
  }

  /** EXISTS in a filter: a container of this entity that exists, as a membership test. */
  #container (entity: 'contacts' | 'accounts', statement: string): ((record: EntityRecord) => boolean) | undefined {
    const named = parseContainer(statement)
    if (named === undefined || CONTAINER_KINDS[named.kind].entity !== entity) return undefined
    const fixture = this.#seed.fixtures[CONTAINER_KINDS[named.kind].section].find((c) => c.id === named.id)
    return fixture === undefined ? undefined : memberOf(named.kind, fixture)
  }

  /**
   * What the instance assigns a new contact or account: its ContactIDExt or CompanyIDExt, made
   * like those of the bundled fixtures (C or A, four letters of the site, the id on 12 digits),
   * when the field catalogue has that field.
   */
  readonly #derived: Readonly<Record<'contacts' | 'accounts', ((id: number) => Record<string, string>) | undefined>>

  #externalIdOf (entity: 'contacts' | 'accounts', name: string, letter: string): ((id: number) => Record<string, string>) | undefined {
    const catalogue = entity === 'contacts' ? this.#seed.contactFields : this.#seed.accountFields
    const field = catalogue.byName(name)
    if (field === undefined) return undefined
    const site = this.name.replace(/[^A-Za-z]/g, '').slice(0, 4).toUpperCase().padEnd(4, 'X')
    return (id) => ({ [field.internalName]: `${letter}${site}${String(id).padStart(12, '0')}` })
  }

  // Definitions --------------------------------------------------------------------------------

  /**
   * The definition a path names, checked in the order a caller can see: the custom object exists
   * (404), the user may use it (403), the definition exists under it, of that kind (404).
   */
  resolveDefinition (principal: Principal, kind: DefinitionKind, parentIdSegment: string | undefined, idSegment: string): Definition {
    this.#settle()
    const parentId = parentIdSegment === undefined ? undefined : this.#customObjectState(principal, parentIdSegment).fixture.id
    const id = parseId(idSegment)
    const definition = id === undefined ? undefined : this.#definitions.get(id)
    if (definition === undefined || definition.kind !== kind || definition.parentId !== parentId) {
      throw notFound(`${kind.uri(0, parentId).replace(/\/0$/, '')} has no definition ${idSegment}`)
    }
    return definition
  }

  /** Definitions of some kinds: of one custom object, or of every custom object the user may use. */
  definitions (principal: Principal, accept: (kind: DefinitionKind) => boolean, parentId?: number): Definition[] {
    this.#settle()
    return [...this.#definitions.values()].filter((d) => accept(d.kind) &&
      (parentId === undefined ? d.parentId === undefined || mayUseCustomObject(principal, d.parentId) : d.parentId === parentId))
  }

  createDefinition (principal: Principal, kind: DefinitionKind, parentIdSegment: string | undefined, body: unknown): Definition {
    const parentId = parentIdSegment === undefined ? undefined : this.#customObjectState(principal, parentIdSegment).fixture.id
    const input = kind.read(body, this.#scope(kind.entity, parentId))
    if (this.#definitions.size >= this.#options.maxDefinitions) {
      throw validationError([{ field: 'definition', constraint: `Must not exceed ${this.#options.maxDefinitions} definitions in this instance (MAX_DEFINITIONS); delete one first.` }])
    }
    const definition = this.#register(kind, this.#nextDefinitionId++, parentId, input, this.#clock.now(), principal.loginName)
    this.#watch(definition)
    return definition
  }

  /** PUT is a full replacement of the writable fields (eloqua-reference §6.4). */
  replaceDefinition (principal: Principal, definition: Definition, body: unknown): Definition {
    definition.body = definition.kind.read(body, this.#scope(definition.kind.entity, definition.parentId))
    definition.updatedAt = this.#clock.now()
    definition.updatedBy = principal.loginName
    this.#watch(definition)
    return definition
  }

  /** Deleting a definition ends its running syncs in `error` (ELQ-00143) and drops its staged data. */
  deleteDefinition (definition: Definition): void {
    this.#settle()
    this.#remove(definition)
  }

  #remove (definition: Definition): void {
    for (const sync of this.#syncs.running().filter((s) => s.definition === definition)) {
      this.#syncs.abort(sync, 'ELQ-00143', `Sync Recovery Worker could not recover from sync error. ${definition.kind.productType} definition for id ${definition.id} has been deleted.`)
    }
    this.#syncs.settle()
    this.#staging.clear(definition)
    this.#definitions.delete(definition.id)
    this.#byUri.delete(uriKey(definition.uri))
  }

  /** The definition as the API returns it. */
  definitionView (definition: Definition): object {
    this.#settle()
    return definition.kind.view(definition, kbUsed(definition))
  }

  #register (kind: DefinitionKind, id: number, parentId: number | undefined, body: Definition['body'], createdAt: number, createdBy: string): Definition {
    const uri = kind.uri(id, parentId)
    const definition: Definition = { ...emptyStagingArea(uri), id, kind, parentId, createdAt, createdBy, updatedAt: createdAt, updatedBy: createdBy, body }
    this.#definitions.set(id, definition)
    this.#byUri.set(uriKey(uri), definition)
    return definition
  }

  // Staged data --------------------------------------------------------------------------------

  /**
   * Adds one upload ("file") to a definition's staging area. Every check runs before anything
   * changes, so a refused upload leaves no trace. Returns the new sync when the definition
   * syncs on import.
   */
  stageUpload (definition: Definition, upload: NewUpload, principal: Principal): Sync | undefined {
    const now = this.#settle()
    this.#staging.check(definition, upload)
    if (definition.body.isSyncTriggeredOnImport) this.#checkRunningLimit()
    this.#staging.add(definition, upload, now, principal.loginName)
    this.#watch(definition)
    return definition.body.isSyncTriggeredOnImport ? this.#startSync(definition, principal, undefined, now) : undefined
  }

  /** Empties a definition's staging area; refused with 409 while one of its syncs is pending or active (since 24B). */
  deleteStagedData (definition: Definition): void {
    this.#settle()
    if (definition.runningSyncs > 0) throw conflict(`a sync of ${definition.uri} is pending or active`)
    this.#staging.clear(definition)
  }

  // Syncs --------------------------------------------------------------------------------------

  /** `POST /syncs`: `syncedInstanceUri` must name a definition the user may use, with no sync pending or active. */
  createSync (principal: Principal, body: unknown): Sync {
    const now = this.#settle()
    const { syncedInstanceUri, callbackUrl, callbackURL } = (body !== null && typeof body === 'object' ? body : {}) as Record<string, unknown>
    const definition = typeof syncedInstanceUri === 'string' && syncedInstanceUri.length <= 200 ? this.#byUri.get(uriKey(syncedInstanceUri)) : undefined
    if (definition === undefined) {
      throw validationError([{
        field: 'syncedInstanceUri',
        ...(syncedInstanceUri === undefined ? {} : { value: describeValue(syncedInstanceUri) }),
        constraint: 'Must be the uri of an existing import, export or sync action definition, e.g. /contacts/imports/5, /contacts/exports/6 or /customObjects/9/syncActions/6.'
      }])
    }
    if (definition.parentId !== undefined && !mayUseCustomObject(principal, definition.parentId)) {
      throw forbidden(`user ${principal.loginName} may not use custom object ${definition.parentId}`)
    }
    // Oracle's own example spells it callbackURL; the schema says callbackUrl. Empty means none.
    const callback = [callbackUrl, callbackURL].find((c) => c !== undefined && c !== null && c !== '')
    if (callback !== undefined) this.#checkCallbackUrl(callback)
    if (definition.runningSyncs > 0) throw conflict(`a sync of ${definition.uri} is already pending or active`)
    this.#checkRunningLimit()
    return this.#startSync(definition, principal, callback as string | undefined, now)
  }

  /** Syncs of the definitions the user may use, oldest first. */
  syncs (principal: Principal): Sync[] {
    return this.#syncs.all().filter((s) => s.definition.parentId === undefined || mayUseCustomObject(principal, s.definition.parentId))
  }

  /** A sync: 404 when there is none, 403 when it syncs a custom object the user may not use. */
  getSync (principal: Principal, idSegment: string): Sync {
    const id = parseId(idSegment)
    const sync = id === undefined ? undefined : this.#syncs.get(id)
    if (sync === undefined) throw notFound(`sync ${idSegment} does not exist`)
    const parentId = sync.definition.parentId
    if (parentId !== undefined && !mayUseCustomObject(principal, parentId)) throw forbidden(`user ${principal.loginName} may not use custom object ${parentId}`)
    return sync
  }

  syncView (sync: Sync): SyncView {
    return this.#syncs.view(sync)
  }

  /** Log lines of an ended sync, in Eloqua's shape; none while it runs. */
  syncLogs (sync: Sync): object[] {
    if (sync.final === undefined) return []
    const createdAt = eloquaTimestamp(sync.endAt)
    return sync.final.logs.map((line) => ({ syncUri: sync.uri, count: line.count, severity: line.severity, statusCode: line.statusCode, message: line.message, createdAt }))
  }

  /** Rejected records of an ended sync, built one by one as a page reads them. */
  syncRejects (sync: Sync): { length: number, at: (i: number) => SyncReject | undefined } {
    return sync.final?.rejects ?? new RejectList(sync.body.identifierFieldName, 0)
  }

  recordCallbackAttempt (sync: Sync, attempt: CallbackAttempt): void {
    sync.callbackAttempts.push(attempt)
  }

  /** Ends every sync whose time is up; the sync timer calls it so callbacks go out on time. */
  tick (): void {
    this.#settle()
  }

  get hasRunningSyncs (): boolean {
    return this.#syncs.runningCount > 0
  }

  /** What each bounded kind of data uses, against its bound, for `/__mock/state`. */
  usage (): Record<string, number> {
    this.#settle()
    return {
      stagingBytes: this.#staging.bytes,
      stagingQuotaUsedBytes: this.#staging.charge,
      stagingQuotaBytes: this.#staging.quotaBytes,
      definitions: this.#definitions.size,
      maxDefinitions: this.#options.maxDefinitions,
      runningSyncs: this.#syncs.runningCount,
      retainedSyncs: this.#syncs.retainedCount,
      maxRetainedSyncs: this.#options.maxRetainedSyncs,
      retainedRejects: this.#syncs.retainedRejects,
      maxRetainedRejects: this.#options.maxRetainedRejects,
      contacts: this.#contacts.size,
      accounts: this.#accounts.size,
      customObjectRecords: [...this.#customObjects.values()].reduce((sum, c) => sum + c.table.size, 0),
      maxRecords: this.#options.maxRecords,
      retainedExportRows: this.#exportedRows,
      maxRetainedExportRows: this.#options.maxRetainedExportRows,
      exportCacheBytes: this.#jsonBytes,
      maxExportCacheBytes: this.#options.exportCacheBytes
    }
  }

  // Exported data ------------------------------------------------------------------------------

  /** Keeps what an export sync exported, dropping the oldest data beyond MAX_RETAINED_EXPORT_ROWS. */
  // Exported rows as JSON ---------------------------------------------------------------------

  /**
   * An export sync that took rows has them written as JSON while it runs, budget allowing: the
   * first SYNC_WRITTEN_ROWS at once, the rest between requests (writeExports). Like Eloqua's, a
   * sync ends only once its rows are ready, so a big export stays active a little longer.
   * Fault-shaped syncs are left alone: their end is the rule's.
   */
  #startWriting (sync: Sync): void {
    const data = snapshotRows(sync.prepared)
    if (data === undefined || data.count === 0 || sync.shaping !== undefined || this.#options.exportCacheBytes <= this.#jsonBytes) return
    const json = new JsonRows(data)
    data.json = json
    // Its first (small) buffer, then what each write adds.
    this.#jsonBytes += json.bytes
    this.#writing.push({ sync, json })
    this.#tryWrite(json, SYNC_WRITTEN_ROWS)
    if (json.pending) this.#hooks.writing()
  }

  /**
   * Writes up to `rows` more rows as JSON, oldest sync first; returns whether rows are left to
   * write. The mock's timer calls it between requests, so writing never holds one up for long.
   */
  writeExports (rows: number): boolean {
    let left = rows
    for (const { json } of this.#writing) {
      if (!json.pending) continue
      left -= this.#write(json, left)
      if (left <= 0) break
    }
    return this.#writing.some(({ json }) => json.pending)
  }

  /** Writes up to `rows` rows of one export; returns how many. One that fails to write writes no more, so its sync can end. */
  #write (json: JsonRows, rows: number): number {
    const [written, bytes] = [json.written, json.bytes]
    try {
      json.write(written + rows, this.#options.exportCacheBytes - this.#jsonBytes)
    } catch (err) {
      json.stop()
      throw err
    } finally {
      // Whatever happened, the bytes held are counted.
      this.#jsonBytes += json.bytes - bytes
    }
    return json.written - written
  }

  /**
   * #write where a failure must not fail the request (a sync's creation, a look at it): the rows
   * written stay, the others are written for each page, which reports the failure if it recurs.
   */
  #tryWrite (json: JsonRows, rows: number): void {
    try {
      this.#write(json, rows)
    } catch {}
  }

  /**
   * Whether a sync whose time is up may end: not while its rows are being written. Each look
   * writes some more, so a client that only polls still sees it end.
   */
  #ready (sync: Sync): boolean {
    const writing = this.#writing.find((w) => w.sync === sync && w.json.pending)
    if (writing === undefined) return true
    this.#tryWrite(writing.json, ROWS_PER_LOOK)
    return !writing.json.pending
  }

  /** An ending sync stops being written; if it ended without data (an error, an abort), its rows are let go. */
  #stopWriting (sync: Sync): void {
    const index = this.#writing.findIndex((w) => w.sync === sync)
    if (index < 0) return
    const { json } = this.#writing.splice(index, 1)[0] as { json: JsonRows }
    if (sync.final?.data === undefined) this.#jsonBytes -= json.bytes
  }

  #keepData (sync: Sync): void {
    const data = sync.final?.data
    if (data === undefined) return
    this.#exported.push(sync)
    this.#exportedRows += data.count
    this.#exportedChars += data.chars
    // Syncs past MAX_RETAINED_SYNCS are gone anyway: their data, even none, is not kept for them.
    while (this.#exportedRows > this.#options.maxRetainedExportRows || this.#exported.length > this.#options.maxRetainedSyncs) {
      this.#dropData(this.#exported[0] as Sync)
    }
    this.#housekeepBy(this.#dataExpiresAt(sync))
  }

  /**
   * Room for a new export's rows within MAX_RETAINED_EXPORT_ROWS: the oldest kept data goes
   * first, as when a sync ends; rows of running exports cannot go, so too many of them answer 429.
   */
  #makeRoomForExport (rows: number): void {
    if (rows === 0) return
    const max = this.#options.maxRetainedExportRows
    if (this.#runningExportRows + rows > max) {
      throw tooManyRequests(`running exports hold ${this.#runningExportRows} rows and this one ${rows}, more than the ${max} MAX_RETAINED_EXPORT_ROWS allows; wait for them to end`)
    }
    while (this.#exportedRows + this.#runningExportRows + rows > max) this.#dropData(this.#exported[0] as Sync)
    this.#runningExportRows += rows
  }

  /** When an export sync's data outlives its definition's dataRetentionDuration (as the sync started with it). */
  #dataExpiresAt (sync: Sync): number {
    // Only export syncs keep data, and export kinds always say how long (exportKind).
    const lifetimes = sync.definition.kind.lifetimes as NonNullable<DefinitionKind['lifetimes']>
    return sync.endAt + (lifetimes(sync.body).dataMs as number)
  }

  #dropData (sync: Sync): void {
    const data = sync.final?.data
    if (data === undefined) return
    this.#exportedRows -= data.count
    this.#exportedChars -= data.chars
    this.#jsonBytes -= data.json?.bytes ?? 0
    data.json = undefined
    ;(sync.final as NonNullable<Sync['final']>).data = undefined
    this.#exported.splice(this.#exported.indexOf(sync), 1)
  }

  /**
   * The rows an export sync exported: 400 for a sync of anything but an export (as Eloqua answers
   * for an import sync), 403 for a sync another user ran, 404 while the sync runs and once its
   * data is deleted or has outlived its `dataRetentionDuration`.
   */
  syncData (principal: Principal, sync: Sync): ExportData {
    this.#settle()
    if (sync.definition.kind.family !== 'exports') {
      throw validationError([{ field: 'syncedInstanceUri', value: sync.syncedInstanceUri, constraint: 'Must be an export: only export syncs have data to retrieve.' }])
    }
    if (sync.createdBy.toLowerCase() !== principal.loginName.toLowerCase()) throw forbidden(`only ${sync.createdBy}, who ran ${sync.uri}, may read its data`)
    // Settling dropped data past its retention.
    const data = sync.final?.data
    if (data === undefined) throw notFound(sync.final === undefined ? `${sync.uri} has not ended yet` : `the data of ${sync.uri} was deleted or has expired`)
    return data
  }

  /** `DELETE /syncs/{id}/data`: the rows go at once. */
  deleteSyncData (principal: Principal, sync: Sync): void {
    this.syncData(principal, sync)
    this.#dropData(sync)
  }

  /** The data of the definition's latest ended sync that still has some, for `GET {export uri}/data`. */
  definitionData (principal: Principal, definition: Definition): ExportData {
    this.#settle()
    const latest = this.#exported.filter((s) => s.definition === definition).at(-1)
    return latest === undefined ? NO_DATA : this.syncData(principal, latest)
  }

  /**
   * `GET /imports/data` and `GET /exports/data`: what the site's imports have staged, or its export
   * syncs hold, in kilobytes; `kbAllowed` 0 means no limit, as Eloqua answers.
   */
  dataUsage (family: 'imports' | 'exports'): { kbAllowed: number, kbUsed: number } {
    this.#settle()
    if (family === 'exports') return { kbAllowed: 0, kbUsed: Math.ceil(this.#exportedChars / 1024) }
    const bytes = [...this.#definitions.values()].filter((d) => d.kind.family === 'imports').reduce((sum, d) => sum + d.stagedBytes + d.syncingBytes, 0)
    return { kbAllowed: 0, kbUsed: Math.ceil(bytes / 1024) }
  }

  /** `DELETE {export uri}/data`: every sync of the definition loses its data. */
  deleteDefinitionData (definition: Definition): void {
    this.#settle()
    for (const sync of this.#exported.filter((s) => s.definition === definition)) this.#dropData(sync)
  }

  /**
   * What the site holds, for `/__mock/state`, narrowed to one custom object, definition or sync
   * when asked. Staged records are decoded for at most `maxRecords` records in all, so the answer
   * stays small however much is staged.
   */
  /** What the client-behaviour report reads: the definitions and syncs as they stand. */
  reportFacts (): ReportFacts {
    this.#settle()
    const running = new Set(this.#syncs.running().map((sync) => sync.definition))
    return {
      definitions: [...this.#definitions.values()].map((d) => ({ uri: d.uri, createdByClient: d.id >= this.#firstRuntimeDefinitionId, stagedUploads: d.staged.length, syncing: running.has(d) })),
      syncs: this.#syncs.all().map((sync) => ({ uri: sync.uri, status: sync.final?.status ?? 'running' }))
    }
  }

  snapshot (options: SnapshotOptions): object {
    this.#settle()
    const { customObject, definition, sync } = options
    let budget = options.records ? options.maxRecords ?? 1000 : 0
    // At most MAX_STATE_FILES files each, and no file too big to decode cheaply, so the answer stays small.
    const files = (uploads: readonly StagedUpload[]): object => ({
      files: uploads.slice(0, MAX_STATE_FILES).map((upload) => {
        const described = describeUpload(upload, options.records, upload.bytes.length > MAX_STATE_DECODE_BYTES ? 0 : budget)
        budget -= described.records?.length ?? 0
        return described
      }),
      ...(uploads.length > MAX_STATE_FILES ? { filesTruncated: true } : {})
    })
    const narrowed = customObject !== undefined || definition !== undefined || sync !== undefined
    const definitions = [...this.#definitions.values()].filter((d) =>
      (definition === undefined || d.id === definition) && (customObject === undefined || d.parentId === customObject))
    const definitionState = (d: Definition): object => ({
      id: d.id,
      ...(d.parentId === undefined ? {} : { parentId: d.parentId }),
      uri: d.uri,
      name: d.body.name,
      identifierFieldName: d.body.identifierFieldName,
      isSyncTriggeredOnImport: d.body.isSyncTriggeredOnImport,
      kbUsed: kbUsed(d),
      staged: {
        uploads: d.staged.length,
        records: d.staged.reduce((sum, u) => sum + u.recordCount, 0),
        bytes: d.stagedBytes,
        ...files(d.staged)
      }
    })
    const syncs = this.#syncs.all().filter((s) =>
      (sync === undefined || s.id === sync) &&
      (definition === undefined || s.definition.id === definition) &&
      (customObject === undefined || s.definition.parentId === customObject))
    // Records are listed at most `maxRecords` per entity, newest last; the counts cover them all.
    const listed = options.maxRecords ?? 1000
    const recordsOf = (table: EntityTable): object[] => {
      const records: object[] = []
      for (const record of table.records()) {
        if (records.length >= listed) break
        records.push(recordState(record))
      }
      return records
    }
    const entity = (name: 'contacts' | 'accounts', table: EntityTable): object => narrowed
      ? { [name]: [] }
      : { [name]: recordsOf(table), ...(table.size > listed ? { [`${name}Truncated`]: true } : {}) }
    return {
      site: this.name,
      now: eloquaTimestamp(this.#clock.now()),
      ...entity('contacts', this.#contacts),
      ...entity('accounts', this.#accounts),
      customObjects: [...this.#customObjects.values()]
        .filter(({ fixture }) => customObject === undefined || fixture.id === customObject)
        .map(({ fixture, table }) => ({
          id: fixture.id,
          name: fixture.name,
          uri: `/customObjects/${fixture.id}`,
          records: recordsOf(table),
          ...(table.size > listed ? { recordsTruncated: true } : {})
        })),
      // Activities never change and may be millions of generated rows: counted by type, not listed.
      activities: this.#seed.activities.counts(),
      syncActionDefinitions: definitions.filter((d) => d.kind.family === 'syncActions').map(definitionState),
      importDefinitions: definitions.filter((d) => d.kind.family === 'imports').map(definitionState),
      exportDefinitions: definitions.filter((d) => d.kind.family === 'exports').map((d) => ({
        id: d.id,
        ...(d.parentId === undefined ? {} : { parentId: d.parentId }),
        uri: d.uri,
        name: d.body.name,
        exports: this.#exported.filter((s) => s.definition === d).map((s) => ({ sync: s.uri, rows: s.final?.data?.count }))
      })),
      syncs: syncs.map((s) => ({
        id: s.id,
        ...this.syncView(s),
        site: s.site,
        recordCount: s.recordCount,
        bytes: s.bytes,
        ...(s.shaping === undefined ? {} : { fault: s.shaping.ruleName }),
        ...(s.final === undefined ? {} : { rejects: s.final.rejects.length }),
        ...files(s.uploads),
        callbacks: s.callbackAttempts
      })),
      stagingBytes: this.#staging.bytes
    }
  }

  /** A sync more would exceed MAX_RETAINED_SYNCS running at once: 429, as Eloqua's platform-wide limit answers. */
  #checkRunningLimit (): void {
    const running = this.#syncs.runningCount
    if (running >= this.#options.maxRetainedSyncs) {
      throw tooManyRequests(`${running} syncs are pending or active, the most MAX_RETAINED_SYNCS allows; wait for some to end`)
    }
  }

  /** An absolute http(s) URL, without credentials, to an allowed host. */
  #checkCallbackUrl (callback: unknown): void {
    const refuse = (constraint: string, value?: string): never => {
      throw validationError([{ field: 'callbackUrl', ...(value === undefined ? {} : { value: describeValue(value) }), constraint }])
    }
    if (typeof callback !== 'string' || callback.length > MAX_CALLBACK_URL_LENGTH || !/^https?:\/\/[^\s]+$/i.test(callback) || !URL.canParse(callback)) {
      // A value with an @ may hold a password in some reading of it: it is not echoed.
      const echo = typeof callback === 'string' ? (callback.includes('@') ? undefined : callback) : describeValue(callback)
      return refuse(`Must be an absolute http or https URL of at most ${MAX_CALLBACK_URL_LENGTH} characters.`, echo)
    }
    const url = new URL(callback)
    // The value is not echoed: it holds a password.
    if (url.username !== '' || url.password !== '') refuse('Must not contain credentials (user:password@).')
    const hosts = this.#options.callbackHosts
    const host = hostKey(url.hostname)
    if (hosts.length > 0 && !hosts.includes(host)) refuse(`Must point at one of the hosts CALLBACK_HOSTS allows: ${hosts.join(', ')}.`, callback)
  }

  #startSync (definition: Definition, principal: Principal, callbackUrl: string | undefined, now: number): Sync {
    const shaping = this.#shape({ parentId: definition.parentId, id: definition.id, site: principal.siteName, user: principal.loginName })
    const prepared = definition.kind.prepare?.(definition.body, this.#scope(definition.kind.entity, definition.parentId))
    const rows = snapshotRows(prepared)?.count ?? 0
    this.#makeRoomForExport(rows)
    const taken = this.#staging.take(definition)
    const sync = this.#syncs.start({
      syncedInstanceUri: definition.uri,
      definition,
      body: definition.body,
      callbackUrl,
      createdAt: now,
      createdBy: principal.loginName,
      site: principal.siteName,
      uploads: taken.uploads,
      recordCount: taken.recordCount,
      bytes: taken.bytes,
      charge: taken.charge,
      shaping,
      prepared
    }, definition.queueEndsAt)
    if (rows > 0) this.#runningExports.set(sync, rows)
    definition.queueEndsAt = sync.endAt
    this.#startWriting(sync)
    return sync
  }

  #process (sync: Sync): ReturnType<DefinitionKind['process']> {
    const { definition } = sync
    return definition.kind.process({
      syncId: sync.id,
      syncUri: sync.uri,
      body: sync.body,
      uploads: sync.uploads,
      endedAt: sync.endAt,
      prepared: sync.prepared,
      maxRejects: this.#options.maxRetainedRejects
    }, this.#scope(definition.kind.entity, definition.parentId))
  }
}

/** Uris are compared without case and without a trailing slash, as Eloqua reads paths. */
function uriKey (uri: string): string {
  return (uri.endsWith('/') ? uri.slice(0, -1) : uri).toLowerCase()
}

interface UploadDescription {
  format: UploadFormat
  recordCount: number
  bytes: number
  stagedAt: string
  stagedBy: string
  records?: unknown[]
  recordsTruncated?: boolean
}

/** An upload for `/__mock/state`, with at most `maxRecords` of its records when they are asked for. */
function describeUpload (upload: StagedUpload, withRecords: boolean, maxRecords: number): UploadDescription {
  const description: UploadDescription = {
    format: upload.format,
    recordCount: upload.recordCount,
    bytes: upload.bytes.length,
    stagedAt: eloquaTimestamp(upload.stagedAt),
    stagedBy: upload.stagedBy
  }
  if (!withRecords) return description
  const decoded = maxRecords > 0 ? decodeUpload(upload) as unknown : []
  const records = Array.isArray(decoded) ? decoded : [decoded]
  description.records = records.length > maxRecords ? records.slice(0, maxRecords) : records
  if (description.records.length < upload.recordCount) description.recordsTruncated = true
  return description
}

export type { Rejects }
