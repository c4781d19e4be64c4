/**
 * The in-memory state of one mock Eloqua instance: custom objects and their records, sync action
 * definitions with their staging areas, and syncs with their logs and rejects. Pure TypeScript:
 * it takes a clock and never sleeps; a sync's status is computed from its timestamps, and a sync
 * whose time is up is settled (processed) by the next call that looks.
 *
 * LIMITATIONS: all sites share this state; staged data never expires; only custom object sync
 * actions can be synced (no contact or account imports or exports).
 */
import { eloquaTimestamp, type Clock } from './clock.js'
import { conflict, forbidden, notFound, storageExceeded, validationError } from './errors.js'
import { mayUseCustomObject, type Principal } from './directory.js'
import { parseId, parseIdentifierStatement, readDefinitionInput, type DefinitionInput, type IdentifierKind } from './definitions.js'
import { decodeUpload, kilobytes, type StagedUpload, type UploadFormat } from './records.js'
import { processSync, summaryLine, type FinalStatus, type LogLine, type SyncReject } from './sync-engine.js'
import type { CustomObjectFixture, Fixtures, SyncAction } from '../schemas/fixtures.js'

export interface StoreOptions {
  /** Eloqua allows 500 uploads ("files") per definition between syncs; the next one is a 400. */
  readonly maxUploadsPerSync: number
  /** Staging space of the whole instance; an upload that would exceed it answers 413. */
  readonly stagingQuotaBytes: number
  /** Whether an upload to a definition whose sync is pending or active is kept for the next sync or answered 409. */
  readonly uploadsDuringSync: 'accept' | 'reject'
  readonly syncPendingMs: number
  readonly syncActiveMs: number
}

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

interface CustomObjectState { fixture: CustomObjectFixture, records: RecordState[] }

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
  readonly shaping: SyncShaping | undefined
  final: { status: FinalStatus, logs: LogLine[], rejects: SyncReject[] } | undefined
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
  #nextSyncId = 1
  #nextDefinitionId = 1
  #stagingBytes = 0
  /** Told about every sync as it ends (callbacks are sent from there). */
  onSyncEnded: (sync: Sync) => void = () => {}
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
    this.#customObjects = new Map(this.#fixtures.customObjects.map((c) => [c.id, {
      fixture: c,
      records: (c.records ?? []).map((r) => ({ ...structuredClone(r), destinations: {} }))
    }]))
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
    this.#nextSyncId = 1
    this.#nextDefinitionId = Math.max(0, ...this.#definitions.keys()) + 1
    this.#stagingBytes = 0
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
      sync.final = {
        status: 'error',
        logs: [
          { count: 0, severity: 'error', statusCode: 'ELQ-00143', message: `Sync Recovery Worker could not recover from sync error. SyncAction definition for id ${definition.id} has been deleted.` },
          summaryLine(sync.id, 'error')
        ],
        rejects: []
      }
    }
    this.#settle()
    this.#stagingBytes -= definition.stagedBytes
    this.#definitions.delete(definition.id)
  }

  definitionView (definition: SyncActionDefinition): object {
    return {
      name: definition.name,
      fields: definition.fields,
      identifierFieldName: definition.identifierFieldName,
      isSyncTriggeredOnImport: definition.isSyncTriggeredOnImport,
      syncActions: definition.syncActions,
      kbUsed: kilobytes(definition.stagedBytes + definition.syncingBytes),
      uri: definition.uri,
      createdBy: definition.createdBy,
      createdAt: eloquaTimestamp(definition.createdAt),
      updatedBy: definition.updatedBy,
      updatedAt: eloquaTimestamp(definition.updatedAt)
    }
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
    if (this.#stagingBytes + size > this.#options.stagingQuotaBytes) {
      throw storageExceeded(`staging ${size} bytes would exceed the staging quota of ${this.#options.stagingQuotaBytes} bytes`)
    }
    definition.staged.push({ ...upload, stagedAt: now, stagedBy: principal.loginName })
    definition.stagedBytes += size
    this.#stagingBytes += size
    return definition.isSyncTriggeredOnImport ? this.#startSync(definition, principal, undefined, now) : undefined
  }

  /** Empties a definition's staging area; refused with 409 while one of its syncs is pending or active (since 24B). */
  deleteStagedData (definition: SyncActionDefinition): void {
    this.#settle()
    if (definition.runningSyncs > 0) throw conflict(`a sync of ${definition.uri} is pending or active`)
    this.#stagingBytes -= definition.stagedBytes
    definition.staged = []
    definition.stagedBytes = 0
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
        ...(syncedInstanceUri === undefined ? {} : { value: String(syncedInstanceUri) }),
        constraint: 'Must be the uri of an existing custom object sync action definition, e.g. /customObjects/9/syncActions/6.'
      }])
    }
    if (!mayUseCustomObject(principal, definition.parentId)) throw forbidden(`user ${principal.loginName} may not use custom object ${definition.parentId}`)
    // Oracle's own example spells it callbackURL; the schema says callbackUrl. Empty means none.
    const callback = [callbackUrl, callbackURL].find((c) => c !== undefined && c !== null && c !== '')
    if (callback !== undefined && (typeof callback !== 'string' || !/^https?:\/\/[^\s]+$/i.test(callback) || !URL.canParse(callback))) {
      throw validationError([{ field: 'callbackUrl', value: String(callback), constraint: 'Must be an absolute http or https URL.' }])
    }
    if (definition.runningSyncs > 0) throw conflict(`a sync of ${definition.uri} is already pending or active`)
    return this.#startSync(definition, principal, callback, now)
  }

  /** Syncs of the custom objects the user may use. */
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

  syncRejects (sync: Sync): SyncReject[] {
    return sync.final?.rejects ?? []
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

  /** Everything the mock holds, for `/__mock/state`. */
  snapshot (options: { records: boolean }): object {
    this.#settle()
    return {
      now: eloquaTimestamp(this.#clock.now()),
      customObjects: [...this.#customObjects.values()].map(({ fixture, records }) => ({ id: fixture.id, name: fixture.name, uri: `/customObjects/${fixture.id}`, records })),
      syncActionDefinitions: [...this.#definitions.values()].map((d) => ({
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
          files: d.staged.map((u) => describeUpload(u, options.records))
        }
      })),
      syncs: [...this.#syncs.values()].map((s) => ({
        id: s.id,
        ...this.syncView(s),
        recordCount: s.recordCount,
        bytes: s.bytes,
        ...(s.shaping === undefined ? {} : { fault: s.shaping.ruleName }),
        files: s.uploads.map((u) => describeUpload(u, options.records)),
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
      syncingBytes: 0,
      runningSyncs: 0,
      queueEndsAt: 0
    }
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
      startAt,
      endAt: startAt + this.#options.syncActiveMs,
      identifierFieldName: definition.identifierFieldName,
      identifierKind: statement.kind,
      syncActions: structuredClone(definition.syncActions),
      uploads,
      recordCount: uploads.reduce((sum, u) => sum + u.recordCount, 0),
      bytes,
      shaping,
      final: undefined,
      callbackAttempts: []
    }
    definition.staged = []
    definition.stagedBytes = 0
    definition.syncingBytes += bytes
    definition.runningSyncs += 1
    definition.queueEndsAt = sync.endAt
    this.#syncs.set(id, sync)
    this.#running.add(sync)
    return sync
  }

  /** Ends every sync whose time is up, oldest first; returns the current time. */
  #settle (): number {
    const now = this.#clock.now()
    if (this.#running.size === 0) return now
    const due = [...this.#running].filter((s) => s.endAt <= now).sort((a, b) => a.endAt - b.endAt)
    for (const sync of due) {
      this.#running.delete(sync)
      sync.final ??= this.#process(sync)
      const definition = sync.definition
      definition.syncingBytes -= sync.bytes
      definition.runningSyncs -= 1
      this.#stagingBytes -= sync.bytes
      sync.uploads = []
      this.onSyncEnded(sync)
    }
    return now
  }

  #process (sync: Sync): NonNullable<Sync['final']> {
    if (sync.shaping?.status === 'error') {
      return {
        status: 'error',
        logs: [
          { count: 0, severity: 'error', statusCode: 'ELQ-00146', message: 'The sync failed because of a temporary error.' },
          summaryLine(sync.id, 'error')
        ],
        rejects: []
      }
    }
    const records = this.#customObjects.get(sync.definition.parentId)?.records ?? []
    const outcome = processSync({
      syncId: sync.id,
      identifierFieldName: sync.identifierFieldName,
      identifierKind: sync.identifierKind,
      syncActions: sync.syncActions,
      uploads: sync.uploads,
      records
    })
    const byId = new Map(records.map((r) => [r.id, r]))
    const updatedAt = eloquaTimestamp(sync.endAt)
    for (const { recordId, action } of outcome.effects) {
      const record = byId.get(recordId) as RecordState
      const destination = action.destination ?? ''
      const { status, member } = record.destinations[destination] ?? {}
      const change = action.action === 'setStatus' ? { status: action.status as string } : { member: action.action === 'add' }
      record.destinations[destination] = { ...(status === undefined ? {} : { status }), ...(member === undefined ? {} : { member }), ...change, syncUri: sync.uri, updatedAt }
    }
    if (sync.shaping?.status === 'warning' && outcome.status === 'success') {
      outcome.status = 'warning'
      outcome.logs.splice(-1, 1, summaryLine(sync.id, 'warning'))
    }
    return { status: outcome.status, logs: outcome.logs, rejects: outcome.rejects }
  }
}

function describeUpload (upload: StagedUpload, withRecords: boolean): object {
  const description = {
    format: upload.format,
    recordCount: upload.recordCount,
    bytes: upload.bytes.length,
    stagedAt: eloquaTimestamp(upload.stagedAt),
    stagedBy: upload.stagedBy
  }
  return withRecords ? { ...description, records: decodeUpload(upload) } : description
}

/** A custom object as `GET /customObjects/{id}` returns it. */
export function customObjectView (c: CustomObjectFixture): object {
  const fieldUri = (id: number | undefined): string | undefined => id === undefined ? undefined : `/customObjects/${c.id}/fields/${id}`
  return {
    name: c.name,
    displayNameFieldUri: fieldUri(c.displayNameFieldId),
    emailAddressFieldUri: fieldUri(c.emailAddressFieldId),
    uniqueFieldUri: fieldUri(c.uniqueFieldId),
    uri: `/customObjects/${c.id}`,
    createdBy: c.createdBy,
    createdAt: timestampOf(c.createdAt),
    updatedBy: c.updatedBy ?? c.createdBy,
    updatedAt: timestampOf(c.updatedAt ?? c.createdAt)
  }
}

function timestampOf (iso: string | undefined): string | undefined {
  return iso === undefined ? undefined : eloquaTimestamp(Date.parse(iso))
}

type FieldFixture = NonNullable<CustomObjectFixture['fields']>[number]

/** A custom object field as `GET /customObjects/{id}/fields` returns it. */
export function fieldView (c: CustomObjectFixture, f: FieldFixture): object {
  return {
    name: f.name,
    internalName: f.internalName ?? f.name.replace(/\W+/g, '_'),
    dataType: f.dataType ?? 'string',
    defaultValue: f.defaultValue,
    hasReadOnlyConstraint: f.hasReadOnlyConstraint ?? false,
    hasNotNullConstraint: f.hasNotNullConstraint ?? false,
    hasUniquenessConstraint: f.hasUniquenessConstraint ?? false,
    statement: `{{CustomObject[${c.id}].Field[${f.id}]}}`,
    uri: `/customObjects/${c.id}/fields/${f.id}`,
    // A field without its own audit data shares its custom object's.
    createdBy: f.createdBy ?? c.createdBy,
    createdAt: timestampOf(f.createdAt ?? c.createdAt),
    updatedBy: f.updatedBy ?? f.createdBy ?? c.updatedBy ?? c.createdBy,
    updatedAt: timestampOf(f.updatedAt ?? f.createdAt ?? c.updatedAt ?? c.createdAt)
  }
}
