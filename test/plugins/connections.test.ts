import t from 'tap'
import { EventEmitter } from 'node:events'
import { Socket } from 'node:net'
import type { FastifyReply } from 'fastify'
import { clientErrorHandler, trackReply, trackedReply } from '../../src/plugins/connections.js'
import { API_USER, build, dataUrl } from '../helper.js'

/** A socket that records what is written to it and whether it was destroyed. */
type FakeSocket = Socket & { written: string[], destroyedCalls: number }

function fakeSocket (): FakeSocket {
  const socket = new Socket() as FakeSocket
  socket.written = []
  socket.destroyedCalls = 0
  Object.defineProperty(socket, 'writable', { value: true })
  Object.assign(socket, {
    end: (chunk: string) => { socket.written.push(chunk); return socket },
    destroy: () => { socket.destroyedCalls++; return socket },
    destroySoon: () => { socket.destroyedCalls++ }
  })
  return socket
}

const error = (code: string): NodeJS.ErrnoException => Object.assign(new Error(code), { code })

t.test('a reset connection, or one already destroyed, gets nothing', async (t) => {
  const socket = fakeSocket()
  clientErrorHandler(error('ECONNRESET'), socket)
  t.strictSame(socket.written, [])
  const gone = new Socket()
  gone.destroy()
  t.doesNotThrow(() => clientErrorHandler(error('HPE_INVALID_METHOD'), gone))
})

t.test('while an answer to the same request is out, the connection is closed without a second answer', async (t) => {
  const socket = fakeSocket()
  trackReply(socket, { raw: { headersSent: true, writableFinished: true }, request: { raw: { complete: false } } } as unknown as FastifyReply)
  clientErrorHandler(error('HPE_INVALID_CHUNK_SIZE'), socket)
  t.strictSame(socket.written, [])
  t.equal(socket.destroyedCalls, 1)
})

t.test('after a finished exchange, a bad next request is answered', async (t) => {
  const socket = fakeSocket()
  trackReply(socket, { raw: { headersSent: true, writableFinished: true }, request: { raw: { complete: true } } } as unknown as FastifyReply)
  clientErrorHandler(error('ERR_HTTP_REQUEST_TIMEOUT'), socket)
  t.match(socket.written[0], /^HTTP\/1.1 408 Request Timeout\r\nX-Mock-Reason: the request was not received in time/)
  t.match(socket.written[0], /\r\nContent-Length: 0\r\n\r\n$/)
})

t.test('a pipelined request still being answered gets its answer first; the 400 follows', async (t) => {
  const socket = fakeSocket()
  const raw = Object.assign(new EventEmitter(), { headersSent: false, writableFinished: false })
  trackReply(socket, { raw, request: { raw: { complete: true } } } as unknown as FastifyReply)
  clientErrorHandler(error('HPE_INVALID_METHOD'), socket)
  t.strictSame(socket.written, [], 'nothing yet')
  raw.emit('finish')
  t.match(socket.written[0], /^HTTP\/1.1 400 There was a parsing error.\r\n/)
})

t.test('once answered, a request is forgotten by its connection, so an idle one holds no parsed body', async (t) => {
  const app = await build(t)
  const res = await app.inject({ method: 'POST', url: dataUrl(9, 6), payload: [{ Id: 'a' }], headers: { authorization: API_USER } })
  t.equal(res.statusCode, 204)
  t.equal(trackedReply(res.raw.req.socket), undefined)
})
