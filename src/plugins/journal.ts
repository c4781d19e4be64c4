/**
 * Records every Eloqua API request in the journal (domain/journal.ts) once it is answered: the
 * control surface (/__mock) is left out. With JOURNAL_SIZE=0 no hook is added at all.
 */
import fp from 'fastify-plugin'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { RequestJournal } from '../domain/journal.js'

declare module 'fastify' {
  interface FastifyInstance {
    journal: RequestJournal
    /** Records a request now, with this status: for answers that bypass fastify (connection faults). */
    recordRequest: (request: FastifyRequest, reply: FastifyReply, status: number) => void
  }
  interface FastifyReply {
    /** The first JOURNAL_BODY_BYTES of the answer, kept by onSend for the journal. */
    journalBody: string | undefined
  }
}

export interface JournalOptions {
  size: number
  bodyBytes: number
}

/** Token requests and answers carry passwords, codes and tokens: their bodies are never kept. */
const SECRET_OPERATIONS = new Set(['createOAuthToken'])

/** A copy of the first characters: a slice of a string would keep the whole answer alive. */
function head (body: Buffer | string, bytes: number): string {
  if (typeof body === 'string') return body.length <= bytes ? body : Buffer.from(body.slice(0, bytes)).toString('utf8')
  return body.subarray(0, bytes).toString('utf8')
}

function byteLength (header: unknown): number {
  const n = Number(header)
  return Number.isFinite(n) ? n : 0
}

export default fp<JournalOptions>(async function journal (app, { size, bodyBytes }) {
  const requests = new RequestJournal(size)
  app.decorate('journal', requests)
  if (!requests.enabled) {
    app.decorate('recordRequest', () => {})
    return
  }
  const keepBodies = bodyBytes > 0
  if (keepBodies) {
    app.decorateReply('journalBody', undefined)
    app.addHook('onSend', (request, reply, payload, done) => {
      if (!request.routeOptions.config?.mockAdmin && (typeof payload === 'string' || Buffer.isBuffer(payload))) reply.journalBody = head(payload, bodyBytes)
      done(null, payload)
    })
  }
  function record (request: FastifyRequest, reply: FastifyReply, status: number, config = request.routeOptions.config): void {
    const principal = request.principal
    const identity = principal === null || principal === undefined ? app.directory.claimedIdentity(request.headers.authorization) : { site: principal.siteName, user: principal.loginName }
    const operation = config?.operation
    const secret = operation !== undefined && SECRET_OPERATIONS.has(operation)
    const fault = reply.getHeader('x-mock-fault')
    const reason = reply.getHeader('x-mock-reason')
    const retryAfter = Number(reply.getHeader('retry-after'))
    const upload = request.upload
    requests.record({
      time: app.clock.now(),
      wallMs: Date.now(),
      method: request.method,
      path: request.url,
      ...(operation === undefined ? {} : { operation }),
      ...(identity.site === undefined ? {} : { site: identity.site }),
      ...(identity.user === undefined ? {} : { user: identity.user }),
      status,
      durationMs: Math.round(reply.elapsedTime * 1000) / 1000,
      ...(typeof fault === 'string' ? { fault } : {}),
      ...(typeof reason === 'string' ? { reason } : {}),
      ...(Number.isFinite(retryAfter) && retryAfter >= 0 ? { retryAfter } : {}),
      requestBytes: byteLength(request.headers['content-length']),
      responseBytes: byteLength(reply.getHeader('content-length')),
      ...(keepBodies && !secret && upload !== null && upload !== undefined ? { requestBody: head(upload.bytes, bodyBytes) } : {}),
      ...(keepBodies && !secret && reply.journalBody !== undefined ? { responseBody: reply.journalBody } : {})
    })
  }
  app.decorate('recordRequest', record)
  app.addHook('onResponse', function recordRequest (request: FastifyRequest, reply: FastifyReply, done: () => void) {
    // routeOptions builds a new object at each read: read it once.
    const config = request.routeOptions.config
    if (config?.mockAdmin !== true) record(request, reply, reply.statusCode, config)
    done()
  })
}, { name: 'journal', dependencies: ['store'] })
