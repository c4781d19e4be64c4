/**
 * The in-memory state of one mock Eloqua instance: custom objects, sync action definitions with
 * their staging areas, and syncs. Pure TypeScript: it takes a clock and never sleeps; a sync's
 * status is computed from its timestamps when read.
 *
 * LIMITATIONS: all sites share this state; a sync ends in `success` once its time is up (the
 * record-level outcome is not simulated); staged data is never expired.
 */
import { eloquaTimestamp, type Clock } from './clock.js'
import { conflict, forbidden, notFound, storageExceeded, validationError } from './errors.js'
import { mayUseCustomObject, type Principal } from './directory.js'
import { parseId } from './definitions.js'
import { decodeUpload, kilobytes, type StagedUpload, type UploadFormat } from './records.js'
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

export type SyncStatus = 'pending' | 'active' | 'success' | 'warning' | 'error'

export interface SyncActionDefinition {
  readonly id: number
  readonly parentId: number
  readonly uri: string
  name: string
  fields: Record<string, string>
  identifierFieldName: string
  isSyncTriggeredOnImport: boolean
  syncActions: SyncAction[]
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

export interface Sync {
  readonly id: number
  readonly uri: string
  readonly syncedInstanceUri: string
  readonly definitionId: number
  readonly createdAt: number
  readonly createdBy: string
  readonly startAt: number
  readonly endAt: number
  /** The uploads this sync processes; released when it ends. */
  uploads: StagedUpload[]
  readonly recordCount: number
  readonly bytes: number
  finalStatus: 'success' | 'warning' | 'error' | undefined
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

export class Store {
  readonly #fixtures: Fixtures
  readonly #options: StoreOptions
  readonly #clock: Clock
  #customObjects = new Map<number, CustomObjectFixture>()
  #definitions = new Map<number, SyncActionDefinition>()
  #syncs = new Map<number, Sync>()
  /** Syncs not yet ended, so settling costs nothing when none are due. */
  #running = new Set<Sync>()
  #nextSyncId = 1
  #stagingBytes = 0

  constructor (fixtures: Fixtures, options: StoreOptions, clock: Clock) {
    this.#fixtures = fixtures
    this.#options = options
    this.#clock = clock
    this.reset()
  }

  /** Back to the state the fixtures describe. */
  reset (): void {
    const loadedAt = this.#clock.now()
    this.#customObjects = new Map(this.#fixtures.customObjects.map((c) => [c.id, c]))
    this.#definitions = new Map(this.#fixtures.syncActionDefinitions.map((d) => {
      const createdAt = d.createdAt === undefined ? loadedAt : Date.parse(d.createdAt)
      const definition: SyncActionDefinition = {
        id: d.id,
        parentId: d.parentId,
        uri: `/customObjects/${d.parentId}/syncActions/${d.id}`,
        name: d.name,
        fields: { ...d.fields },
        identifierFieldName: d.identifierFieldName,
        isSyncTriggeredOnImport: d.isSyncTriggeredOnImport ?? false,
        syncActions: structuredClone(d.syncActions),
        createdAt,
        createdBy: d.createdBy ?? 'API.User',
        updatedAt: d.updatedAt === undefined ? createdAt : Date.parse(d.updatedAt),
        updatedBy: d.updatedBy ?? d.createdBy ?? 'API.User',
        staged: [],
        stagedBytes: 0,
        syncingBytes: 0,
        runningSyncs: 0,
        queueEndsAt: 0
      }
      return [d.id, definition]
    }))
    this.#syncs = new Map()
    this.#running = new Set()
    this.#nextSyncId = 1
    this.#stagingBytes = 0
  }

  /**
   * The definition a path names, checked in the order a caller can see: the custom object exists
   * (404), the user may use it (403), the definition exists under it (404).
   */
  resolveSyncActionDefinition (principal: Principal, parentIdSegment: string, idSegment: string): SyncActionDefinition {
    const parentId = parseId(parentIdSegment)
    const customObject = parentId === undefined ? undefined : this.#customObjects.get(parentId)
    if (parentId === undefined || customObject === undefined) throw notFound(`custom object ${parentIdSegment} does not exist`)
    if (!mayUseCustomObject(principal, parentId)) throw forbidden(`user ${principal.loginName} may not use custom object ${parentId}`)
    const id = parseId(idSegment)
    const definition = id === undefined ? undefined : this.#definitions.get(id)
    if (definition === undefined || definition.parentId !== parentId) {
      throw notFound(`custom object ${parentId} has no sync action definition ${idSegment}`)
    }
    return definition
  }

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
    return definition.isSyncTriggeredOnImport ? this.#startSync(definition, principal, now) : undefined
  }

  getSync (idSegment: string): Sync {
    this.#settle()
    const id = parseId(idSegment)
    const sync = id === undefined ? undefined : this.#syncs.get(id)
    if (sync === undefined) throw notFound(`sync ${idSegment} does not exist`)
    return sync
  }

  syncView (sync: Sync): SyncView {
    const now = this.#clock.now()
    const view: SyncView = { syncedInstanceUri: sync.syncedInstanceUri, status: 'pending', createdAt: eloquaTimestamp(sync.createdAt), createdBy: sync.createdBy, uri: sync.uri }
    if (now >= sync.startAt) {
      view.syncStartedAt = eloquaTimestamp(sync.startAt)
      view.status = 'active'
    }
    if (now >= sync.endAt) {
      view.syncEndedAt = eloquaTimestamp(sync.endAt)
      view.status = sync.finalStatus ?? 'success'
    }
    return view
  }

  /** Everything the mock holds, for `/__mock/state`. */
  snapshot (options: { records: boolean }): object {
    this.#settle()
    return {
      customObjects: [...this.#customObjects.values()].map((c) => ({ id: c.id, name: c.name, uri: `/customObjects/${c.id}`, records: c.records ?? [] })),
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
        files: s.uploads.map((u) => describeUpload(u, options.records))
      })),
      stagingBytes: this.#stagingBytes
    }
  }

  #startSync (definition: SyncActionDefinition, principal: Principal, now: number): Sync {
    const uploads = definition.staged
    const bytes = definition.stagedBytes
    const startAt = Math.max(now + this.#options.syncPendingMs, definition.queueEndsAt)
    const id = this.#nextSyncId++
    const sync: Sync = {
      id,
      uri: `/syncs/${id}`,
      syncedInstanceUri: definition.uri,
      definitionId: definition.id,
      createdAt: now,
      createdBy: principal.loginName,
      startAt,
      endAt: startAt + this.#options.syncActiveMs,
      uploads,
      recordCount: uploads.reduce((sum, u) => sum + u.recordCount, 0),
      bytes,
      finalStatus: undefined
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
      sync.finalStatus = 'success'
      const definition = this.#definitions.get(sync.definitionId)
      if (definition !== undefined) {
        definition.syncingBytes -= sync.bytes
        definition.runningSyncs -= 1
      }
      this.#stagingBytes -= sync.bytes
      sync.uploads = []
    }
    return now
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
