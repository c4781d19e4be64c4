/**
 * Pages of exported rows (`GET /syncs/{id}/data`, `GET {export uri}/data`) in Eloqua's envelope,
 * written as a stream of byte chunks: a page of 50,000 rows is never built as one string. Rows are
 * written straight into buffers, ASCII values copied byte by byte, anything else through
 * JSON.stringify: a million rows of an activity export cost about a second, not several.
 */
import { Readable } from 'node:stream'
import type { FastifyReply } from 'fastify'
import type { ExportData } from '../../domain/kinds/exports.js'

export interface DataQuery { limit?: number, offset?: number, totalResults?: boolean | string }

/** Bytes per chunk of the stream. */
const CHUNK_BYTES = 256 * 1024

/** JSON text written into buffers of CHUNK_BYTES, each handed on when full. */
class JsonChunks {
  #buffer = Buffer.allocUnsafe(CHUNK_BYTES)
  #length = 0
  readonly full: Buffer[] = []

  /** Room for `bytes` more; a full buffer is handed on. */
  #reserve (bytes: number): void {
    if (this.#length + bytes <= this.#buffer.length) return
    this.full.push(this.#buffer.subarray(0, this.#length))
    this.#buffer = Buffer.allocUnsafe(Math.max(CHUNK_BYTES, bytes))
    this.#length = 0
  }

  /** Bytes already encoded. */
  bytes (bytes: Buffer): void {
    this.#reserve(bytes.length)
    // Key prefixes are short: a loop copies them faster than a native call.
    const buffer = this.#buffer
    const at = this.#length
    for (let i = 0; i < bytes.length; i++) buffer[at + i] = bytes[i] as number
    this.#length = at + bytes.length
  }

  /** A string as a JSON string. */
  string (value: string): void {
    this.#reserve(value.length + 2)
    const buffer = this.#buffer
    let at = this.#length
    buffer[at++] = 0x22
    for (let i = 0; i < value.length; i++) {
      const c = value.charCodeAt(i)
      // Quotes, backslashes, control and non-ASCII characters take JSON.stringify and UTF-8.
      if (c < 0x20 || c === 0x22 || c === 0x5c || c > 0x7e) {
        this.#escaped(value)
        return
      }
      buffer[at++] = c
    }
    buffer[at++] = 0x22
    this.#length = at
  }

  #escaped (value: string): void {
    const text = JSON.stringify(value)
    this.#reserve(Buffer.byteLength(text))
    this.#length += this.#buffer.write(text, this.#length, 'utf8')
  }

  /** Everything written since the last call, as chunks. */
  take (): Buffer[] {
    this.full.push(this.#buffer.subarray(0, this.#length))
    this.#buffer = Buffer.allocUnsafe(CHUNK_BYTES)
    this.#length = 0
    return this.full.splice(0)
  }
}

const OPEN = Buffer.from('{"items":[')
const COMMA = Buffer.from(',')
const CLOSE_ROW = Buffer.from('}')

/**
 * Sends one page: `{"items":[…],"totalResults":n,"limit":…,"offset":…,"count":…,"hasMore":…}`,
 * without `items` when the page has no rows, as Eloqua answers.
 */
export function sendDataPage (reply: FastifyReply, data: ExportData, query: DataQuery): FastifyReply {
  // The route's schema fills in Eloqua's defaults.
  const limit = query.limit as number
  const offset = query.offset as number
  const total = data.count
  const end = Math.min(total, offset + limit)
  const count = Math.max(0, end - offset)
  // `{"key":` before the first value of a row, `,"key":` before the others: encoded once per page.
  const prefixes = data.keys.map((key, k) => Buffer.from(`${k === 0 ? '{' : ','}${JSON.stringify(key)}:`))
  const tail = `${String(query.totalResults).toLowerCase() === 'false' ? '' : `"totalResults":${total},`}"limit":${limit},"offset":${offset},"count":${count},"hasMore":${end < total}}`
  function * chunks (): Generator<Buffer | string> {
    if (count === 0) {
      yield `{${tail}`
      return
    }
    const out = new JsonChunks()
    out.bytes(OPEN)
    for (let i = offset; i < end; i++) {
      const row = data.row(i)
      if (i !== offset) out.bytes(COMMA)
      for (let k = 0; k < prefixes.length; k++) {
        out.bytes(prefixes[k] as Buffer)
        out.string(row[k] as string)
      }
      out.bytes(CLOSE_ROW)
      if (out.full.length > 0) yield * out.full.splice(0)
    }
    yield * out.take()
    yield `],${tail}`
  }
  return reply.type('application/json; charset=utf-8').send(Readable.from(chunks(), { objectMode: false }))
}
