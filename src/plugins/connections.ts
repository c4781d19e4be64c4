/**
 * The socket side of the server: errors Node finds before any route runs (bad chunking, a bad
 * request line, headers too large, a body that took too long), answered in the mock's error shape;
 * and a shutdown that does not wait for slow or silent clients. On close, connections with no
 * request in flight (idle, or still sending headers) are closed at once, requests whose body is
 * still arriving are answered 503 and their connections closed, and requests already received are
 * answered as usual.
 */
import type { ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import fp from 'fastify-plugin'
import type { FastifyReply } from 'fastify'
import { EloquaError } from '../domain/errors.js'
import { sendEloquaError } from './errors.js'

/** The reply of the request a connection is serving, set when the request arrives. */
const CURRENT = Symbol('eloqua-bulk-mock.currentReply')
/** The response the lean upload path (lean-upload.ts) owes on the connection, until it is out. */
const HELD = Symbol('eloqua-bulk-mock.heldByLeanPath')
type TrackedSocket = Socket & { [CURRENT]?: FastifyReply | undefined, [HELD]?: ServerResponse | undefined }

/** Status, reason phrase and explanation of what Node refuses; anything else is a 400. */
const CLIENT_ERRORS: Readonly<Record<string, readonly [number, string, string]>> = {
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'Request Timeout', 'the request was not received in time (REQUEST_TIMEOUT_MS or HEADERS_TIMEOUT_MS)'],
  HPE_HEADER_OVERFLOW: [431, 'Request Header Fields Too Large', 'the request line and headers are larger than the server accepts']
}

/** The reply a connection is serving, if any. */
export function trackedReply (socket: Socket): FastifyReply | undefined {
  return (socket as TrackedSocket)[CURRENT]
}

/** Remembers which reply a connection is serving. */
export function trackReply (socket: Socket, reply: FastifyReply): void {
  (socket as TrackedSocket)[CURRENT] = reply
}

/**
 * Marks a connection as serving a request outside fastify, until `response` is out or handed to
 * fastify: the shutdown leaves the connection to the lean path, and an error answer waits for it.
 */
export function holdSocket (socket: Socket, response: ServerResponse): void {
  (socket as TrackedSocket)[HELD] = response
}

export function releaseSocket (socket: Socket, response: ServerResponse): void {
  if ((socket as TrackedSocket)[HELD] === response) (socket as TrackedSocket)[HELD] = undefined
}

/** Answers what Node's HTTP parser refused, in the mock's shape, on the socket itself. */
export function clientErrorHandler (err: NodeJS.ErrnoException, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return
  const reply = (socket as TrackedSocket)[CURRENT]
  // A response to this request is already out (an early 401 before its body was read): a second
  // one on the same connection would be a protocol error, so the connection just closes.
  if (reply !== undefined && reply.raw.headersSent && !reply.request.raw.complete) {
    socket.destroy()
    return
  }
  const [status, phrase, reason] = CLIENT_ERRORS[String(err.code)] ?? [400, 'There was a parsing error.', `the request is not valid HTTP (${String(err.code)})`]
  const body = status === 400 ? JSON.stringify({ failures: [{ field: 'request', constraint: 'Must be a valid HTTP/1.1 request.' }] }) : ''
  const answer = (): void => {
    if (socket.writable) {
      socket.end([
        `HTTP/1.1 ${status} ${phrase}`,
        `X-Mock-Reason: ${reason}`,
        'Connection: close',
        ...(body === '' ? ['Content-Length: 0'] : ['Content-Type: application/json; charset=utf-8', `Content-Length: ${Buffer.byteLength(body)}`]),
        '',
        body
      ].join('\r\n'))
    }
    socket.destroySoon()
  }
  // A pipelined request before the bad one, received whole, is still being answered: its answer goes out first.
  const held = (socket as TrackedSocket)[HELD]
  if (held !== undefined && held.req.complete) held.once('finish', answer)
  else if (reply !== undefined && reply.request.raw.complete && !reply.raw.writableFinished) reply.raw.once('finish', answer)
  else answer()
}

export default fp(async function connections (app) {
  const sockets = new Set<TrackedSocket>()
  // Node answers an Expect it cannot meet itself, without the mock's headers: answer it here.
  app.server.on('checkExpectation', (_request, response: ServerResponse) => {
    response.writeHead(417, 'Expectation Failed', { 'x-mock-reason': 'only Expect: 100-continue is supported', connection: 'close', 'content-length': 0 }).end()
  })
  app.server.on('connection', (socket: TrackedSocket) => {
    sockets.add(socket)
    socket.once('close', () => sockets.delete(socket))
  })
  app.addHook('onRequest', (request, reply, done) => {
    trackReply(request.raw.socket, reply)
    done()
  })
  // Once answered, a request received whole is forgotten: an idle keep-alive connection must not
  // keep its last request, and the records parsed from its body, alive.
  app.addHook('onResponse', (request, reply, done) => {
    const socket = request.raw.socket as TrackedSocket
    if (request.raw.complete !== false && socket[CURRENT] === reply) socket[CURRENT] = undefined
    done()
  })

  app.addHook('preClose', (done) => {
    for (const socket of sockets) {
      if (socket[HELD] !== undefined) continue
      const reply = socket[CURRENT]
      if (reply === undefined || reply.raw.writableFinished) {
        // Idle, or still sending the headers of a request no route has seen.
        socket.destroy()
      } else if (!reply.request.raw.complete && !reply.sent) {
        // The body is still arriving: it would hold the shutdown for as long as the client likes.
        reply.raw.once('finish', () => socket.destroy())
        sendEloquaError(reply.header('connection', 'close'), new EloquaError(503, 'the mock is shutting down; the request body had not fully arrived'))
      }
    }
    done()
  })
}, { name: 'connections', dependencies: ['errors'] })
