/**
 * Pages of exported rows (`GET /syncs/{id}/data`, `GET {export uri}/data`) in Eloqua's envelope,
 * sent as a stream of byte chunks: rows the sync wrote as JSON while it ran are slices of its
 * buffers (domain/export-json.ts); any others are written now, a chunk at a time, so a page of
 * 50,000 rows is never built as one string.
 */
import { Readable } from 'node:stream'
import type { FastifyReply } from 'fastify'
import type { ExportData } from '../../domain/kinds/exports.js'
import { JsonWriter, keyPrefixes, writeRow } from '../../domain/export-json.js'

export interface DataQuery { limit?: number, offset?: number, totalResults?: boolean | string }

/** Bytes per chunk of rows written for a page. */
const PAGE_CHUNK_BYTES = 256 * 1024
const OPEN = Buffer.from('{"items":[')

/** Every chunk as it is, but the last without its final byte: rows end with a comma, the last of a page must not. */
function * withoutLastComma (chunks: Buffer[]): Generator<Buffer> {
  const last = chunks.length - 1
  for (let i = 0; i < last; i++) yield chunks[i] as Buffer
  const final = chunks[last] as Buffer
  yield final.subarray(0, final.length - 1)
}

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
  const tail = `${String(query.totalResults).toLowerCase() === 'false' ? '' : `"totalResults":${total},`}"limit":${limit},"offset":${offset},"count":${count},"hasMore":${end < total}}`
  // Rows written while the sync ran, as far as they go; read now, as a later reset may drop them.
  const written = Math.min(end, Math.max(offset, data.json?.written ?? 0))
  const slices = written > offset ? (data.json as NonNullable<ExportData['json']>).slices(offset, written) : []
  function * chunks (): Generator<Buffer | string> {
    if (count === 0) {
      yield `{${tail}`
      return
    }
    yield OPEN
    if (written === end) {
      yield * withoutLastComma(slices)
    } else {
      yield * slices
      const prefixes = keyPrefixes(data.keys)
      const out = new JsonWriter(PAGE_CHUNK_BYTES)
      for (let i = written; i < end; i++) {
        writeRow(data, i, prefixes, out)
        if (out.full.length > 0 && i + 1 < end) yield * out.full.splice(0)
      }
      yield * withoutLastComma(out.take())
    }
    yield `],${tail}`
  }
  return reply.type('application/json; charset=utf-8').send(Readable.from(chunks(), { objectMode: false }))
}
