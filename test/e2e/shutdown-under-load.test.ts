// SIGTERM while the built command is busy: a stream of uploads on keep-alive connections, one
// connection that sent only half its headers, and one upload trickling its body. The process
// must exit 0 well inside SHUTDOWN_GRACE_MS (10 s by default), answer every request that had been
// sent in full before the signal, and not let the two slow clients hold the exit.
import t from 'tap'
import { Agent, request } from 'node:http'
import { connect, type Socket } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import { startServer } from './process.js'

const AUTH = `Basic ${Buffer.from('APITest\\API.User:secret').toString('base64')}`
const UPLOAD = '/api/bulk/2.0/customObjects/9/syncActions/6/data'
const PROMPT_EXIT_MS = 5000
const LOAD_MS = 1000
const CLIENTS = 16

interface Sent {
  /** When the whole request had been written to the socket ('finish'). */
  sentAt?: number
  status?: number
  error?: string
}

/** One upload on a keep-alive connection; resolves with what became of it, never rejects. */
async function upload (agent: Agent, port: number, i: number): Promise<Sent> {
  const payload = i % 10 === 9 ? '{"not":"an array"}' : JSON.stringify([{ Id: 'DLPSB000000000020' }, { Id: `LOAD-${i}` }])
  return await new Promise((resolve) => {
    const sent: Sent = {}
    const req = request({
      host: '127.0.0.1',
      port,
      method: 'POST',
      path: UPLOAD,
      agent,
      headers: { authorization: AUTH, 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }
    }, (res) => {
      if (res.statusCode !== undefined) sent.status = res.statusCode
      res.resume()
      res.once('close', () => resolve(sent))
    })
    req.once('finish', () => { sent.sentAt = performance.now() })
    req.once('error', (err: NodeJS.ErrnoException) => {
      sent.error = err.code ?? err.message
      resolve(sent)
    })
    req.end(payload)
  })
}

interface RawClient { socket: Socket, received: string, closedAt?: number }

async function rawClient (port: number, first: string): Promise<RawClient> {
  const socket = connect(port, '127.0.0.1')
  await new Promise((resolve, reject) => { socket.once('connect', resolve).once('error', reject) })
  const client: RawClient = { socket, received: '' }
  socket.on('data', (chunk: Buffer) => { client.received += chunk.toString('latin1') })
  socket.on('error', () => {})
  socket.on('close', () => { client.closedAt = performance.now() })
  socket.write(first)
  return client
}

t.test('SIGTERM under load: requests sent are answered, slow clients are cut, exit 0 within 5 s', async (t) => {
  // Uploads stay within MAX_UPLOADS_PER_SYNC, so that most answers are 204 (every 10th is a 400).
  const server = await startServer(t, ['--max-uploads-per-sync', '1000000'])
  const port = Number(new URL(server.url).port)
  const agent = new Agent({ keepAlive: true, maxSockets: CLIENTS })
  t.teardown(() => agent.destroy())

  // A client that stopped in the middle of its headers.
  const halfHeaders = await rawClient(port, `POST ${UPLOAD} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${AUTH}\r\nContent-Ty`)
  // An upload that announces 100,000 bytes and sends one every 100 ms.
  const trickling = await rawClient(port, `POST ${UPLOAD} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${AUTH}\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n[`)
  const trickle = setInterval(() => { if (trickling.closedAt === undefined) trickling.socket.write(' ') }, 100)
  t.teardown(() => {
    clearInterval(trickle)
    halfHeaders.socket.destroy()
    trickling.socket.destroy()
  })

  // The stream: CLIENTS loops, each sending the next upload as soon as the last one is answered,
  // until a little after SIGTERM (what is sent after it may be refused; nothing is asserted of it).
  let stopAt = Infinity
  const sending = (): boolean => performance.now() < stopAt
  const requests: Array<Promise<Sent>> = []
  let count = 0
  const loops = Array.from({ length: CLIENTS }, async () => {
    while (sending()) {
      const sent = upload(agent, port, count++)
      requests.push(sent)
      await sent
    }
  })

  await sleep(LOAD_MS)
  const signalledAt = performance.now()
  stopAt = signalledAt + 200
  server.child.kill('SIGTERM')
  const exit = await Promise.race([server.exit, sleep(15_000, undefined, { ref: false }).then(() => undefined)])
  const exitMs = Math.round(performance.now() - signalledAt)
  await Promise.all(loops)
  const outcomes = await Promise.all(requests)

  t.ok(exit !== undefined, 'the process exits')
  t.strictSame(exit, { code: 0, signal: null }, 'with code 0')
  t.ok(exitMs < PROMPT_EXIT_MS, `within ${PROMPT_EXIT_MS} ms of SIGTERM (took ${exitMs} ms)`)

  const sentBefore = outcomes.filter((o) => o.sentAt !== undefined && o.sentAt < signalledAt)
  const unanswered = sentBefore.filter((o) => o.status === undefined || !(o.status < 300 || (o.status >= 400 && o.status < 500)))
  t.ok(sentBefore.length > 100, `a real load: ${sentBefore.length} uploads sent before SIGTERM`)
  t.strictSame(unanswered, [], 'every upload sent in full before SIGTERM got a 2xx or 4xx answer, not a reset')
  const tally = (list: readonly Sent[]): string => {
    const counts: Record<string, number> = {}
    for (const o of list) {
      const key = o.status === undefined ? String(o.error) : String(o.status)
      counts[key] = (counts[key] ?? 0) + 1
    }
    return JSON.stringify(counts)
  }
  t.comment(`sent before SIGTERM: ${tally(sentBefore)}; the others: ${tally(outcomes.filter((o) => !sentBefore.includes(o)))}`)

  for (const [name, client] of [['half-headers connection', halfHeaders], ['trickling upload', trickling]] as const) {
    t.ok(client.closedAt !== undefined, `the ${name} is closed (${client.closedAt === undefined ? 'still open' : `${Math.round(client.closedAt - signalledAt)} ms after SIGTERM`})`)
    t.ok(client.received === '' || client.received.startsWith('HTTP/1.1 503'), `the ${name} is cut, or answered 503 (got ${JSON.stringify(client.received.split('\r\n')[0])})`)
  }
})
