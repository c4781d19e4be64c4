/**
 * Staged uploads are kept as the bytes the client sent, not as parsed objects: a million
 * `{"Id":"..."}` records then cost about 26 MB instead of several times that in JS objects.
 * They are decoded again only when a sync processes them or someone inspects the state.
 */
import { parse as parseCsv } from 'csv-parse/sync'

export type UploadFormat = 'json' | 'csv'
export type DataRecord = Record<string, unknown>

export interface StagedUpload {
  readonly format: UploadFormat
  readonly bytes: Buffer
  readonly recordCount: number
  readonly stagedAt: number
  readonly stagedBy: string
}

/** RFC 4180 CSV with a header row; every value is a string, as in Eloqua's CSV uploads. */
export function parseCsvRecords (text: string): Array<Record<string, string>> {
  return parseCsv(text, {
    bom: true,
    columns: true,
    skip_empty_lines: true,
    relax_column_count: false
  })
}

export function decodeUpload (upload: StagedUpload): DataRecord[] {
  const text = upload.bytes.toString('utf8')
  return upload.format === 'csv' ? parseCsvRecords(text) : JSON.parse(text) as DataRecord[]
}

export function kilobytes (bytes: number): number {
  return Math.ceil(bytes / 1024)
}
