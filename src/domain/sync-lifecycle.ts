/**
 * The syncs of one site on the mock clock: a sync is pending for SYNC_PENDING_MS, active for
 * SYNC_ACTIVE_MS, then ends; a sync whose time is up is settled (processed) by the next call that
 * looks, oldest first. Ended syncs are kept by count, by retained rejects and by age, oldest
 * dropped first. Pure TypeScript: it takes a clock and never sleeps.
 */
import { eloquaTimestamp, type Clock } from './clock.js'
import { summaryLine, RejectList, type FinalStatus, type LogLine, type Rejects } from './sync-engine.js'
import type { StagedUpload } from './records.js'
import type { StagingArea } from './staging.js'
import type { Definition } from './kinds/kind.js'
import type { ExportData } from './kinds/exports.js'

/** How a fault rule shapes a sync: its end, and the delivery of its callback. */
export interface SyncShaping {
  readonly ruleName: string
  readonly status?: 'error' | 'warning' | 'pending'
  readonly callback?: 'never' | 'twice' | 'late'
  readonly callbackDelayMs?: number
}

export type SyncShaper = (sync: { parentId: number | undefined, id: number, site: string, user: string }) => SyncShaping | undefined

export type SyncStatus = 'pending' | 'active' | FinalStatus

export interface CallbackAttempt { at: string, url: string, statusCode?: number, error?: string, durationMs: number }

export interface SyncFinal {
  status: FinalStatus
  logs: LogLine[]
  rejects: Rejects
  /** What an export sync exported, until it is deleted or expires. */
  data?: ExportData | undefined
}

export interface Sync {
  readonly id: number
  readonly uri: string
  readonly syncedInstanceUri: string
  readonly definition: Definition
  /** The definition's body as it was when the sync started. */
  readonly body: Definition['body']
  readonly callbackUrl: string | undefined
  readonly createdAt: number
  readonly createdBy: string
  /** Site of the user who created it. */
  readonly site: string
  startAt: number
  endAt: number
  /** The uploads this sync processes; released when it ends. */
  uploads: StagedUpload[]
  readonly recordCount: number
  readonly bytes: number
  /** What its uploads took of the staging quota until it ended. */
  readonly charge: number
  readonly shaping: SyncShaping | undefined
  /** What the definition's kind took when the sync was created (an export's rows). */
  prepared: unknown
  final: SyncFinal | undefined
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

export interface SyncLifecycleOptions {
  readonly syncPendingMs: number
  readonly syncActiveMs: number
  /** Ended syncs kept; also the most syncs that may be pending or active at once (then 429). */
  readonly maxRetainedSyncs: number
  /** Rejects kept over all ended syncs (and by any one sync). */
  readonly maxRetainedRejects: number
  /** How long an ended sync is kept, on the mock clock. */
  readonly syncRetentionMs: number
}

export interface SyncHooks {
  /** Processes a sync whose time is up; a throw ends it in `error` (ELQ-00107). */
  process: (sync: Sync) => SyncFinal
  /** What leaves staging when a sync ends. */
  release: (area: StagingArea, sync: Sync) => void
  ended: (sync: Sync) => void
  failed: (sync: Sync, error: unknown) => void
  /** Whether a sync whose time is up may end; one that may not (its export rows are still being written) is looked at again on the next settle. */
  ready: (sync: Sync) => boolean
  /** Told about each ended sync retention drops. */
  retired: (sync: Sync) => void
}

export class SyncLifecycle {
  readonly #options: SyncLifecycleOptions
  readonly #clock: Clock
  readonly #hooks: SyncHooks
  readonly #syncs = new Map<number, Sync>()
  /** Syncs whose time came before they were ready (see SyncHooks.ready). */
  readonly #heldBack = new WeakSet<Sync>()
  /** Syncs not yet ended, so settling costs nothing when none are due. */
  readonly #running = new Set<Sync>()
  /** When the first running sync ends: until then settling has nothing to do. */
  #nextEndAt = Infinity
  /** Ended syncs, oldest first, for retention. */
  #ended: Sync[] = []
  /** When the oldest ended sync outlives SYNC_RETENTION_DAYS. */
  #nextExpiryAt = Infinity
  #retainedRejects = 0
  #nextId = 1

  constructor (options: SyncLifecycleOptions, clock: Clock, hooks: SyncHooks) {
    this.#options = options
    this.#clock = clock
    this.#hooks = hooks
  }

  get runningCount (): number {
    return this.#running.size
  }

  get retainedCount (): number {
    return this.#ended.length
  }

  get retainedRejects (): number {
    return this.#retainedRejects
  }

  /** A sync by id, after settling. */
  get (id: number): Sync | undefined {
    this.settle()
    return this.#syncs.get(id)
  }

  all (): Sync[] {
    this.settle()
    return [...this.#syncs.values()]
  }

  running (): Sync[] {
    return [...this.#running]
  }

  /** Queues a sync of what a definition has staged: it starts after SYNC_PENDING_MS and after the definition's previous sync ends. */
  start (fields: Omit<Sync, 'id' | 'uri' | 'startAt' | 'endAt' | 'final' | 'callbackAttempts'>, queueEndsAt: number): Sync {
    const startAt = fields.shaping?.status === 'pending' ? Infinity : Math.max(fields.createdAt + this.#options.syncPendingMs, queueEndsAt)
    const id = this.#nextId++
    const sync: Sync = { ...fields, id, uri: `/syncs/${id}`, startAt, endAt: startAt + this.#options.syncActiveMs, final: undefined, callbackAttempts: [] }
    this.#syncs.set(id, sync)
    this.#running.add(sync)
    this.#nextEndAt = Math.min(this.#nextEndAt, sync.endAt)
    return sync
  }

  /** Ends a running sync now in `error`, e.g. because its definition was deleted (ELQ-00143). */
  abort (sync: Sync, statusCode: string, message: string): void {
    const now = this.#clock.now()
    // A sync that had not started yet never will: it has no syncStartedAt.
    if (sync.startAt > now) sync.startAt = Infinity
    sync.endAt = now
    this.#nextEndAt = now
    sync.final = erroredSync(sync, statusCode, message)
  }

  /** Ends every sync whose time is up, oldest first, then drops what retention no longer keeps; returns the current time. */
  settle (): number {
    const now = this.#clock.now()
    if (now < this.#nextEndAt && now < this.#nextExpiryAt) return now
    const due = [...this.#running].filter((s) => {
      if (s.endAt > now || s.final !== undefined || this.#hooks.ready(s)) return s.endAt <= now
      this.#heldBack.add(s)
      return false
    }).sort((a, b) => a.endAt - b.endAt)
    for (const sync of due) {
      this.#running.delete(sync)
      // A sync held back past its time ends when it is ready, and says so.
      if (this.#heldBack.delete(sync)) sync.endAt = now
      if (sync.final === undefined) {
        try {
          sync.final = this.#hooks.process(sync)
        } catch (err) {
          // A sync whose processing fails ends in error like any other; the mock carries on.
          sync.final = erroredSync(sync, 'ELQ-00107', 'There was an error processing the sync.')
          this.#hooks.failed(sync, err)
        }
      }
      this.#hooks.release(sync.definition, sync)
      sync.uploads = []
      sync.prepared = undefined
      this.#ended.push(sync)
      this.#retainedRejects += sync.final.rejects.weight
      this.#hooks.ended(sync)
    }
    this.#nextEndAt = Infinity
    for (const sync of this.#running) if (sync.endAt < this.#nextEndAt) this.#nextEndAt = sync.endAt
    this.#retire(now)
    return now
  }

  /** Built key by key in Eloqua's order, so it reads the same wherever it is serialized (callbacks too). */
  view (sync: Sync): SyncView {
    const now = this.settle()
    const started = now >= sync.startAt
    const ended = now >= sync.endAt && sync.final !== undefined
    const view: Partial<SyncView> = { syncedInstanceUri: sync.syncedInstanceUri }
    if (sync.callbackUrl !== undefined) view.callbackUrl = sync.callbackUrl
    if (started) view.syncStartedAt = eloquaTimestamp(sync.startAt)
    if (ended) view.syncEndedAt = eloquaTimestamp(sync.endAt)
    view.status = ended ? (sync.final as SyncFinal).status : started ? 'active' : 'pending'
    view.createdAt = eloquaTimestamp(sync.createdAt)
    view.createdBy = sync.createdBy
    view.uri = sync.uri
    return view as SyncView
  }

  /** Drops the oldest ended syncs while there are too many, they hold too many rejects, or they are too old. */
  #retire (now: number): void {
    const { maxRetainedSyncs, maxRetainedRejects, syncRetentionMs } = this.#options
    let drop = 0
    let rejects = this.#retainedRejects
    while (drop < this.#ended.length) {
      const oldest = this.#ended[drop] as Sync
      if (this.#ended.length - drop <= maxRetainedSyncs && rejects <= maxRetainedRejects && oldest.endAt >= now - syncRetentionMs) break
      rejects -= (oldest.final as SyncFinal).rejects.weight
      this.#syncs.delete(oldest.id)
      this.#hooks.retired(oldest)
      drop++
    }
    if (drop > 0) this.#ended.splice(0, drop)
    this.#retainedRejects = rejects
    const oldest = this.#ended[0]
    this.#nextExpiryAt = oldest === undefined ? Infinity : oldest.endAt + syncRetentionMs
  }
}

/** The end of a sync that ends in error without processing a record: one error line, then the summary. */
export function erroredSync (sync: Sync, statusCode: string, message: string): SyncFinal {
  return {
    status: 'error',
    logs: [{ count: 0, severity: 'error', statusCode, message }, summaryLine(sync.id, 'error')],
    rejects: new RejectList(sync.body.identifierFieldName, 0)
  }
}
