/**
 * Staged uploads are kept as the bytes the client sent, not as parsed objects: a million
 * `{"Id":"..."}` records then cost about 26 MB instead of several times that in JS objects.
 * They are decoded again only when a sync processes them or someone inspects the state.
 */
import { parse as parseCsv } from 'csv-parse/sync'
import { describeValue, parsingError } from './errors.js'

export type UploadFormat = 'json' | 'csv'
export type DataRecord = Record<string, unknown>

/**
 * A body in the pieces Node read it in. A big upload is kept this way: joining the pieces would
 * cost a copy of every byte and, while it lasts, twice the memory.
 */
export class BytePieces {
  readonly pieces: readonly Buffer[]
  /** Bytes in all the pieces. */
  readonly length: number

  constructor (pieces: readonly Buffer[], length: number) {
    this.pieces = pieces
    this.length = length
  }

  /** The first `bytes` bytes in one buffer. */
  head (bytes: number): Buffer {
    const first = this.pieces[0]
    if (first === undefined) return Buffer.alloc(0)
    if (first.length >= bytes || this.pieces.length === 1) return first.subarray(0, bytes)
    return Buffer.concat(this.pieces, Math.min(bytes, this.length))
  }

  /** All the bytes in one buffer. */
  joined (): Buffer {
    return Buffer.concat(this.pieces, this.length)
  }
}

export interface StagedUpload {
  readonly format: UploadFormat
  /** The bytes as sent; a small upload holds them as a latin1 string (one character a byte), see compactBytes. */
  readonly bytes: Buffer | string | BytePieces
  readonly recordCount: number
  readonly stagedAt: number
  readonly stagedBy: string
}

/**
 * RFC 4180 CSV whose first row is always the header, as in Eloqua's CSV uploads (a file without
 * one has its first record read as field names); every value is a string. A header that names a
 * column twice or leaves one unnamed is refused: either would silently lose values.
 */
export function parseCsvRecords (text: string): Array<Record<string, string>> {
  return parseCsv(text, {
    bom: true,
    columns: checkHeader,
    skip_empty_lines: true,
    relax_column_count: false
  })
}

function checkHeader (header: string[]): string[] {
  const seen = new Set<string>()
  header.forEach((name, i) => {
    if (name.trim() === '') throw parsingError('body', `The header row must name every column; column ${i + 1} has no name.`)
    if (seen.has(name)) throw parsingError('body', 'The header row must not name a column twice.', describeValue(name))
    seen.add(name)
  })
  return header
}

/** Uploads smaller than this are kept as strings: a Buffer costs a few hundred bytes of bookkeeping. */
export const SMALL_UPLOAD_BYTES = 4096
/**
 * Pieces of an upload are kept as they are when they average at least this many bytes (the last
 * one aside): each costs
 * a few hundred bytes of bookkeeping, and a client sending its body a few bytes at a time must
 * not make a staged upload take many times its size.
 */
export const MIN_KEPT_PIECE_BYTES = 16 * 1024

/**
 * The cheapest way to keep an upload's bytes for as long as it is staged. A small body is a view
 * into a shared 8 KB pool slab, which a kept view would keep alive, and a Buffer of its own costs
 * more than the bytes: it becomes a latin1 string, one character a byte. Big pieces that own their
 * memory are kept as they are; a view into a bigger allocation, or many small pieces, are copied
 * into one buffer of their own. A string is already that form (one character a byte).
 */
export function compactBytes (bytes: Buffer | BytePieces | string): Buffer | string | BytePieces {
  if (typeof bytes === 'string') return bytes
  if (bytes instanceof BytePieces) {
    if (bytes.pieces.length === 1) return compactBytes(bytes.pieces[0] as Buffer)
    if (bytes.length < SMALL_UPLOAD_BYTES) return bytes.joined().toString('latin1')
    // The last piece may be short.
    if ((bytes.pieces.length - 1) * MIN_KEPT_PIECE_BYTES <= bytes.length && bytes.pieces.every(ownsItsMemory)) return bytes
    return copyOf(bytes.pieces, bytes.length)
  }
  if (bytes.length < SMALL_UPLOAD_BYTES) return bytes.toString('latin1')
  return ownsItsMemory(bytes) ? bytes : copyOf([bytes], bytes.length)
}

const ownsItsMemory = (piece: Buffer): boolean => piece.byteLength === piece.buffer.byteLength

function copyOf (pieces: readonly Buffer[], length: number): Buffer {
  const copy = Buffer.allocUnsafeSlow(length)
  let at = 0
  for (const piece of pieces) at += piece.copy(copy, at)
  return copy
}

export function decodeUpload (upload: StagedUpload): DataRecord[] {
  const { bytes } = upload
  const text = (typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes instanceof BytePieces ? bytes.joined() : bytes).toString('utf8')
  return upload.format === 'csv' ? parseCsvRecords(text) : JSON.parse(text) as DataRecord[]
}

export function kilobytes (bytes: number): number {
  return Math.ceil(bytes / 1024)
}
