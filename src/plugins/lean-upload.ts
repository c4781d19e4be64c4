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
import { isUtf8 } from 'node:buffer'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { PassThrough, type Readable } from 'node:stream'
import fp from 'fastify-plugin'
import { mayUseBulkApi, type Principal } from '../domain/directory.js'
import { EloquaError } from '../domain/errors.js'
import type { FaultResponse } from '../domain/faults.js'
import { countRecordList } from '../domain/record-list.js'
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
const FAULT_DECIDED = Symbol('eloqua-bulk-mock.faultDecided')
const AUTHENTICATED = Symbol('eloqua-bulk-mock.authenticatedAs')
const ASSIGNED_ID = Symbol('eloqua-bulk-mock.requestId')

interface LeanRequest extends IncomingMessage {
  [REPLAY]?: Readable
  [FAULT_DECIDED]?: { fault: FaultResponse | undefined }
  [AUTHENTICATED]?: Principal
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
export function decidedFault (req: IncomingMessage): { fault: FaultResponse | undefined } | undefined {
  return (req as LeanRequest)[FAULT_DECIDED]
}

export function authenticatedAs (req: IncomingMessage): Principal | undefined {
  return (req as LeanRequest)[AUTHENTICATED]
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

interface LeanAnswer {
  reqId: string
  /** performance.now() when the request arrived. */
  start: number
  principal: Principal
  status: number
  phrase: string
  headers: Record<string, string | number>
  /** The upload's bytes, for the journal; undefined when they had not all arrived. */
  body: Buffer | undefined
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
  /** Uploads whose body is still arriving, with what answers each 503 when the server closes. */
  const arriving = new Map<IncomingMessage, () => void>()
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

  /** Whether a fault rule takes the request, decided once, before its body is read, as the pipeline does. */
  function faulted (req: LeanRequest, parentId: string, id: string): boolean {
    const authorization = req.headers.authorization
    const fault = faults.size === 0 ? undefined : faults.decide({ operation: OPERATION, method: 'POST', path: req.url as string, params: { parentId, id }, headers: req.headers, identity: () => directory.claimedIdentity(authorization) })
    req[FAULT_DECIDED] = { fault }
    return fault !== undefined
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
    // A request a rule takes is authenticated by the pipeline after the rule, as any other.
    if (faulted(req, parentId, id)) {
      handOver(req, res)
      return
    }
    req[AUTHENTICATED] = principal
    const socket = req.socket
    const chunks: Buffer[] = []
    let received = 0
    const onData = (chunk: Buffer): void => {
      chunks.push(chunk)
      received += chunk.length
    }
    const stop = (): void => {
      arriving.delete(req)
      req.removeListener('data', onData)
      req.removeListener('end', onEnd)
      req.removeListener('error', gone)
    }
    const gone = (err: Error): void => {
      stop()
      releaseSocket(socket, res)
      // The line the pipeline writes when a body stops halfway; there is no answer to log.
      app.log.info({ reqId, status: 400, reason: err.message }, 'request refused')
    }
    function onEnd (): void {
      // Once a request has ended it emits no more data, and no error (Node only reports an abort
      // before the end), so its listeners can stay.
      arriving.delete(req)
      // A copy, as the pipeline makes: a chunk is a slice of the whole read, headers included, and a
      // staged upload must hold its own bytes only (millions of seed calls stay compact).
      const body = Buffer.concat(chunks, received)
      if (!staged(principal, parentId, id, body)) {
        handOver(req, res, body)
        return
      }
      answer = { reqId, start, principal, status: 204, phrase: 'Success', headers: { 'x-request-id': reqId }, body }
      send(res, answer)
    }
    // The lean path's own answer, once it gives one (a request handed over gets fastify's).
    let answer: LeanAnswer | undefined
    // Until it is answered, the shutdown must not take this connection for an idle one.
    holdSocket(socket, res)
    res.once('finish', () => {
      releaseSocket(socket, res)
      // As in the pipeline while closing: the connection ends with its answer.
      if (closing) socket.destroy()
      if (answer !== undefined) completed(req, answer)
    })
    arriving.set(req, () => {
      stop()
      // Eloqua documents no body for a 503, and the pipeline sends none.
      const error = new EloquaError(503, 'the mock is shutting down; the request body had not fully arrived')
      const headers = { 'x-request-id': reqId, connection: 'close', 'x-mock-reason': error.message, 'content-length': 0 }
      answer = { reqId, start, principal, status: 503, phrase: error.reasonPhrase, headers, body: undefined }
      send(res, answer)
    })
    req.on('data', onData)
    req.on('end', onEnd)
    // The client went away: there is nothing to answer, as in the pipeline.
    req.on('error', gone)
  }

  /** Stages the upload when every condition of a 204 holds; false, having changed nothing, for fastify to answer. */
  function staged (principal: Principal, parentId: string, id: string, body: Buffer): boolean {
    // A byte order mark, text that is not UTF-8, or records the scan does not vouch for: fastify says what is wrong.
    if (body[0] === 0xef || !isUtf8(body)) return false
    const recordCount = countRecordList(body, maxJsonDepth)
    if (recordCount < 0) return false
    try {
      // The site may have been removed, or the definition deleted, while the body arrived.
      const site = store.site(principal)
      const definition = site.resolveDefinition(principal, KIND, parentId, id)
      if (definition.body.isSyncTriggeredOnImport) return false
      site.stageUpload(definition, { format: 'json', bytes: body, recordCount }, principal)
    } catch {
      // 401, 404, 403, a full staging area…: refused before any change, and fastify answers it.
      return false
    }
    return true
  }

  /** Sends an answer without a body. */
  function send (res: ServerResponse, answer: LeanAnswer): void {
    res.writeHead(answer.status, answer.phrase, answer.headers)
    res.end()
  }

  /** Once an answer is out, its log line and journal entry, as the pipeline's onResponse hooks write them. */
  function completed (req: IncomingMessage, answer: LeanAnswer): void {
    const { reqId, start, principal, status, headers, body } = answer
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
      requestBody: journalBodyBytes > 0 && body !== undefined ? journalHead(body, journalBodyBytes) : undefined,
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
    for (const answerUnavailable of [...arriving.values()]) answerUnavailable()
    done()
  })
}, { name: 'lean-upload', dependencies: ['store', 'journal', 'faults', 'connections'] })
