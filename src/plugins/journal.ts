/**
 * Records every Eloqua API request in the journal (domain/journal.ts) once it is answered: the
 * control surface (/__mock) is left out. With JOURNAL_SIZE=0 no hook is added at all.
 */
import fp from 'fastify-plugin'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { RequestJournal } from '../domain/journal.js'
import { BytePieces } from '../domain/records.js'
import { routeConfig } from './route-config.js'

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
export function journalHead (body: Buffer | string | BytePieces, bytes: number): string {
  if (typeof body === 'string') return body.length <= bytes ? body : Buffer.from(body.slice(0, bytes)).toString('utf8')
  if (body instanceof BytePieces) return body.head(bytes).toString('utf8')
  return body.toString('utf8', 0, bytes)
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
      if (routeConfig(request).mockAdmin !== true && (typeof payload === 'string' || Buffer.isBuffer(payload))) reply.journalBody = journalHead(payload, bodyBytes)
      done(null, payload)
    })
  }
  function record (request: FastifyRequest, reply: FastifyReply, status: number): void {
    const principal = request.principal
    const identity = principal === null || principal === undefined ? app.directory.claimedIdentity(request.headers.authorization) : { site: principal.siteName, user: principal.loginName }
    const operation = routeConfig(request).operation
    const keepBody = keepBodies && !(operation !== undefined && SECRET_OPERATIONS.has(operation))
    const fault = reply.getHeader('x-mock-fault')
    const reason = reply.getHeader('x-mock-reason')
    const retryAfter = Number(reply.getHeader('retry-after'))
    const upload = request.upload
    // Every field present, absent ones undefined: one object shape, no spreads on the hot path.
    requests.record({
      time: app.clock.now(),
      wallMs: Date.now(),
      method: request.method,
      path: request.url,
      operation,
      site: identity.site,
      user: identity.user,
      status,
      durationMs: Math.round(reply.elapsedTime * 1000) / 1000,
      fault: typeof fault === 'string' ? fault : undefined,
      reason: typeof reason === 'string' ? reason : undefined,
      retryAfter: Number.isFinite(retryAfter) && retryAfter >= 0 ? retryAfter : undefined,
      requestBytes: byteLength(request.headers['content-length']),
      responseBytes: byteLength(reply.getHeader('content-length')),
      requestBody: keepBody && upload !== null && upload !== undefined ? journalHead(upload.bytes, bodyBytes) : undefined,
      responseBody: keepBody ? reply.journalBody : undefined
    })
  }
  app.decorate('recordRequest', record)
  app.addHook('onResponse', function recordRequest (request: FastifyRequest, reply: FastifyReply, done: () => void) {
    if (routeConfig(request).mockAdmin !== true) record(request, reply, reply.statusCode)
    done()
  })
}, { name: 'journal', dependencies: ['store'] })
