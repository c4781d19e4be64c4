/**
 * Applies fault rules and `Prefer: code=...` to every Eloqua request, before authentication, as a
 * failing gateway would. The only place faults act: routes and the domain never see them.
 */
import fp from 'fastify-plugin'
import type { Socket } from 'node:net'
import { TLSSocket } from 'node:tls'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { EloquaError } from '../domain/errors.js'
import { preferredFault, type FaultResponse } from '../domain/faults.js'
import { sendEloquaError } from './errors.js'
import type { OperationId } from '../schemas/operations.js'
import { routeConfig } from './route-config.js'
import { decidedFault } from './lean-upload.js'

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Routes of the mock's own control surface, which faults never touch. */
    mockAdmin?: boolean
    /** Operation id, for fault rules and the OpenAPI description. */
    operation?: OperationId
  }
}

/** Eloqua documents a body only for 400; a simulated 400 carries one so clients can parse it. */
function defaultBody (status: number): unknown {
  return status === 400 ? { failures: [{ field: 'request', constraint: 'There was a validation error.' }] } : undefined
}

/** What a truncated answer promises when the rule gives no body: a list answer, as Eloqua's lists are. */
const DEFAULT_PROMISED_BODY = { items: [], totalResults: 0, limit: 1000, offset: 0, count: 0, hasMore: false }

declare module 'fastify' {
  interface FastifyInstance {
    /** Lets go of every connection a `hang` fault holds (a reset and the shutdown do this). */
    releaseHungConnections: () => void
  }
}

export default fp(async function faults (app) {
  // Connections a `hang` rule holds: bounded by CONNECTION_TIMEOUT_MS of silence, and let go on reset and close.
  const hung = new Set<Socket>()
  const release = (): void => {
    for (const socket of hung) socket.destroy()
    hung.clear()
  }
  app.decorate('releaseHungConnections', release)
  app.addHook('preClose', (done) => {
    release()
    done()
  })

  /** Fails the connection itself, as a broken network or gateway would; fastify answers nothing. */
  function failConnection (request: FastifyRequest, reply: FastifyReply, fault: FaultResponse): void {
    reply.hijack()
    const socket = request.raw.socket
    const response = reply.raw
    const status = fault.status ?? 200
    const headers = { ...(reply.getHeaders() as Record<string, string>), ...fault.headers, 'content-type': 'application/json; charset=utf-8' }
    // The client may have gone while a delay ran: nothing left to fail.
    if (socket.destroyed) {
      app.recordRequest(request, reply, 0)
      return
    }
    switch (fault.connection) {
      case 'reset':
        app.recordRequest(request, reply, 0)
        // A TLS socket cannot send a TCP reset through its own handle: it is destroyed instead.
        if (socket instanceof TLSSocket) socket.destroy()
        else socket.resetAndDestroy()
        return
      case 'hang':
        app.recordRequest(request, reply, 0)
        hung.add(socket)
        socket.once('close', () => hung.delete(socket))
        return
      case 'close-after-headers': {
        app.recordRequest(request, reply, status)
        response.writeHead(status, { ...headers, 'content-length': Buffer.byteLength(JSON.stringify(fault.body ?? DEFAULT_PROMISED_BODY)) })
        response.flushHeaders()
        socket.end()
        return
      }
      default: {
        // truncate-body: the whole length promised, fewer bytes sent (always at least one fewer).
        app.recordRequest(request, reply, status)
        const body = Buffer.from(JSON.stringify(fault.body ?? DEFAULT_PROMISED_BODY))
        response.writeHead(status, { ...headers, 'content-length': body.length })
        response.write(body.subarray(0, Math.min(fault.bytes, body.length - 1)))
        socket.end()
      }
    }
  }

  // Callback-style, so a request that no fault touches costs no promise.
  app.addHook('onRequest', function applyFaults (request: FastifyRequest, reply: FastifyReply, done: (err?: Error) => void) {
    const prefer = typeof request.headers.prefer === 'string' ? request.headers.prefer : undefined
    // The lean upload path decides on the head before it hands a request over: the rules' counters move once.
    const decided = decidedFault(request.raw)
    if ((decided === undefined && prefer === undefined && app.faults.size === 0) || routeConfig(request).mockAdmin === true) {
      done()
      return
    }
    let fault: FaultResponse | undefined
    try {
      fault = decided !== undefined
        ? decided.fault
        : preferredFault(prefer) ?? app.faults.decide({
          operation: routeConfig(request).operation,
          method: request.method,
          path: request.url,
          params: request.params as Record<string, string | undefined>,
          headers: request.headers,
          identity: () => app.directory.claimedIdentity(request.headers.authorization)
        })
    } catch (err) {
      done(err as Error)
      return
    }
    if (fault === undefined) {
      done()
      return
    }
    const { status, explanation, headers, body, delayMs } = fault
    request.log.info({ fault: explanation }, 'fault injected')
    reply.header('x-mock-fault', fault.ruleName)
    const answer = (): void => {
      if (fault.connection !== undefined) {
        failConnection(request, reply, fault)
        return
      }
      if (status === undefined) {
        done()
        return
      }
      // A simulated 401 challenges like a real one, unless the rule says otherwise.
      if (status === 401) reply.header('www-authenticate', 'Basic realm="Eloqua", charset="UTF-8"')
      for (const [name, value] of Object.entries(headers)) reply.header(name, value)
      sendEloquaError(reply, new EloquaError(status, `simulated by ${explanation}`), body ?? defaultBody(status))
    }
    if (delayMs > 0) setTimeout(answer, delayMs)
    else answer()
  })
}, { name: 'faults', dependencies: ['store', 'errors', 'journal'] })
