/**
 * Pages of exported rows (`GET /syncs/{id}/data`, `GET {export uri}/data`) in Eloqua's envelope,
 * written as a stream of chunks: a page of 50,000 rows is never built as one string.
 */
import { Readable } from 'node:stream'
import type { FastifyReply } from 'fastify'
import type { ExportData } from '../../domain/kinds/exports.js'

export interface DataQuery { limit?: number, offset?: number, totalResults?: boolean | string }

/** Rows written per chunk of the stream. */
const ROWS_PER_CHUNK = 500

/**
 * Sends one page: `{"items":[…],"totalResults":n,"limit":…,"offset":…,"count":…,"hasMore":…}`,
 * without `items` when the page has no rows, as Eloqua answers.
 */
export function sendDataPage (reply: FastifyReply, data: ExportData, query: DataQuery): FastifyReply {
  // The route's schema fills in Eloqua's defaults.
  const limit = query.limit as number
  const offset = query.offset as number
  const total = data.rows.length
  const end = Math.min(total, offset + limit)
  const count = Math.max(0, end - offset)
  const keys = data.keys.map((key) => JSON.stringify(key))
  const tail = `${String(query.totalResults).toLowerCase() === 'false' ? '' : `"totalResults":${total},`}"limit":${limit},"offset":${offset},"count":${count},"hasMore":${end < total}}`
  function * chunks (): Generator<string> {
    if (count === 0) {
      yield `{${tail}`
      return
    }
    let text = '{"items":['
    for (let i = offset; i < end; i++) {
      const row = data.rows[i] as readonly string[]
      text += `${i === offset ? '' : ','}{${keys.map((key, k) => `${key}:${JSON.stringify(row[k])}`).join(',')}}`
      if ((i - offset + 1) % ROWS_PER_CHUNK === 0) {
        yield text
        text = ''
      }
    }
    yield `${text}],${tail}`
  }
  return reply.type('application/json; charset=utf-8').send(Readable.from(chunks(), { objectMode: false }))
}
