/**
 * The in-memory state of one mock Eloqua instance: custom objects and their records, sync action
 * definitions with their staging areas, and syncs with their logs and rejects. Pure TypeScript:
 * it takes a clock and never sleeps; a sync's status is computed from its timestamps, and a sync
 * whose time is up is settled (processed) by the next call that looks.
 *
 * Every kind of data is bounded (see StoreOptions): staging by a byte quota in which each upload
 * counts at least UPLOAD_MIN_CHARGE bytes, definitions by count, running syncs by count, and ended
 * syncs with their logs and rejects by count, by retained rejects and by age, oldest dropped first.
 *
 * LIMITATIONS: all sites share this state; staged data never expires; only custom object sync
 * actions can be synced (no contact or account imports or exports).
 */
import { eloquaTimestamp, type Clock } from './clock.js'
import { conflict, describeValue, forbidden, notFound, storageExceeded, tooManyRequests, validationError } from './errors.js'
import { mayUseCustomObject, type Principal } from './directory.js'
import { parseId, parseIdentifierStatement, readDefinitionInput, type DefinitionInput, type IdentifierKind } from './definitions.js'
import { compactBytes, decodeUpload, kilobytes, type StagedUpload, type UploadFormat } from './records.js'
import { RejectList, processSync, summaryLine, type FinalStatus, type LogLine, type SyncReject } from './sync-engine.js'
import type { CustomObjectFixture, EntityFieldFixture, Fixtures, SyncAction } from '../schemas/fixtures.js'
import type { FieldEntity } from './views.js'

export interface StoreOptions {
  /** Eloqua allows 500 uploads ("files") per definition between syncs; the next one is a 400. */
  readonly maxUploadsPerSync: number
  /** Staging space of the whole instance; an upload that would exceed it answers 413. */
  readonly stagingQuotaBytes: number
  /** Whether an upload to a definition whose sync is pending or active is kept for the next sync or answered 409. */
  readonly uploadsDuringSync: 'accept' | 'reject'
  readonly syncPendingMs: number
  readonly syncActiveMs: number
  /** Definitions the instance holds, fixtures included; one more answers 400. */
  readonly maxDefinitions: number
  /** Ended syncs kept; also the most syncs that may be pending or active at once (then 429). */
  readonly maxRetainedSyncs: number
  /** Rejects kept over all ended syncs (and by any one sync). */
  readonly maxRetainedRejects: number
  /** How long an ended sync is kept, on the mock clock. */
  readonly syncRetentionMs: number
  /** Host names a callbackUrl may name; empty allows any. */
  readonly callbackHosts: readonly string[]
}

/** Every upload takes at least this much of the staging quota, as `kbUsed` counts whole kilobytes: tiny uploads cannot pile up unbounded. */
export const UPLOAD_MIN_CHARGE = 1024

const charge = (upload: { bytes: Buffer | string }): number => Math.max(upload.bytes.length, UPLOAD_MIN_CHARGE)

/** How a fault rule shapes a sync: its end, and the delivery of its callback. */
export interface SyncShaping {
  readonly ruleName: string
  readonly status?: 'error' | 'warning' | 'pending'
  readonly callback?: 'never' | 'twice' | 'late'
  readonly callbackDelayMs?: number
}

export type SyncShaper = (sync: { parentId: number, id: number, site: string, user: string }) => SyncShaping | undefined

export type SyncStatus = 'pending' | 'active' | FinalStatus

export interface DestinationState { status?: string, member?: boolean, syncUri: string, updatedAt: string }

export interface RecordState {
  id: number
  externalId?: string
  fieldValues?: Record<string, string>
  /** What sync actions did to this record, by destination. */
  destinations: Record<string, DestinationState>
}

type RecordFixture = NonNullable<CustomObjectFixture['records']>[number]

/** Fixture records are shared and never changed; what syncs did to them lives beside them, so a reset is cheap. */
interface CustomObjectState { fixture: CustomObjectFixture, outcomes: Map<number, Record<string, DestinationState>> }

export interface SyncActionDefinition extends DefinitionInput {
  readonly id: number
  readonly parentId: number
  readonly uri: string
  readonly createdAt: number
  readonly createdBy: string
  updatedAt: number
  updatedBy: string
  /** Uploads not yet taken by a sync. */
  staged: StagedUpload[]
  stagedBytes: number
  /** What the staged uploads take of the staging quota. */
  stagedCharge: number
  /** Bytes held by this definition's pending and active syncs; they count towards kbUsed until those end. */
  syncingBytes: number
  runningSyncs: number
  /** When this definition's last queued sync ends; a new sync starts no earlier. */
  queueEndsAt: number
}

export interface CallbackAttempt { at: string, url: string, statusCode?: number, error?: string, durationMs: number }

export interface Sync {
  readonly id: number
  readonly uri: string
  readonly syncedInstanceUri: string
  readonly definition: SyncActionDefinition
  readonly callbackUrl: string | undefined
  readonly createdAt: number
  readonly createdBy: string
  /** Site of the user who created it. */
  readonly site: string
  startAt: number
  endAt: number
  /** The definition as it was when the sync started. */
  readonly identifierFieldName: string
  readonly identifierKind: IdentifierKind
  readonly syncActions: readonly SyncAction[]
  /** The uploads this sync processes; released when it ends. */
  uploads: StagedUpload[]
  readonly recordCount: number
  readonly bytes: number
  /** What its uploads took of the staging quota until it ended. */
  readonly charge: number
  readonly shaping: SyncShaping | undefined
  final: { status: FinalStatus, logs: LogLine[], rejects: RejectList } | undefined
  readonly callbackAttempts: CallbackAttempt[]
}

/** The sync object as Eloqua returns it: absent timestamps are omitted, not null. */
export interface SyncView {
  syncedInstanceUri: string
  callbackUrl?: string
  syncStartedAt?: string
  syncEndedAt?: string
  status: SyncStatus
  createdAt: string
  createdBy: string
  uri: string
}

export interface NewUpload {
  readonly format: UploadFormat
  readonly bytes: Buffer
  readonly recordCount: number
}

const DEFINITION_URI = /^\/customObjects\/(\d+)\/syncActions\/(\d+)\/?$/i

export class Store {
  readonly #fixtures: Fixtures
  readonly #options: StoreOptions
  readonly #clock: Clock
  readonly #shape: SyncShaper
  #customObjects = new Map<number, CustomObjectState>()
  #definitions = new Map<number, SyncActionDefinition>()
  #syncs = new Map<number, Sync>()
  /** Syncs not yet ended, so settling costs nothing when none are due. */
  #running = new Set<Sync>()
  /** When the first running sync ends: until then settling has nothing to do. */
  #nextEndAt = Infinity
  /** Ended syncs, oldest first, for retention. */
  #ended: Sync[] = []
  /** When the oldest ended sync outlives SYNC_RETENTION_DAYS. */
  #nextExpiryAt = Infinity
  #retainedRejects = 0
  #nextSyncId = 1
  #nextDefinitionId = 1
  #stagingBytes = 0
  #stagingCharge = 0
  /** Told about every sync as it ends (callbacks are sent from there). */
  onSyncEnded: (sync: Sync) => void = () => {}
  /** Told when processing a sync threw; the sync has ended in `error` all the same. */
  onSyncFailed: (sync: Sync, error: unknown) => void = () => {}
  /** Told when the state goes back to the fixtures, so nothing of the old state goes out later. */
  onReset: () => void = () => {}

  constructor (fixtures: Fixtures, options: StoreOptions, clock: Clock, shape: SyncShaper = () => undefined) {
    this.#fixtures = fixtures
    this.#options = options
    this.#clock = clock
    this.#shape = shape
    this.reset()
  }

  /** Back to the state the fixtures describe. */
  reset (): void {
    const loadedAt = this.#clock.now()
    this.#customObjects = new Map(this.#fixtures.customObjects.map((c) => [c.id, { fixture: c, outcomes: new Map() }]))
    this.#definitions = new Map(this.#fixtures.syncActionDefinitions.map((d) => {
      const createdAt = d.createdAt === undefined ? loadedAt : Date.parse(d.createdAt)
      const definition = this.#newDefinition(d.id, d.parentId, {
        name: d.name,
        fields: { ...d.fields },
        identifierFieldName: d.identifierFieldName,
        isSyncTriggeredOnImport: d.isSyncTriggeredOnImport ?? false,
        syncActions: structuredClone(d.syncActions)
      }, createdAt, d.createdBy ?? 'API.User')
      definition.updatedAt = d.updatedAt === undefined ? createdAt : Date.parse(d.updatedAt)
      definition.updatedBy = d.updatedBy ?? definition.createdBy
      return [d.id, definition]
    }))
    this.#syncs = new Map()
    this.#running = new Set()
    this.#nextEndAt = Infinity
    this.#ended = []
    this.#nextExpiryAt = Infinity
    this.#retainedRejects = 0
    this.#nextSyncId = 1
    this.#nextDefinitionId = Math.max(0, ...this.#definitions.keys()) + 1
    this.#stagingBytes = 0
    this.#stagingCharge = 0
    this.onReset()
  }

  // Custom objects -----------------------------------------------------------------------------

  /** The custom object a path names: 404 when there is none, 403 when the user may not use it. */
  resolveCustomObject (principal: Principal, idSegment: string): CustomObjectFixture {
    const id = parseId(idSegment)
    const state = id === undefined ? undefined : this.#customObjects.get(id)
    if (id === undefined || state === undefined) throw notFound(`custom object ${idSegment} does not exist`)
    if (!mayUseCustomObject(principal, id)) throw forbidden(`user ${principal.loginName} may not use custom object ${id}`)
    return state.fixture
  }

  /** The contact or account fields of the fixtures. */
  entityFields (entity: FieldEntity): readonly EntityFieldFixture[] {
    return entity === 'contacts' ? this.#fixtures.contactFields : this.#fixtures.accountFields
  }

  /** Custom objects the user may use. */
  customObjects (principal: Principal): CustomObjectFixture[] {
    return [...this.#customObjects.values()].map((c) => c.fixture).filter((c) => mayUseCustomObject(principal, c.id))
  }

  // Definitions --------------------------------------------------------------------------------

  /**
   * The definition a path names, checked in the order a caller can see: the custom object exists
   * (404), the user may use it (403), the definition exists under it (404).
   */
  resolveSyncActionDefinition (principal: Principal, parentIdSegment: string, idSegment: string): SyncActionDefinition {
    const customObject = this.resolveCustomObject(principal, parentIdSegment)
    const id = parseId(idSegment)
    const definition = id === undefined ? undefined : this.#definitions.get(id)
    if (definition === undefined || definition.parentId !== customObject.id) {
      throw notFound(`custom object ${customObject.id} has no sync action definition ${idSegment}`)
    }
    return definition
  }

  /** Definitions of one custom object, or of every custom object the user may use. */
  syncActionDefinitions (principal: Principal, parentId?: number): SyncActionDefinition[] {
    return [...this.#definitions.values()].filter((d) => parentId === undefined ? mayUseCustomObject(principal, d.parentId) : d.parentId === parentId)
  }

  createSyncActionDefinition (principal: Principal, parentIdSegment: string, body: unknown): SyncActionDefinition {
    const customObject = this.resolveCustomObject(principal, parentIdSegment)
    const input = readDefinitionInput(body, customObject.id)
    if (this.#definitions.size >= this.#options.maxDefinitions) {
      throw validationError([{ field: 'definition', constraint: `Must not exceed ${this.#options.maxDefinitions} sync action definitions in this instance (MAX_DEFINITIONS); delete one first.` }])
    }
    const definition = this.#newDefinition(this.#nextDefinitionId++, customObject.id, input, this.#clock.now(), principal.loginName)
    this.#definitions.set(definition.id, definition)
    return definition
  }

  /** PUT is a full replacement of the writable fields (eloqua-reference §6.4). */
  replaceSyncActionDefinition (principal: Principal, definition: SyncActionDefinition, body: unknown): SyncActionDefinition {
    Object.assign(definition, readDefinitionInput(body, definition.parentId), { updatedAt: this.#clock.now(), updatedBy: principal.loginName })
    return definition
  }

  /** Deleting a definition ends its running syncs in `error` (ELQ-00143) and drops its staged data. */
  deleteSyncActionDefinition (definition: SyncActionDefinition): void {
    const now = this.#settle()
    for (const sync of [...this.#running].filter((s) => s.definition === definition)) {
      // A sync that had not started yet never will: it has no syncStartedAt.
      if (sync.startAt > now) sync.startAt = Infinity
      sync.endAt = now
      this.#nextEndAt = now
      sync.final = erroredSync(sync, 'ELQ-00143', `Sync Recovery Worker could not recover from sync error. SyncAction definition for id ${definition.id} has been deleted.`)
    }
    this.#settle()
    this.#stagingBytes -= definition.stagedBytes
    this.#stagingCharge -= definition.stagedCharge
    this.#definitions.delete(definition.id)
  }

  // Staged data --------------------------------------------------------------------------------

  /**
   * Adds one upload ("file") to a definition's staging area. Every check runs before anything
   * changes, so a refused upload leaves no trace. Returns the new sync when the definition
   * syncs on import.
   */
  stageUpload (definition: SyncActionDefinition, upload: NewUpload, principal: Principal): Sync | undefined {
    const now = this.#settle()
    if (definition.runningSyncs > 0 && this.#options.uploadsDuringSync === 'reject') {
      throw conflict(`a sync of ${definition.uri} is pending or active`)
    }
    if (definition.staged.length >= this.#options.maxUploadsPerSync) {
      throw validationError([{
        field: 'files',
        value: String(definition.staged.length + 1),
        constraint: `Must not exceed ${this.#options.maxUploadsPerSync} files per sync.`
      }])
    }
    const size = upload.bytes.length
    const cost = charge(upload)
    if (this.#stagingCharge + cost > this.#options.stagingQuotaBytes) {
      throw storageExceeded(`staging ${size} bytes would exceed the staging quota of ${this.#options.stagingQuotaBytes} bytes (each upload takes at least ${UPLOAD_MIN_CHARGE})`)
    }
    if (definition.isSyncTriggeredOnImport) this.#checkRunningLimit()
    definition.staged.push({ format: upload.format, bytes: compactBytes(upload.bytes), recordCount: upload.recordCount, stagedAt: now, stagedBy: principal.loginName })
    definition.stagedBytes += size
    definition.stagedCharge += cost
    this.#stagingBytes += size
    this.#stagingCharge += cost
    return definition.isSyncTriggeredOnImport ? this.#startSync(definition, principal, undefined, now) : undefined
  }

  /** Empties a definition's staging area; refused with 409 while one of its syncs is pending or active (since 24B). */
  deleteStagedData (definition: SyncActionDefinition): void {
    this.#settle()
    if (definition.runningSyncs > 0) throw conflict(`a sync of ${definition.uri} is pending or active`)
    this.#stagingBytes -= definition.stagedBytes
    this.#stagingCharge -= definition.stagedCharge
    definition.staged = []
    definition.stagedBytes = 0
    definition.stagedCharge = 0
  }

  // Syncs --------------------------------------------------------------------------------------

  /** `POST /syncs`: `syncedInstanceUri` must name a definition the user may use, with no sync pending or active. */
  createSync (principal: Principal, body: unknown): Sync {
    const now = this.#settle()
    const { syncedInstanceUri, callbackUrl, callbackURL } = (body !== null && typeof body === 'object' ? body : {}) as Record<string, unknown>
    const match = typeof syncedInstanceUri === 'string' ? DEFINITION_URI.exec(syncedInstanceUri) : null
    const definition = match === null ? undefined : this.#definitions.get(Number(match[2]))
    if (match === null || definition === undefined || definition.parentId !== Number(match[1])) {
      throw validationError([{
        field: 'syncedInstanceUri',
        ...(syncedInstanceUri === undefined ? {} : { value: describeValue(syncedInstanceUri) }),
        constraint: 'Must be the uri of an existing custom object sync action definition, e.g. /customObjects/9/syncActions/6.'
      }])
    }
    if (!mayUseCustomObject(principal, definition.parentId)) throw forbidden(`user ${principal.loginName} may not use custom object ${definition.parentId}`)
    // Oracle's own example spells it callbackURL; the schema says callbackUrl. Empty means none.
    const callback = [callbackUrl, callbackURL].find((c) => c !== undefined && c !== null && c !== '')
    if (callback !== undefined) this.#checkCallbackUrl(callback)
    if (definition.runningSyncs > 0) throw conflict(`a sync of ${definition.uri} is already pending or active`)
    this.#checkRunningLimit()
    return this.#startSync(definition, principal, callback as string | undefined, now)
  }

  /** Syncs of the custom objects the user may use, oldest first. */
  syncs (principal: Principal): Sync[] {
    this.#settle()
    return [...this.#syncs.values()].filter((s) => mayUseCustomObject(principal, s.definition.parentId))
  }

  /** A sync: 404 when there is none, 403 when it syncs a custom object the user may not use. */
  getSync (principal: Principal, idSegment: string): Sync {
    this.#settle()
    const id = parseId(idSegment)
    const sync = id === undefined ? undefined : this.#syncs.get(id)
    if (sync === undefined) throw notFound(`sync ${idSegment} does not exist`)
    if (!mayUseCustomObject(principal, sync.definition.parentId)) throw forbidden(`user ${principal.loginName} may not use custom object ${sync.definition.parentId}`)
    return sync
  }

  /** Built key by key in Eloqua's order, so it reads the same wherever it is serialized (callbacks too). */
  syncView (sync: Sync): SyncView {
    const now = this.#settle()
    const started = now >= sync.startAt
    const ended = now >= sync.endAt && sync.final !== undefined
    const view: Partial<SyncView> = { syncedInstanceUri: sync.syncedInstanceUri }
    if (sync.callbackUrl !== undefined) view.callbackUrl = sync.callbackUrl
    if (started) view.syncStartedAt = eloquaTimestamp(sync.startAt)
    if (ended) view.syncEndedAt = eloquaTimestamp(sync.endAt)
    view.status = ended ? (sync.final as NonNullable<Sync['final']>).status : started ? 'active' : 'pending'
    view.createdAt = eloquaTimestamp(sync.createdAt)
    view.createdBy = sync.createdBy
    view.uri = sync.uri
    return view as SyncView
  }

  /** Log lines of an ended sync, in Eloqua's shape; none while it runs. */
  syncLogs (sync: Sync): object[] {
    if (sync.final === undefined) return []
    const createdAt = eloquaTimestamp(sync.endAt)
    return sync.final.logs.map((line) => ({ syncUri: sync.uri, count: line.count, severity: line.severity, statusCode: line.statusCode, message: line.message, createdAt }))
  }

  /** Rejected records of an ended sync, built one by one as a page reads them. */
  syncRejects (sync: Sync): { length: number, at: (i: number) => SyncReject | undefined } {
    return sync.final?.rejects ?? new RejectList(sync.identifierFieldName, 0)
  }

  recordCallbackAttempt (sync: Sync, attempt: CallbackAttempt): void {
    sync.callbackAttempts.push(attempt)
  }

  /** Ends every sync whose time is up; the sync engine's timer calls it so callbacks go out on time. */
  tick (): void {
    this.#settle()
  }

  get hasRunningSyncs (): boolean {
    return this.#running.size > 0
  }

  /** What each bounded kind of data uses, against its bound, for `/__mock/state`. */
  usage (): object {
    this.#settle()
    return {
      stagingBytes: this.#stagingBytes,
      stagingQuotaUsedBytes: this.#stagingCharge,
      stagingQuotaBytes: this.#options.stagingQuotaBytes,
      definitions: this.#definitions.size,
      maxDefinitions: this.#options.maxDefinitions,
      runningSyncs: this.#running.size,
      retainedSyncs: this.#ended.length,
      maxRetainedSyncs: this.#options.maxRetainedSyncs,
      retainedRejects: this.#retainedRejects,
      maxRetainedRejects: this.#options.maxRetainedRejects
    }
  }

  /**
   * What the mock holds, for `/__mock/state`, narrowed to one custom object, definition, sync or
   * site when asked. Staged records are decoded for at most `maxRecords` records in all, so the
   * answer stays small however much is staged.
   */
  snapshot (options: SnapshotOptions): object {
    this.#settle()
    const { customObject, definition, sync, site } = options
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
    const definitions = [...this.#definitions.values()].filter((d) =>
      (definition === undefined || d.id === definition) && (customObject === undefined || d.parentId === customObject))
    const syncs = [...this.#syncs.values()].filter((s) =>
      (sync === undefined || s.id === sync) &&
      (definition === undefined || s.definition.id === definition) &&
      (customObject === undefined || s.definition.parentId === customObject) &&
      (site === undefined || s.site.toLowerCase() === site.toLowerCase()))
    return {
      now: eloquaTimestamp(this.#clock.now()),
      customObjects: [...this.#customObjects.values()]
        .filter(({ fixture }) => customObject === undefined || fixture.id === customObject)
        .map(({ fixture, outcomes }) => ({
          id: fixture.id,
          name: fixture.name,
          uri: `/customObjects/${fixture.id}`,
          records: (fixture.records ?? []).map((r: RecordFixture): RecordState => ({ ...r, destinations: outcomes.get(r.id) ?? {} }))
        })),
      syncActionDefinitions: definitions.map((d) => ({
        id: d.id,
        parentId: d.parentId,
        uri: d.uri,
        name: d.name,
        identifierFieldName: d.identifierFieldName,
        isSyncTriggeredOnImport: d.isSyncTriggeredOnImport,
        kbUsed: kilobytes(d.stagedBytes + d.syncingBytes),
        staged: {
          uploads: d.staged.length,
          records: d.staged.reduce((sum, u) => sum + u.recordCount, 0),
          bytes: d.stagedBytes,
          ...files(d.staged)
        }
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
      stagingBytes: this.#stagingBytes
    }
  }

  #newDefinition (id: number, parentId: number, input: DefinitionInput, createdAt: number, createdBy: string): SyncActionDefinition {
    return {
      ...input,
      id,
      parentId,
      uri: `/customObjects/${parentId}/syncActions/${id}`,
      createdAt,
      createdBy,
      updatedAt: createdAt,
      updatedBy: createdBy,
      staged: [],
      stagedBytes: 0,
      stagedCharge: 0,
      syncingBytes: 0,
      runningSyncs: 0,
      queueEndsAt: 0
    }
  }

  /** A sync more would exceed MAX_RETAINED_SYNCS running at once: 429, as Eloqua's platform-wide limit answers. */
  #checkRunningLimit (): void {
    if (this.#running.size >= this.#options.maxRetainedSyncs) {
      throw tooManyRequests(`${this.#running.size} syncs are pending or active, the most MAX_RETAINED_SYNCS allows; wait for some to end`)
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

  #startSync (definition: SyncActionDefinition, principal: Principal, callbackUrl: string | undefined, now: number): Sync {
    const uploads = definition.staged
    const bytes = definition.stagedBytes
    const shaping = this.#shape({ parentId: definition.parentId, id: definition.id, site: principal.siteName, user: principal.loginName })
    const startAt = shaping?.status === 'pending' ? Infinity : Math.max(now + this.#options.syncPendingMs, definition.queueEndsAt)
    const id = this.#nextSyncId++
    // Fixtures and the API accept only the two identifier statements, so this parses.
    const statement = parseIdentifierStatement(Object.values(definition.fields)[0] as string) as { kind: IdentifierKind }
    const sync: Sync = {
      id,
      uri: `/syncs/${id}`,
      syncedInstanceUri: definition.uri,
      definition,
      callbackUrl,
      createdAt: now,
      createdBy: principal.loginName,
      site: principal.siteName,
      startAt,
      endAt: startAt + this.#options.syncActiveMs,
      identifierFieldName: definition.identifierFieldName,
      identifierKind: statement.kind,
      syncActions: structuredClone(definition.syncActions),
      uploads,
      recordCount: uploads.reduce((sum, u) => sum + u.recordCount, 0),
      bytes,
      charge: definition.stagedCharge,
      shaping,
      final: undefined,
      callbackAttempts: []
    }
    definition.staged = []
    definition.stagedBytes = 0
    definition.stagedCharge = 0
    definition.syncingBytes += bytes
    definition.runningSyncs += 1
    definition.queueEndsAt = sync.endAt
    this.#syncs.set(id, sync)
    this.#running.add(sync)
    this.#nextEndAt = Math.min(this.#nextEndAt, sync.endAt)
    return sync
  }

  /** Ends every sync whose time is up, oldest first, then drops what retention no longer keeps; returns the current time. */
  #settle (): number {
    const now = this.#clock.now()
    if (now < this.#nextEndAt && now < this.#nextExpiryAt) return now
    const due = [...this.#running].filter((s) => s.endAt <= now).sort((a, b) => a.endAt - b.endAt)
    for (const sync of due) {
      this.#running.delete(sync)
      if (sync.final === undefined) {
        try {
          sync.final = this.#process(sync)
        } catch (err) {
          // A sync whose processing fails ends in error like any other; the mock carries on.
          sync.final = erroredSync(sync, 'ELQ-00107', 'There was an error processing the sync.')
          this.onSyncFailed(sync, err)
        }
      }
      const definition = sync.definition
      definition.syncingBytes -= sync.bytes
      definition.runningSyncs -= 1
      this.#stagingBytes -= sync.bytes
      this.#stagingCharge -= sync.charge
      sync.uploads = []
      this.#ended.push(sync)
      this.#retainedRejects += sync.final.rejects.length
      this.onSyncEnded(sync)
    }
    this.#nextEndAt = Infinity
    for (const sync of this.#running) if (sync.endAt < this.#nextEndAt) this.#nextEndAt = sync.endAt
    this.#retire(now)
    return now
  }

  /** Drops the oldest ended syncs while there are too many, they hold too many rejects, or they are too old. */
  #retire (now: number): void {
    const { maxRetainedSyncs, maxRetainedRejects, syncRetentionMs } = this.#options
    let drop = 0
    let rejects = this.#retainedRejects
    while (drop < this.#ended.length) {
      const oldest = this.#ended[drop] as Sync
      if (this.#ended.length - drop <= maxRetainedSyncs && rejects <= maxRetainedRejects && oldest.endAt >= now - syncRetentionMs) break
      rejects -= (oldest.final as NonNullable<Sync['final']>).rejects.length
      this.#syncs.delete(oldest.id)
      drop++
    }
    if (drop > 0) this.#ended.splice(0, drop)
    this.#retainedRejects = rejects
    const oldest = this.#ended[0]
    this.#nextExpiryAt = oldest === undefined ? Infinity : oldest.endAt + syncRetentionMs
  }

  #process (sync: Sync): NonNullable<Sync['final']> {
    if (sync.shaping?.status === 'error') return erroredSync(sync, 'ELQ-00146', 'The sync failed because of a temporary error.')
    const state = this.#customObjects.get(sync.definition.parentId)
    const records = state?.fixture.records ?? []
    const outcome = processSync({
      syncId: sync.id,
      identifierFieldName: sync.identifierFieldName,
      identifierKind: sync.identifierKind,
      syncActions: sync.syncActions,
      uploads: sync.uploads,
      records,
      maxRejects: this.#options.maxRetainedRejects
    })
    const updatedAt = eloquaTimestamp(sync.endAt)
    for (const { recordId, action } of outcome.effects) {
      const outcomes = (state as CustomObjectState).outcomes
      const destinations = outcomes.get(recordId) ?? {}
      outcomes.set(recordId, destinations)
      const destination = action.destination ?? ''
      const { status, member } = destinations[destination] ?? {}
      const change = action.action === 'setStatus' ? { status: action.status as string } : { member: action.action === 'add' }
      destinations[destination] = { ...(status === undefined ? {} : { status }), ...(member === undefined ? {} : { member }), ...change, syncUri: sync.uri, updatedAt }
    }
    if (sync.shaping?.status === 'warning' && outcome.status === 'success') {
      outcome.status = 'warning'
      outcome.logs.splice(-1, 1, summaryLine(sync.id, 'warning'))
    }
    return { status: outcome.status, logs: outcome.logs, rejects: outcome.rejects }
  }
}

const MAX_CALLBACK_URL_LENGTH = 2048

/** A host name as callback hosts are compared: trimmed, lower-case, IPv6 without brackets. */
export function hostKey (host: string): string {
  return host.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1')
}
/** Files listed per definition or sync in `/__mock/state`; the counts still cover them all. */
export const MAX_STATE_FILES = 100
/** Larger files are listed in `/__mock/state` without their records: decoding them would take seconds. */
export const MAX_STATE_DECODE_BYTES = 4 * 1024 * 1024

export interface SnapshotOptions {
  records: boolean
  /** Staged records decoded at most, over the whole answer; default 1000. */
  maxRecords?: number
  customObject?: number | undefined
  definition?: number | undefined
  sync?: number | undefined
  site?: string | undefined
}

/** The end of a sync that ends in error without processing a record: one error line, then the summary. */
function erroredSync (sync: Sync, statusCode: string, message: string): NonNullable<Sync['final']> {
  return {
    status: 'error',
    logs: [{ count: 0, severity: 'error', statusCode, message }, summaryLine(sync.id, 'error')],
    rejects: new RejectList(sync.identifierFieldName, 0)
  }
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
  const records = maxRecords > 0 ? decodeUpload(upload) : []
  description.records = records.length > maxRecords ? records.slice(0, maxRecords) : records
  if (description.records.length < upload.recordCount) description.recordsTruncated = true
  return description
}
