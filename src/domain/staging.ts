/**
 * The staging area of one site: the uploads ("files") every definition holds until a sync takes
 * them, against one byte quota in which each upload counts at least UPLOAD_MIN_CHARGE bytes.
 * Every check runs before anything changes, so a refused upload leaves no trace.
 */
import { conflict, storageExceeded, validationError } from './errors.js'
import { compactBytes, kilobytes, type BytePieces, type StagedUpload, type UploadFormat } from './records.js'

/** Every upload takes at least this much of the staging quota, as `kbUsed` counts whole kilobytes: tiny uploads cannot pile up unbounded. */
export const UPLOAD_MIN_CHARGE = 1024

const charge = (upload: { bytes: { length: number } }): number => Math.max(upload.bytes.length, UPLOAD_MIN_CHARGE)

export interface NewUpload {
  readonly format: UploadFormat
  /** The bytes as sent; a string holds one byte a character (latin1), the form a small upload is kept in (compactBytes). */
  readonly bytes: Buffer | BytePieces | string
  readonly recordCount: number
}

/** What a definition holds in staging, and what of it its running syncs hold. */
export interface StagingArea {
  readonly uri: string
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

export function emptyStagingArea (uri: string): StagingArea {
  return { uri, staged: [], stagedBytes: 0, stagedCharge: 0, syncingBytes: 0, runningSyncs: 0, queueEndsAt: 0 }
}

/** `kbUsed` of a definition: what it has staged and what its running syncs hold. */
export function kbUsed (area: StagingArea): number {
  return kilobytes(area.stagedBytes + area.syncingBytes)
}

/** The uploads a sync takes from an area, with what they cost. */
export interface TakenUploads { uploads: StagedUpload[], bytes: number, charge: number, recordCount: number }

export interface StagingOptions {
  /** Eloqua allows 500 uploads ("files") per definition between syncs; the next one is a 400. */
  readonly maxUploadsPerSync: number
  /** Staging space of the whole instance; an upload that would exceed it answers 413. */
  readonly stagingQuotaBytes: number
  /** Whether an upload to a definition whose sync is pending or active is kept for the next sync or answered 409. */
  readonly uploadsDuringSync: 'accept' | 'reject'
}

export class Staging {
  readonly #options: StagingOptions
  /** Bytes held in staging, by definitions and by running syncs. */
  bytes = 0
  /** What those bytes take of the quota. */
  charge = 0

  constructor (options: StagingOptions) {
    this.#options = options
  }

  get quotaBytes (): number {
    return this.#options.stagingQuotaBytes
  }

  /** Refuses an upload that may not be staged: 409 during a sync (if so configured), 400 past the file limit, 413 past the quota. */
  check (area: StagingArea, upload: NewUpload): void {
    if (area.runningSyncs > 0 && this.#options.uploadsDuringSync === 'reject') {
      throw conflict(`a sync of ${area.uri} is pending or active`)
    }
    if (area.staged.length >= this.#options.maxUploadsPerSync) {
      throw validationError([{
        field: 'files',
        value: String(area.staged.length + 1),
        constraint: `Must not exceed ${this.#options.maxUploadsPerSync} files per sync.`
      }])
    }
    if (this.charge + charge(upload) > this.#options.stagingQuotaBytes) {
      throw storageExceeded(`staging ${upload.bytes.length} bytes would exceed the staging quota of ${this.#options.stagingQuotaBytes} bytes (each upload takes at least ${UPLOAD_MIN_CHARGE})`)
    }
  }

  /** Adds a checked upload to an area. */
  add (area: StagingArea, upload: NewUpload, stagedAt: number, stagedBy: string): void {
    const size = upload.bytes.length
    const cost = charge(upload)
    area.staged.push({ format: upload.format, bytes: compactBytes(upload.bytes), recordCount: upload.recordCount, stagedAt, stagedBy })
    area.stagedBytes += size
    area.stagedCharge += cost
    this.bytes += size
    this.charge += cost
  }

  /** Drops what an area has staged (not what its running syncs hold). */
  clear (area: StagingArea): void {
    this.bytes -= area.stagedBytes
    this.charge -= area.stagedCharge
    area.staged = []
    area.stagedBytes = 0
    area.stagedCharge = 0
  }

  /** Drops the uploads an area staged at or before `cutoff` (they are staged oldest first). */
  expire (area: StagingArea, cutoff: number): void {
    let drop = 0
    for (const upload of area.staged) {
      if (upload.stagedAt > cutoff) break
      const cost = charge(upload)
      area.stagedBytes -= upload.bytes.length
      area.stagedCharge -= cost
      this.bytes -= upload.bytes.length
      this.charge -= cost
      drop++
    }
    area.staged.splice(0, drop)
  }

  /** Hands an area's staged uploads to a sync, which holds them until it ends (see release). */
  take (area: StagingArea): TakenUploads {
    const taken = { uploads: area.staged, bytes: area.stagedBytes, charge: area.stagedCharge, recordCount: area.staged.reduce((sum, u) => sum + u.recordCount, 0) }
    area.staged = []
    area.stagedBytes = 0
    area.stagedCharge = 0
    area.syncingBytes += taken.bytes
    area.runningSyncs += 1
    return taken
  }

  /** A sync has ended: what it took leaves staging. */
  release (area: StagingArea, taken: { bytes: number, charge: number }): void {
    area.syncingBytes -= taken.bytes
    area.runningSyncs -= 1
    this.bytes -= taken.bytes
    this.charge -= taken.charge
  }
}
