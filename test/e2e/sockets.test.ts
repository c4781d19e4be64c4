// What arrives below the routes, over real sockets: malformed HTTP, slow clients, and shutdown
// with connections that are idle, half-sent or still uploading.
import t from 'tap'
import { connect, type Socket } from 'node:net'
import type { AddressInfo } from 'node:net'
import { API_USER, basic, build } from '../helper.js'

type App = Awaited<ReturnType<typeof build>>

async function listening (t: Parameters<typeof build>[0], config: Parameters<typeof build>[1] = {}): Promise<{ app: App, port: number }> {
  const app = await build(t, config)
  await app.listen({ port: 0, host: '127.0.0.1' })
  return { app, port: (app.server.address() as AddressInfo).port }
}

/** Opens a raw connection, writes `text`, and collects everything until the server closes it. */
function raw (port: number, text: string | Buffer): { socket: Socket, received: Promise<string> } {
  const socket = connect(port, '127.0.0.1')
  socket.on('error', () => {})
  const chunks: Buffer[] = []
  socket.on('data', (chunk: Buffer) => chunks.push(chunk))
  const received = new Promise<string>((resolve) => socket.on('close', () => resolve(Buffer.concat(chunks).toString('latin1'))))
  socket.write(text)
  return { socket, received }
}

const responses = (text: string): number => text.match(/HTTP\/1\.1 \d{3} /g)?.length ?? 0

t.test('malformed requests answer in the mock\'s error shape, with X-Mock-Reason, and close', async (t) => {
  const { port } = await listening(t)
  const cases: Array<[string, string, number]> = [
    ['a space in the target', 'GET /api/bulk/2.0/a b HTTP/1.1\r\nHost: x\r\n\r\n', 400],
    ['both Content-Length and Transfer-Encoding', 'POST /api/bulk/2.0/syncs HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n', 400],
    ['bad chunking', `POST /api/bulk/2.0/syncs HTTP/1.1\r\nHost: x\r\nAuthorization: ${API_USER}\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\nzz\r\n`, 400],
    ['headers over the limit', `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20000)}\r\n\r\n`, 431]
  ]
  for (const [what, request, status] of cases) {
    const text = await raw(port, request).received
    t.match(text, new RegExp(`^HTTP/1.1 ${status} `), what)
    t.match(text, /\r\nX-Mock-Reason: [^\r]+\r\n/i, what)
    t.equal(responses(text), 1, `${what}: one answer`)
    if (status === 400) t.match(text, /\r\n\r\n\{"failures":\[\{"field":"request","constraint":"Must be a valid HTTP\/1.1 request."\}\]\}$/, what)
  }
})

t.test('an early 401 on a chunked upload is not followed by a second answer when the body turns out bad', async (t) => {
  const { port } = await listening(t)
  const { socket, received } = raw(port, `POST /api/bulk/2.0/customObjects/9/syncActions/6/data HTTP/1.1\r\nHost: x\r\nAuthorization: ${basic('APITest\\API.User', 'wrong')}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`)
  await new Promise((resolve) => socket.once('data', resolve))
  socket.write('zz\r\nnot a chunk\r\n')
  const text = await received
  t.match(text, /^HTTP\/1.1 401 /)
  t.equal(responses(text), 1)
})

t.test('a client that sends its headers too slowly gets 408 within HEADERS_TIMEOUT_MS and a second or so', async (t) => {
  const { port } = await listening(t, { config: { HEADERS_TIMEOUT_MS: 1000, REQUEST_TIMEOUT_MS: 5000 } })
  const started = performance.now()
  const text = await raw(port, 'GET /__mock/health HTTP/1.1\r\nHost: x\r\n').received
  t.match(text, /^HTTP\/1.1 408 Request Timeout\r\n/)
  t.ok(performance.now() - started < 4000)
})

t.test('a body trickled past REQUEST_TIMEOUT_MS is cut off with 408', async (t) => {
  const { port } = await listening(t, { config: { HEADERS_TIMEOUT_MS: 1000, REQUEST_TIMEOUT_MS: 1500 } })
  const { socket, received } = raw(port, `POST /api/bulk/2.0/customObjects/9/syncActions/6/data HTTP/1.1\r\nHost: x\r\nAuthorization: ${API_USER}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n[`)
  const trickle = setInterval(() => { if (!socket.destroyed) socket.write(' ') }, 200)
  t.teardown(() => clearInterval(trickle))
  const started = performance.now()
  const text = await received
  t.match(text, /^HTTP\/1.1 408 /)
  t.ok(performance.now() - started < 5000)
})

t.test('closing does not wait for idle, half-sent or still-uploading clients; received requests are answered', async (t) => {
  const { app, port } = await listening(t, { config: { SYNC_PENDING_MS: 0 } })
  // Counts what the server has seen, so the test waits for events rather than for time.
  const counts = { connection: 0, request: 0 }
  let wanted = { connection: Infinity, request: Infinity }
  let reached = (): void => {}
  const count = (event: 'connection' | 'request'): void => {
    counts[event]++
    if (counts.connection >= wanted.connection && counts.request >= wanted.request) reached()
  }
  app.server.on('connection', () => count('connection'))
  app.server.on('request', () => count('request'))
  const seen = async (connection: number, request: number): Promise<void> => {
    if (counts.connection >= connection && counts.request >= request) return
    await new Promise<void>((resolve) => { wanted = { connection, request }; reached = resolve })
  }
  const idle = raw(port, 'GET /__mock/health HTTP/1.1\r\nHost: x\r\n\r\n')
  await new Promise((resolve) => idle.socket.once('data', resolve))
  const halfHeaders = raw(port, 'GET /__mock/health HTTP/1.1\r\nHost: x\r\nX-Slow')
  const uploading = raw(port, `POST /api/bulk/2.0/customObjects/9/syncActions/6/data HTTP/1.1\r\nHost: x\r\nAuthorization: ${API_USER}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n[{"Id":`)
  // A request that is fully sent before the close is answered normally.
  const complete = fetch(`http://127.0.0.1:${port}/api/bulk/2.0/syncs`, { headers: { authorization: API_USER } })
  await seen(4, 3)
  const started = performance.now()
  await app.close()
  t.ok(performance.now() - started < 2000, 'closed at once, not after the clients gave up')
  t.equal((await complete).status, 200)
  t.match(await idle.received, /^HTTP\/1.1 200 /, 'the idle connection was closed after its answer')
  t.equal(await halfHeaders.received, '', 'the half-sent request got no answer, its connection closed')
  const uploadAnswer = await uploading.received
  t.match(uploadAnswer, /^HTTP\/1.1 503 Service Unavailable\r\n/, 'the unfinished upload was answered 503')
  t.match(uploadAnswer, /\r\nconnection: close\r\n/i)
})

t.test('a bad request pipelined behind a good upload: the upload is answered first, then the 400', async (t) => {
  const { app, port } = await listening(t)
  const upload = `POST /api/bulk/2.0/customObjects/9/syncActions/6/data HTTP/1.1\r\nHost: x\r\nAuthorization: ${API_USER}\r\nContent-Type: application/json\r\nContent-Length: 28\r\n\r\n[{"Id":"DLPSB000000000020"}]`
  const text = await raw(port, `${upload}GARBAGE\r\n\r\n`).received
  t.match(text, /^HTTP\/1.1 204 [^]*HTTP\/1.1 400 There was a parsing error.\r\n/)
  t.equal(responses(text), 2)
  t.equal((await app.inject('/__mock/state?definition=6')).json().syncActionDefinitions[0].staged.uploads, 1)
})

t.test('a request without Host is served, and an Expect the mock cannot meet answers 417 in its shape', async (t) => {
  const { port } = await listening(t)
  t.match(await raw(port, 'GET /__mock/health HTTP/1.1\r\nConnection: close\r\n\r\n').received, /^HTTP\/1.1 200 /)
  const expect = await raw(port, 'GET /__mock/health HTTP/1.1\r\nHost: x\r\nExpect: foo\r\n\r\n').received
  t.match(expect, /^HTTP\/1.1 417 Expectation Failed\r\n/)
  t.match(expect, /\r\nx-mock-reason: only Expect: 100-continue is supported\r\n/i)
})
