/**
 * Staged uploads are kept as the bytes the client sent, not as parsed objects: a million
 * `{"Id":"..."}` records then cost about 26 MB instead of several times that in JS objects.
 * They are decoded again only when a sync processes them or someone inspects the state.
 */
import { parse as parseCsv } from 'csv-parse/sync'
import { describeValue, parsingError } from './errors.js'

export type UploadFormat = 'json' | 'csv'
export type DataRecord = Record<string, unknown>

export interface StagedUpload {
  readonly format: UploadFormat
  /** The bytes as sent; a small upload holds them as a latin1 string (one character a byte), see compactBytes. */
  readonly bytes: Buffer | string
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
 * The cheapest way to keep an upload's bytes for as long as it is staged. A small body is a view
 * into a shared 8 KB pool slab, which a kept view would keep alive, and a Buffer of its own costs
 * more than the bytes: it becomes a latin1 string, one character a byte. A larger view into a
 * bigger allocation is copied out; anything else is kept as it is.
 */
export function compactBytes (bytes: Buffer): Buffer | string {
  if (bytes.length < SMALL_UPLOAD_BYTES) return bytes.toString('latin1')
  if (bytes.byteLength === bytes.buffer.byteLength) return bytes
  const copy = Buffer.allocUnsafeSlow(bytes.byteLength)
  bytes.copy(copy)
  return copy
}

export function decodeUpload (upload: StagedUpload): DataRecord[] {
  const text = (typeof upload.bytes === 'string' ? Buffer.from(upload.bytes, 'latin1') : upload.bytes).toString('utf8')
  return upload.format === 'csv' ? parseCsvRecords(text) : JSON.parse(text) as DataRecord[]
}

export function kilobytes (bytes: number): number {
  return Math.ceil(bytes / 1024)
}
