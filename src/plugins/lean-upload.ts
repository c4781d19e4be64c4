/**
 * A lean path for the call test suites make most: a small JSON upload to a custom object sync
 * action, `POST /api/bulk/2.0/customObjects/{parentId}/syncActions/{id}/data`, answered 204.
 * On such a call fastify's pipeline (hooks, request and reply objects, a child logger) costs more
 * than the work, so the server's request listener serves it directly when every condition of
 * that answer holds, and does what the pipeline would: the same request id, checks, staging,
 * 204 `Success` with `x-request-id`, log line and journal entry.
 *
 * Anything else goes to fastify as it came, at whatever point it shows: before the body is read,
 * untouched (a request a fault rule takes, too); after, with the body replayed through preParsing
 * and with the credentials and fault decision taken on the head, as the pipeline takes them, so a
 * rule's counters move once. On close, uploads whose body is still arriving get the 503 the
 * shutdown gives any other (connections.ts), and uploads arriving later go to fastify, which
 * refuses them.
 *
 * Only the command turns it on (AppOptions.leanUploads): apps built in-process keep every
 * request in fastify, where hooks a user adds see them all.
 */
import { isAscii, isUtf8 } from 'node:buffer'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { PassThrough, type Readable } from 'node:stream'
import fp from 'fastify-plugin'
import { mayUseBulkApi, type Principal } from '../domain/directory.js'
import { EloquaError } from '../domain/errors.js'
import type { FaultResponse } from '../domain/faults.js'
import { countRecordList } from '../domain/record-list.js'
import { SMALL_UPLOAD_BYTES } from '../domain/records.js'
import { customObjectSyncActions } from '../domain/kinds/sync-actions.js'
import type { DefinitionKind } from '../domain/kinds/kind.js'
import { holdSocket, releaseSocket } from './connections.js'
import { journalHead } from './journal.js'
import { completedLine } from './request-log.js'

/** Bodies up to this size take the lean path; larger ones cost far more than the pipeline. */
export const LEAN_MAX_BODY_BYTES = 64 * 1024

const PREFIX = '/api/bulk/2.0/customObjects/'
const MIDDLE = '/syncActions/'
const SUFFIX = '/data'
const OPERATION = 'uploadSyncActionData'
const KIND = customObjectSyncActions as unknown as DefinitionKind

/** What the lean path hands fastify along with a request. */
const REPLAY = Symbol('eloqua-bulk-mock.replayedBody')
const TAKEN = Symbol('eloqua-bulk-mock.leanUpload')
const ASSIGNED_ID = Symbol('eloqua-bulk-mock.requestId')

/**
 * A request the lean path has taken, from its head to its answer. It is kept on the request (one
 * property, where a closure per event and a property per fact cost the seed call more) and the
 * event listeners, made once, find it there.
 */
class TakenUpload {
  /** The fault decision taken on the head, which fastify applies if the request is handed over (decidedFault). */
  fault: FaultResponse | undefined = undefined
  /** The user, once no rule has taken the request (authenticatedAs). */
  authenticated: Principal | undefined = undefined
  readonly chunks: Buffer[] = []
  received = 0
  /** The lean path's own answer, once it gives one (a request handed over gets fastify's). */
  status = 0
  phrase = ''
  headers: Record<string, string | number> | undefined = undefined
  /** The upload's bytes, for the journal; undefined when they had not all arrived. */
  body: Buffer | undefined = undefined
  /** The string staged for a small ASCII body, which is also the journal's head of it (see staged). */
  head: string | undefined = undefined

  constructor (
    readonly res: ServerResponse,
    readonly parentId: string,
    readonly id: string,
    readonly principal: Principal,
    /** performance.now() when the request arrived. */
    readonly start: number,
    readonly reqId: string
  ) {}
}

interface LeanRequest extends IncomingMessage {
  [REPLAY]?: Readable
  [TAKEN]?: TakenUpload
  [ASSIGNED_ID]?: string
}

/**
 * Request ids as fastify makes them (`req-1`, `req-2`, … in base 36), shared by fastify and the
 * lean path: an id taken by the lean path for a request it hands over is the one fastify uses.
 */
export function requestIds (): (req: IncomingMessage) => string {
  const maxInt = 2147483647
  let next = 0
  return (req) => {
    const assigned = (req as LeanRequest)[ASSIGNED_ID]
    if (assigned !== undefined) return assigned
    next = (next + 1) & maxInt
    const id = `req-${next.toString(36)}`
    ;(req as LeanRequest)[ASSIGNED_ID] = id
    return id
  }
}

/**
 * What the lean path found when a request's head arrived, for fastify to use when the request is
 * handed over once its body is in: the pipeline authenticates and applies fault rules on the head,
 * so a rule or a site that changed while the body arrived must not change the answer.
 */
export function decidedFault (req: IncomingMessage): { readonly fault: FaultResponse | undefined } | undefined {
  return (req as LeanRequest)[TAKEN]
}

export function authenticatedAs (req: IncomingMessage): Principal | undefined {
  return (req as LeanRequest)[TAKEN]?.authenticated
}

/** The digits between `from` and `to` of a path, or undefined when they are not all digits (1 to 10 of them). */
function digitsBetween (url: string, from: number, to: number): string | undefined {
  if (to <= from || to - from > 10) return undefined
  for (let i = from; i < to; i++) {
    const c = url.charCodeAt(i)
    if (c < 0x30 || c > 0x39) return undefined
  }
  return url.slice(from, to)
}

/** `[parentId, id]` of the path in its canonical form, exactly; anything else is fastify's to route. */
function uploadPath (url: string): [string, string] | undefined {
  if (!url.startsWith(PREFIX) || !url.endsWith(SUFFIX)) return undefined
  const middle = url.indexOf(MIDDLE, PREFIX.length)
  if (middle < 0) return undefined
  const parentId = digitsBetween(url, PREFIX.length, middle)
  const id = digitsBetween(url, middle + MIDDLE.length, url.length - SUFFIX.length)
  return parentId === undefined || id === undefined ? undefined : [parentId, id]
}

export interface LeanUploadOptions {
  genReqId: (req: IncomingMessage) => string
  maxJsonDepth: number
  bodyLimit: number
  journalBodyBytes: number
}

export default fp<LeanUploadOptions>(async function leanUpload (app, { genReqId, maxJsonDepth, bodyLimit, journalBodyBytes }) {
  const maxBody = Math.min(LEAN_MAX_BODY_BYTES, bodyLimit)
  let closing = false
  /** Uploads whose body is still arriving: each gets a 503 when the server closes. */
  const arriving = new Set<LeanRequest>()
  let fastifyListener: ((req: IncomingMessage, res: ServerResponse) => void) | undefined
  const logCompleted = completedLine(app.log)
  // Read once: a fastify instance holds many properties, and reading one on every request is a slow, generic read.
  const { directory, faults, store, journal, clock } = app

  /** Gives fastify a request the lean path does not answer; `body` when the lean path has read it. */
  function handOver (req: LeanRequest, res: ServerResponse, body?: Buffer): void {
    if (body !== undefined) {
      const replay = new PassThrough()
      replay.end(body)
      req[REPLAY] = replay
    }
    releaseSocket(req.socket, res)
    ;(fastifyListener as NonNullable<typeof fastifyListener>)(req, res)
  }

  /** The path's ids and the user when the lean path may take this request, judged on its head alone. */
  function takes (req: IncomingMessage): [string, string, Principal] | undefined {
    if (req.method !== 'POST') return undefined
    const { headers } = req
    const contentType = headers['content-type']
    if (contentType !== 'application/json' && contentType !== 'application/json; charset=utf-8') return undefined
    if (headers['transfer-encoding'] !== undefined || headers['content-encoding'] !== undefined || headers.expect !== undefined || headers.prefer !== undefined) return undefined
    const length = Number(headers['content-length'])
    if (!(length > 0 && length <= maxBody)) return undefined
    const path = uploadPath(req.url as string)
    if (path === undefined || headers.authorization === undefined) return undefined
    // Credentials the pipeline has verified before; anything else gets its 401 or 403 there.
    const principal = directory.verifiedBasic(headers.authorization)
    return principal === undefined || !mayUseBulkApi(principal) ? undefined : [path[0], path[1], principal]
  }

  /** The fault rule that takes the request, if one does, decided once, before its body is read, as the pipeline does. */
  function faultFor (req: LeanRequest, parentId: string, id: string): FaultResponse | undefined {
    if (faults.size === 0) return undefined
    const authorization = req.headers.authorization
    return faults.decide({ operation: OPERATION, method: 'POST', path: req.url as string, params: { parentId, id }, headers: req.headers, identity: () => directory.claimedIdentity(authorization) })
  }

  function serve (req: LeanRequest, res: ServerResponse): void {
    // Once closing, fastify refuses new requests; it must see this one too.
    const taken = closing ? undefined : takes(req)
    if (taken === undefined) {
      handOver(req, res)
      return
    }
    const [parentId, id, principal] = taken
    const start = performance.now()
    const reqId = (req.headers['x-request-id'] as string | undefined) || genReqId(req)
    const upload = new TakenUpload(res, parentId, id, principal, start, reqId)
    req[TAKEN] = upload
    // A request a rule takes is authenticated by the pipeline after the rule, as any other.
    upload.fault = faultFor(req, parentId, id)
    if (upload.fault !== undefined) {
      handOver(req, res)
      return
    }
    upload.authenticated = principal
    // Until it is answered, the shutdown must not take this connection for an idle one.
    holdSocket(req.socket, res)
    res.on('finish', answered)
    arriving.add(req)
    req.on('data', received)
    req.on('end', ended)
    // The client went away: there is nothing to answer, as in the pipeline.
    req.on('error', gone)
  }

  function received (this: LeanRequest, chunk: Buffer): void {
    const upload = this[TAKEN] as TakenUpload
    upload.chunks.push(chunk)
    upload.received += chunk.length
  }

  /** Stops reading a body that has not all arrived. */
  function stopReading (req: LeanRequest): void {
    arriving.delete(req)
    req.removeListener('data', received)
    req.removeListener('end', ended)
    req.removeListener('error', gone)
  }

  function gone (this: LeanRequest, err: Error): void {
    stopReading(this)
    const upload = this[TAKEN] as TakenUpload
    releaseSocket(this.socket, upload.res)
    // The line the pipeline writes when a body stops halfway; there is no answer to log.
    app.log.info({ reqId: upload.reqId, status: 400, reason: err.message }, 'request refused')
  }

  function ended (this: LeanRequest): void {
    // Once a request has ended it emits no more data, and no error (Node only reports an abort
    // before the end), so its listeners can stay.
    arriving.delete(this)
    const upload = this[TAKEN] as TakenUpload
    // A copy, as the pipeline makes: a chunk is a slice of the whole read, headers included, and a
    // staged upload must hold its own bytes only (millions of seed calls stay compact).
    const body = Buffer.concat(upload.chunks, upload.received)
    if (!staged(upload, body)) {
      handOver(this, upload.res, body)
      return
    }
    upload.body = body
    send(upload, 204, 'Success', { 'x-request-id': upload.reqId })
  }

  /** Answers 503 to an upload whose body is still arriving when the server closes. */
  function unavailable (req: LeanRequest): void {
    stopReading(req)
    const upload = req[TAKEN] as TakenUpload
    // Eloqua documents no body for a 503, and the pipeline sends none.
    const error = new EloquaError(503, 'the mock is shutting down; the request body had not fully arrived')
    send(upload, 503, error.reasonPhrase, { 'x-request-id': upload.reqId, connection: 'close', 'x-mock-reason': error.message, 'content-length': 0 })
  }

  /** Stages the upload when every condition of a 204 holds; false, having changed nothing, for fastify to answer. */
  function staged (upload: TakenUpload, body: Buffer): boolean {
    const { principal, parentId, id } = upload
    // A byte order mark, text that is not UTF-8, or records the scan does not vouch for: fastify says what is wrong.
    if (body[0] === 0xef || !isUtf8(body)) return false
    const recordCount = countRecordList(body, maxJsonDepth)
    if (recordCount < 0) return false
    try {
      // The site may have been removed, or the definition deleted, while the body arrived.
      const site = store.site(principal)
      const definition = site.resolveDefinition(principal, KIND, parentId, id)
      if (definition.body.isSyncTriggeredOnImport) return false
      // A small upload is staged as a latin1 string (compactBytes). Made here, the journal keeps
      // the same string as the body's head when the body is ASCII (as UTF-8 it reads the same),
      // instead of a string of its own per request for the collector to copy and promote.
      const bytes = body.length < SMALL_UPLOAD_BYTES ? body.toString('latin1') : body
      site.stageUpload(definition, { format: 'json', bytes, recordCount }, principal)
      if (typeof bytes === 'string' && bytes.length <= journalBodyBytes && isAscii(body)) upload.head = bytes
    } catch {
      // 401, 404, 403, a full staging area…: refused before any change, and fastify answers it.
      return false
    }
    return true
  }

  /** Sends the lean path's answer, without a body. */
  function send (upload: TakenUpload, status: number, phrase: string, headers: Record<string, string | number>): void {
    upload.status = status
    upload.phrase = phrase
    upload.headers = headers
    upload.res.writeHead(status, phrase, headers)
    upload.res.end()
  }

  /** Once an answer is out, its log line and journal entry, as the pipeline's onResponse hooks write them. */
  function answered (this: ServerResponse): void {
    const req = this.req as LeanRequest
    const socket = req.socket
    releaseSocket(socket, this)
    // As in the pipeline while closing: the connection ends with its answer.
    if (closing) socket.destroy()
    const upload = req[TAKEN] as TakenUpload
    if (upload.headers === undefined) return
    const { reqId, start, principal, status, headers, body } = upload
    const responseTime = performance.now() - start
    // The path is canonical (uploadPath): digits and ASCII, nothing to escape.
    logCompleted(reqId, 'POST', req.url as string, status, responseTime)
    journal.record({
      time: clock.now(),
      wallMs: Date.now(),
      method: 'POST',
      path: req.url as string,
      operation: OPERATION,
      site: principal.siteName,
      user: principal.loginName,
      status,
      durationMs: Math.round(responseTime * 1000) / 1000,
      fault: undefined,
      reason: headers['x-mock-reason'] as string | undefined,
      retryAfter: undefined,
      requestBytes: Number(req.headers['content-length']),
      responseBytes: 0,
      requestBody: journalBodyBytes > 0 && body !== undefined ? upload.head ?? journalHead(body, journalBodyBytes) : undefined,
      responseBody: undefined
    })
  }

  // fastify reads a handed-over body from its replay: the request's own stream is spent.
  app.addHook('preParsing', (request, _reply, payload, done) => {
    done(null, (request.raw as LeanRequest)[REPLAY] ?? payload)
  })
  app.addHook('onReady', (done) => {
    const server = app.server
    fastifyListener = server.listeners('request')[0] as typeof fastifyListener
    server.removeAllListeners('request')
    server.on('request', serve)
    done()
  })
  app.addHook('preClose', (done) => {
    closing = true
    for (const req of [...arriving]) unavailable(req)
    done()
  })
}, { name: 'lean-upload', dependencies: ['store', 'journal', 'faults', 'connections'] })
