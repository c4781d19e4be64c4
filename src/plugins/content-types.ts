/**
 * Request bodies: JSON and CSV (the two media types of the Bulk API), both UTF-8 as Eloqua
 * requires. The parsed records go on to validation; the bytes as sent are kept on
 * `request.upload`, which is what the staging area stores.
 *
 * Choices where Eloqua's behaviour is not documented, the same for both formats: a UTF-8 byte
 * order mark is dropped; a body with a Content-Encoding other than `identity` answers 415 (the
 * mock decodes no compression, so it never stores bytes it cannot read); JSON deeper than
 * MAX_JSON_DEPTH or with a number beyond a double answers 400; a CSV header row naming a column
 * twice, or a column with no name, answers 400.
 */
import { isUtf8 } from 'node:buffer'
import type { Readable } from 'node:stream'
import fp from 'fastify-plugin'
import type { FastifyRequest } from 'fastify'
import { EloquaError, describeValue, parsingError, validationError } from '../domain/errors.js'
import { jsonProblem } from '../domain/json-limits.js'
import { RecordListScanner, countRecordList } from '../domain/record-list.js'
import { BytePieces, parseCsvRecords, type UploadFormat } from '../domain/records.js'
import { Utf8Check } from '../domain/utf8.js'
import { readPieces } from './body-pieces.js'
import { routeConfig } from './route-config.js'

declare module 'fastify' {
  interface FastifyRequest {
    upload: { format: UploadFormat, bytes: Buffer | BytePieces, recordCount: number } | null
  }
  interface FastifyContextConfig {
    /** Upload routes, whose JSON body is a list of records kept as bytes: read by RecordListScanner. */
    records?: boolean
  }
}

/**
 * The body an upload's route schema sees when the record scan has vouched for its records (a
 * list of objects, which every upload schema accepts): the records themselves are never built.
 */
const CHECKED_RECORDS: readonly unknown[] = Object.freeze([])

export interface ContentTypesOptions {
  maxJsonDepth: number
}

type ParserDone = (err: Error | null, body?: unknown) => void

const BOM = [0xef, 0xbb, 0xbf] as const

export default fp<ContentTypesOptions>(async function contentTypes (app, options) {
  const { maxJsonDepth } = options

  function parse (request: FastifyRequest, raw: Buffer, format: UploadFormat): [Error | null, unknown?] {
    // Only uploads and creations carry data; an empty body elsewhere (DELETE, PUT) is no body.
    // A path the mock does not serve answers 404 whatever its body.
    if ((request.method !== 'POST' && raw.length === 0) || request.is404) return [null, undefined]
    try {
      if (raw.length > 0) checkEncoding(request)
      const body = withoutBom(raw)
      checkUtf8(request, body)
      if (format === 'json' && routeConfig(request).records === true) {
        const recordCount = countRecordList(body, maxJsonDepth)
        if (recordCount >= 0) {
          request.upload = { format, bytes: body, recordCount }
          return [null, CHECKED_RECORDS]
        }
      }
      const text = body.toString('utf8')
      const parsed = format === 'json' ? parseJson(text) : parseCsv(text)
      request.upload = { format, bytes: body, recordCount: Array.isArray(parsed) ? parsed.length : 1 }
      return [null, parsed]
    } catch (err) {
      return [err as Error]
    }
  }

  function parseJson (text: string): unknown {
    // An empty body with a JSON Content-Type is no body: clients send that header on DELETE too.
    if (text.trim() === '') return undefined
    let value: unknown
    try {
      // Plain JSON.parse: the records are read once here and kept as bytes, never merged into objects.
      value = JSON.parse(text)
    } catch (err) {
      throw parsingError('body', `Must be valid JSON: ${(err as Error).message}.`, describeValue(text))
    }
    const problem = jsonProblem(value, maxJsonDepth)
    if (problem !== undefined) throw parsingError('body', problem)
    return value
  }

  app.decorateRequest('upload', null)
  // An empty Content-Type header says nothing; without it, a DELETE with no body is just that.
  app.addHook('onRequest', (request, _reply, done) => {
    if (request.headers['content-type']?.trim() === '') delete request.headers['content-type']
    done()
  })
  app.removeContentTypeParser(['application/json', 'text/plain'])

  /**
   * A JSON upload read as it arrives: each piece is scanned for records and checked as UTF-8
   * while the processor still has it at hand, and kept as it is. A body the scan vouches for is
   * staged in those pieces; any other is joined and parsed as any JSON body, which says what is
   * wrong with it.
   */
  function readUpload (request: FastifyRequest, payload: Readable, done: ParserDone): void {
    const records = new RecordListScanner(maxJsonDepth)
    const utf8 = new Utf8Check()
    readPieces(request, payload, (piece) => {
      records.push(piece)
      utf8.push(piece)
    }, (err, pieces, length) => {
      if (err !== null) {
        done(err)
        return
      }
      const recordCount = records.end()
      if (recordCount >= 0 && utf8.end() && acceptsAsSent(request)) {
        request.upload = { format: 'json', bytes: new BytePieces(pieces, length), recordCount }
        done(null, CHECKED_RECORDS)
        return
      }
      done(...parse(request, joined(pieces, length), 'json'))
    })
  }

  // Callback-style parsers: no promise per request on the upload path.
  app.addContentTypeParser('application/json', (request: FastifyRequest, payload: Readable, done: ParserDone) => {
    if (routeConfig(request).records === true && request.method === 'POST' && !request.is404) {
      readUpload(request, payload, done)
      return
    }
    readPieces(request, payload, undefined, (err, pieces, length) => {
      if (err !== null) done(err)
      else done(...parse(request, joined(pieces, length), 'json'))
    })
  })
  app.addContentTypeParser('text/csv', { parseAs: 'buffer' }, (request: FastifyRequest, body: Buffer | string, done: ParserDone) => {
    done(...parse(request, body as Buffer, 'csv'))
  })
  // Any other Content-Type: fine without a body (clients send one on DELETE), refused with one.
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (request: FastifyRequest, body: Buffer | string, done: ParserDone) => {
    if (body.length === 0 || request.is404) done(null, undefined)
    else done(validationError([{ field: 'Content-Type', value: request.headers['content-type'] ?? '', constraint: 'Must be application/json or text/csv.' }]))
  })
}, { name: 'content-types' })

const joined = (pieces: Buffer[], length: number): Buffer => pieces.length === 1 ? pieces[0] as Buffer : Buffer.concat(pieces, length)

/** Whether an upload's headers let its bytes be kept as sent: no Content-Encoding, and UTF-8 if a charset is named. */
function acceptsAsSent (request: FastifyRequest): boolean {
  const encoding = request.headers['content-encoding']?.trim().toLowerCase()
  const charset = charsetOf(String(request.headers['content-type']))
  return (encoding === undefined || encoding === 'identity' || encoding === '') && (charset === undefined || charset === 'utf-8' || charset === 'utf8')
}

function checkEncoding (request: FastifyRequest): void {
  const encoding = request.headers['content-encoding']
  const name = encoding?.trim().toLowerCase()
  if (name === undefined || name === 'identity' || name === '') return
  throw new EloquaError(415, `Content-Encoding ${describeValue(encoding)} is not supported: send the body uncompressed`)
}

function withoutBom (body: Buffer): Buffer {
  return body.length >= 3 && body[0] === BOM[0] && body[1] === BOM[1] && body[2] === BOM[2] ? body.subarray(3) : body
}

function parseCsv (text: string): unknown {
  if (text.trim() === '') throw parsingError('body', 'Must have a header row.')
  try {
    return parseCsvRecords(text)
  } catch (err) {
    if (err instanceof EloquaError) throw err
    throw parsingError('body', `Must be valid CSV with a header row: ${(err as Error).message}.`)
  }
}

function checkUtf8 (request: FastifyRequest, body: Buffer): void {
  // A parser runs only for a request that names its Content-Type.
  const contentType = String(request.headers['content-type'])
  const charset = charsetOf(contentType)
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
    throw validationError([{ field: 'Content-Type', value: describeValue(contentType), constraint: 'Must be UTF-8 encoded.' }])
  }
  if (!isUtf8(body)) throw parsingError('body', 'Must be UTF-8 encoded.')
}

/** The charset parameter of a media type, lower-cased and unquoted; read without a regular expression. */
function charsetOf (contentType: string): string | undefined {
  for (const parameter of contentType.split(';').slice(1)) {
    const equals = parameter.indexOf('=')
    if (equals < 0 || parameter.slice(0, equals).trim().toLowerCase() !== 'charset') continue
    const value = parameter.slice(equals + 1).trim()
    return (value.startsWith('"') && value.endsWith('"') && value.length >= 2 ? value.slice(1, -1) : value).toLowerCase()
  }
  return undefined
}
