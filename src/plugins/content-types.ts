/**
 * Request bodies: JSON and CSV (the two media types of the Bulk API), both UTF-8 as Eloqua
 * requires. The parsed records go on to validation; the bytes as sent are kept on
 * `request.upload`, which is what the staging area stores.
 */
import { isUtf8 } from 'node:buffer'
import fp from 'fastify-plugin'
import type { FastifyRequest } from 'fastify'
import { describeValue, parsingError, validationError } from '../domain/errors.js'
import { parseCsvRecords, type UploadFormat } from '../domain/records.js'

declare module 'fastify' {
  interface FastifyRequest {
    upload: { format: UploadFormat, bytes: Buffer } | null
  }
}

type ParserDone = (err: Error | null, body?: unknown) => void

function parse (request: FastifyRequest, body: Buffer, format: UploadFormat): [Error | null, unknown?] {
  // Only uploads and creations carry data; an empty body elsewhere (DELETE, PUT) is no body.
  if (request.method !== 'POST' && body.length === 0) return [null, undefined]
  try {
    const text = decodeUtf8(request, body)
    const parsed = format === 'json' ? parseJson(text) : parseCsv(text)
    request.upload = { format, bytes: body }
    return [null, parsed]
  } catch (err) {
    return [err as Error]
  }
}

function parseJson (text: string): unknown {
  // An empty body with a JSON Content-Type is no body: clients send that header on DELETE too.
  if (text.trim() === '') return undefined
  try {
    // Plain JSON.parse: the records are read once here and kept as bytes, never merged into objects.
    return JSON.parse(text)
  } catch (err) {
    throw parsingError('body', `Must be valid JSON: ${(err as Error).message}.`, describeValue(text))
  }
}

function parseCsv (text: string): unknown {
  if (text.trim() === '') throw parsingError('body', 'Must have a header row.')
  try {
    return parseCsvRecords(text)
  } catch (err) {
    throw parsingError('body', `Must be valid CSV with a header row: ${(err as Error).message}.`)
  }
}

function decodeUtf8 (request: FastifyRequest, body: Buffer): string {
  // A parser runs only for a request that names its Content-Type.
  const contentType = String(request.headers['content-type'])
  const charset = /charset\s*=\s*"?([^";\s]+)/i.exec(contentType)?.[1]
  if (charset !== undefined && !/^utf-?8$/i.test(charset)) {
    throw validationError([{ field: 'Content-Type', value: contentType, constraint: 'Must be UTF-8 encoded.' }])
  }
  if (!isUtf8(body)) throw parsingError('body', 'Must be UTF-8 encoded.')
  return body.toString('utf8')
}

export default fp(async function contentTypes (app) {
  app.decorateRequest('upload', null)
  // An empty Content-Type header says nothing; without it, a DELETE with no body is just that.
  app.addHook('onRequest', (request, _reply, done) => {
    if (request.headers['content-type']?.trim() === '') delete request.headers['content-type']
    done()
  })
  app.removeContentTypeParser(['application/json', 'text/plain'])

  // Callback-style parsers: no promise per request on the upload path.
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request: FastifyRequest, body: Buffer | string, done: ParserDone) => {
    done(...parse(request, body as Buffer, 'json'))
  })
  app.addContentTypeParser('text/csv', { parseAs: 'buffer' }, (request: FastifyRequest, body: Buffer | string, done: ParserDone) => {
    done(...parse(request, body as Buffer, 'csv'))
  })
  // Any other Content-Type: fine without a body (clients send one on DELETE), refused with one.
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (request: FastifyRequest, body: Buffer | string, done: ParserDone) => {
    if (body.length === 0) done(null, undefined)
    else done(validationError([{ field: 'Content-Type', value: request.headers['content-type'] ?? '', constraint: 'Must be application/json or text/csv.' }]))
  })
}, { name: 'content-types' })
