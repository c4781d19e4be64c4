// The lean upload path (plugins/lean-upload.ts) over real sockets: every request is sent to two
// apps built alike, one with the path and one without, and what a client and the control surface
// see must be the same: status, reason phrase, headers, body, journal entries, log lines, state.
import t, { type Test } from 'tap'
import { connect } from 'node:net'
import type { AddressInfo } from 'node:net'
import { Writable } from 'node:stream'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../../src/app.js'
import { ManualClock } from '../../src/domain/clock.js'
import type { Config } from '../../src/config.js'
import type { Fixtures } from '../../src/schemas/fixtures.js'
import { API_USER, basic, defaultFixtures, testConfig } from '../helper.js'

interface Served {
  app: FastifyInstance
  port: number
  /** Requests fastify's pipeline has seen (onRequest). */
  pipelined: () => number
  /** Log lines written, as objects. */
  lines: Array<Record<string, unknown>>
}

async function serve (t: Test, leanUploads: boolean, config: Partial<Config>, fixtures: Fixtures): Promise<Served> {
  const lines: Array<Record<string, unknown>> = []
  const stream = new Writable({
    write (chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line !== '') lines.push(JSON.parse(line) as Record<string, unknown>)
      done()
    }
  })
  const app = await buildApp({ config: testConfig(config), fixtures, clock: new ManualClock(), logger: { level: 'info', stream }, leanUploads })
  let pipelined = 0
  app.addHook('onRequest', (_request, _reply, done) => {
    pipelined++
    done()
  })
  t.teardown(() => app.close())
  await app.listen({ port: 0, host: '127.0.0.1' })
  return { app, port: (app.server.address() as AddressInfo).port, pipelined: () => pipelined, lines }
}

/** The same app twice: without the lean path, and with it. */
async function twins (t: Test, config: Partial<Config> = {}, fixtures: Fixtures = defaultFixtures()): Promise<[Served, Served]> {
  return [await serve(t, false, config, fixtures), await serve(t, true, config, fixtures)]
}

interface Call { path?: string, method?: string, headers?: Record<string, string>, body?: string | Buffer }

const UPLOAD = '/api/bulk/2.0/customObjects/9/syncActions/6/data'
const SEED = '[{"Id":"DLPSB000000000020"},{"Id":"DLPSB000000000021"}]'
const JSON_HEADERS = { authorization: API_USER, 'content-type': 'application/json' }

/** What a client sees of an answer, without what differs by the moment (Date). */
async function call (served: Served, { path = UPLOAD, method = 'POST', headers = JSON_HEADERS, body = SEED }: Call): Promise<{ status: number, phrase: string, headers: Record<string, string>, body: string }> {
  const res = await fetch(`http://127.0.0.1:${served.port}${path}`, { method, headers, ...(method === 'GET' ? {} : { body }) })
  const seen = Object.fromEntries([...res.headers].filter(([name]) => name !== 'date'))
  return { status: res.status, phrase: res.statusText, headers: seen, body: await res.text() }
}

/** Journal entries, without the wall-clock fields. */
async function journal (served: Served): Promise<unknown[]> {
  const items = (await served.app.inject('/__mock/requests')).json().items as Array<Record<string, unknown>>
  return items.map(({ wallMs: _w, durationMs: _d, ...entry }) => entry)
}

/** Log lines of requests, without times and durations. */
const logLines = (served: Served): unknown[] => served.lines.filter((line) => line.reqId !== undefined).map(({ time: _t, responseTime: _r, pid: _p, ...line }) => line)

async function state (served: Served): Promise<unknown> {
  return (await served.app.inject('/__mock/state')).json()
}

/** Sends each call to both apps, in turn, and checks they answer alike; returns how many the lean path served. */
async function compare (t: Test, [pipeline, lean]: [Served, Served], calls: Call[], label: (call: Call) => string = (c) => `${c.method ?? 'POST'} ${c.path ?? UPLOAD} ${String(c.body ?? SEED).slice(0, 40)}`): Promise<number> {
  let leanServed = 0
  for (const c of calls) {
    const before = lean.pipelined()
    const expected = await call(pipeline, c)
    const seen = await call(lean, c)
    t.same(seen, expected, label(c))
    if (lean.pipelined() === before) leanServed++
  }
  t.same(await journal(lean), await journal(pipeline), 'the same journal entries')
  t.same(logLines(lean), logLines(pipeline), 'the same log lines')
  t.same(await state(lean), await state(pipeline), 'the same state')
  return leanServed
}

const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(SEED)])
const records = (count: number, note = ''): string => JSON.stringify(Array.from({ length: count }, (_, i) => ({ Id: `DLPSB${String(i).padStart(12, '0')}`, Email: `user${i}@example.com`, ...(note === '' ? {} : { Note: note }) })))
const big = records(2000)

t.test('uploads answer, journal, log and stage as in the pipeline, whichever path serves them', async (t) => {
  const apps = await twins(t)
  const marketing = basic('APITest\\Marketing.User', 'secret')
  const events = basic('APITest\\Events.User', 'secret')
  const leanServed = await compare(t, apps, [
    {}, // the first use of the credentials: verified in the pipeline
    {},
    { headers: { ...JSON_HEADERS, 'content-type': 'application/json; charset=utf-8' } },
    { headers: { ...JSON_HEADERS, 'x-request-id': 'from-the-client' } },
    { body: '[]' },
    { body: '[ {"Id":"a","n":[1,2,{"x":null}]} , {} ]' },
    // Journal heads: small ASCII bodies share the string staged; others are read from the bytes.
    { body: '[{"Id":"é😀","n":"ü"}]' },
    { body: records(40) }, // ASCII, longer than the journal keeps, staged as a string
    { body: records(18, '€'.repeat(7)) }, // the journal's 1,024 bytes end inside a character
    { body: records(200) }, // staged as a Buffer
    // Refused once the body is read: the pipeline says why.
    { body: '[1]' },
    { body: '{"Id":"a"}' },
    { body: '[{"Id":' },
    { body: '[{"n":1e400}]' },
    { body: `[{"d":${'['.repeat(40)}${']'.repeat(40)}}]` },
    { body: bom },
    { body: Buffer.from([0x5b, 0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d, 0x5d]) },
    { path: '/api/bulk/2.0/customObjects/9/syncActions/999/data' },
    { path: '/api/bulk/2.0/customObjects/99/syncActions/6/data' },
    { path: '/api/bulk/2.0/customObjects/09/syncActions/006/data' },
    { path: '/api/bulk/2.0/customObjects/9/syncActions/7/data' }, // a sync on each upload: 201
    // Left to the pipeline from the head.
    { headers: { ...JSON_HEADERS, authorization: basic('APITest\\API.User', 'wrong') } },
    { headers: { 'content-type': 'application/json' } },
    { headers: { ...JSON_HEADERS, authorization: marketing } },
    { headers: { ...JSON_HEADERS, authorization: marketing } }, // verified before, but no Bulk API
    { headers: { ...JSON_HEADERS, prefer: 'status=500' } },
    { headers: { ...JSON_HEADERS, 'content-type': 'text/csv' }, body: 'Id\nDLPSB000000000020\n' },
    { headers: { ...JSON_HEADERS, 'content-encoding': 'gzip' } },
    { headers: { ...JSON_HEADERS, 'content-type': 'application/json' }, body: '' },
    { body: big },
    { method: 'GET' },
    { path: '/API/Bulk/2.0/customObjects/9/syncActions/6/data' },
    { path: `${UPLOAD}?x=1` },
    { path: '/api/bulk/2.0/customObjects//syncActions/6/data' },
    { path: '/api/bulk/2.0/customObjects/9/syncActions/12345678901/data' },
    { path: '/api/bulk/2.0/customObjects/9/syncActions/x/data' },
    { path: '/api/bulk/2.0/customObjects/9/imports/6/data' },
    // Fault rules decide once per request, in the same order: counters and seeded draws agree.
    ...Array.from({ length: 4 }, () => ({ headers: { ...JSON_HEADERS, 'x-mock-scenario': 'quota' } })),
    ...Array.from({ length: 8 }, () => ({ headers: { ...JSON_HEADERS, 'x-mock-scenario': 'chaos' } })),
    // A rule for one user: the lean path tells it who is asking.
    { headers: { ...JSON_HEADERS, 'x-mock-scenario': 'conflict' } },
    { headers: { ...JSON_HEADERS, authorization: events } },
    { headers: { ...JSON_HEADERS, authorization: events, 'x-mock-scenario': 'conflict' } },
    {}
  ])
  t.ok(leanServed >= 10, `the lean path served the plain uploads (${leanServed})`)
})

t.test('with no fault rules, no journal bodies, no journal and a small body limit, the answers still agree', async (t) => {
  const fixtures = { ...defaultFixtures(), faults: [] }
  t.ok(await compare(t, await twins(t, { JOURNAL_BODY_BYTES: 0 }, fixtures), [{}, {}, { body: '[1]' }]) >= 1)
  t.ok(await compare(t, await twins(t, { JOURNAL_SIZE: 0 }, fixtures), [{}, {}]) >= 1)
  t.equal(await compare(t, await twins(t, { MAX_UPLOAD_BYTES: 20 }, fixtures), [{}, {}, { body: '[{}]' }]), 1, 'bodies past MAX_UPLOAD_BYTES stay with the pipeline, which answers 404')
})

/** A raw connection: what it receives, and a promise of everything once the server closes it. */
function raw (port: number): { write: (text: string) => void, destroy: () => void, received: Promise<string> } {
  const socket = connect(port, '127.0.0.1')
  socket.on('error', () => {})
  const chunks: Buffer[] = []
  socket.on('data', (chunk: Buffer) => chunks.push(chunk))
  const received = new Promise<string>((resolve) => socket.on('close', () => resolve(Buffer.concat(chunks).toString('latin1'))))
  return { write: (text) => { socket.write(text) }, destroy: () => { socket.destroy() }, received }
}

const head = (length: number): string => `POST ${UPLOAD} HTTP/1.1\r\nHost: x\r\nAuthorization: ${API_USER}\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\n\r\n`

/** Resolves with the next request the server receives. */
async function nextRequest (served: Served): Promise<import('node:http').IncomingMessage> {
  return await new Promise((resolve) => served.app.server.once('request', resolve))
}

t.test('a body in several pieces, and a client that leaves halfway', async (t) => {
  const apps = await twins(t)
  for (const served of apps) {
    await call(served, {}) // credentials verified
    const staged = async (): Promise<number> => (await served.app.inject('/__mock/state?definition=6')).json().syncActionDefinitions[0].staged.uploads as number

    const pieces = raw(served.port)
    const arrived = nextRequest(served)
    pieces.write(`${head(SEED.length)}${SEED.slice(0, 10)}`)
    const req = await arrived
    // Sent once the server has read the first piece: a second read.
    const ended = new Promise((resolve) => req.once('end', resolve))
    pieces.write(`${SEED.slice(10)}`)
    await ended
    await new Promise((resolve) => setImmediate(resolve))
    t.equal(await staged(), 2, 'the pieces were joined and staged')
    pieces.destroy()

    const leaving = raw(served.port)
    const started = nextRequest(served)
    leaving.write(`${head(100)}[{"Id":`)
    const gone = await started
    const closed = new Promise((resolve) => gone.once('close', resolve))
    leaving.destroy()
    await closed
    await new Promise((resolve) => setImmediate(resolve))
    t.equal(await staged(), 2, 'nothing staged for the client that left')
    t.equal((await call(served, {})).status, 204, 'and the server goes on')
  }
  t.same(logLines(apps[1]), logLines(apps[0]), 'the same log lines, the refused upload of the client that left included')
  t.same(await journal(apps[1]), await journal(apps[0]), 'the same journal entries')
})

/** Sends an upload's head and the first bytes of its body, runs `meanwhile`, then the rest; the answer, without its Date. */
async function interrupted (served: Served, authorization: string, body: string, meanwhile: () => Promise<void>): Promise<string> {
  const socket = connect(served.port, '127.0.0.1')
  socket.on('error', () => {})
  const arrived = nextRequest(served)
  socket.write(`${head(body.length).replace(API_USER, authorization)}${body.slice(0, 2)}`)
  await arrived
  await meanwhile()
  const answer = new Promise<string>((resolve) => socket.once('data', (chunk: Buffer) => { resolve(chunk.toString('latin1')) }))
  socket.write(body.slice(2))
  const text = await answer
  socket.destroy()
  return text.replace(/\r\nDate: [^\r]*/i, '')
}

t.test('what changes while a body arrives is judged as in the pipeline, which reads the head first', async (t) => {
  const fixtures = { ...defaultFixtures(), faults: [] }
  const apps = await twins(t, {}, fixtures)
  const other = basic('Removed\\API.User', 'secret')
  const answers: string[][] = []
  for (const served of apps) {
    const seen: string[] = []
    answers.push(seen)
    const admin = async (method: 'POST' | 'DELETE', url: string, payload?: object): Promise<number> => (await served.app.inject({ method, url, ...(payload === undefined ? {} : { payload }) })).statusCode
    await call(served, {})
    // A fault rule added while the body arrives: the pipeline applied the rules on the head.
    for (const body of [SEED, '[1]']) {
      seen.push(await interrupted(served, API_USER, body, async () => { t.equal(await admin('POST', '/__mock/faults', { name: 'all-503', match: {}, response: { status: 503 } }), 201) }))
      t.equal(await admin('DELETE', '/__mock/faults'), 204)
    }
    // A site removed while the body arrives, with a body that would be staged and one that would not.
    for (const body of [SEED, '[1]']) {
      t.equal(await admin('POST', '/__mock/sites', { name: 'Removed' }), 201)
      t.equal((await call(served, { headers: { ...JSON_HEADERS, authorization: other }, body: '[1' })).status, 400, 'credentials verified')
      seen.push(await interrupted(served, other, body, async () => { t.equal(await admin('DELETE', '/__mock/sites/Removed'), 204) }))
    }
  }
  t.same(answers[1], answers[0], 'the same answers')
  t.match(answers[1]?.[0], /^HTTP\/1.1 204 /, 'the rule added meanwhile does not take the upload')
  t.match(answers[1]?.[1], /^HTTP\/1.1 400 /, 'nor the refused one')
  t.same(logLines(apps[1]), logLines(apps[0]), 'the same log lines')
  t.same(await journal(apps[1]), await journal(apps[0]), 'the same journal entries')
  t.same(await state(apps[1]), await state(apps[0]), 'the same state')
})

t.test('a bad request pipelined behind a lean upload is answered after it', async (t) => {
  const [, lean] = await twins(t)
  await call(lean, {})
  const connection = raw(lean.port)
  connection.write(`${head(SEED.length)}${SEED}GARBAGE\r\n\r\n`)
  const text = await connection.received
  t.match(text, /^HTTP\/1.1 204 Success\r\n[^]*HTTP\/1.1 400 There was a parsing error.\r\n/)
})

t.test('on close, an upload whose body is still arriving is answered 503 and its connection closed, as in the pipeline', async (t) => {
  const answers: string[] = []
  const lastLines: unknown[] = []
  for (const served of await twins(t)) {
    await call(served, {})
    const uploading = raw(served.port)
    const arrived = nextRequest(served)
    uploading.write(`${head(1000)}[{"Id":`)
    await arrived
    // A finished lean answer on a keep-alive connection does not hold the close either.
    const keptAlive = raw(served.port)
    keptAlive.write(`${head(SEED.length)}${SEED}`)
    await new Promise((resolve) => served.app.server.once('request', (_req, res) => { res.once('finish', resolve) }))
    const started = performance.now()
    await served.app.close()
    t.ok(performance.now() - started < 2000, 'closed at once')
    answers.push((await uploading.received).replace(/\r\nDate: [^\r]*/i, ''))
    t.match(await keptAlive.received, /^HTTP\/1.1 204 Success\r\n/)
    lastLines.push(logLines(served).filter((line) => (line as { statusCode?: number }).statusCode === 503))
  }
  t.same(lastLines[1], lastLines[0], 'the same log line')
  t.match(answers[1], /^HTTP\/1.1 503 Service Unavailable\r\n/)
  t.match(answers[1], /\r\nconnection: close\r\n/i)
  t.equal(answers[1], answers[0], 'the same answer, byte for byte but the date')
})

t.test('an upload that arrives once the server is closing is refused as in the pipeline', async (t) => {
  const lines: unknown[][] = []
  for (const served of await twins(t)) {
    await call(served, {})
    // A request the close waits for, on the connection the upload then comes by.
    t.equal((await served.app.inject({ method: 'POST', url: '/__mock/faults', payload: { name: 'slow-get', match: { method: 'GET' }, response: { delayMs: 50 } } })).statusCode, 201)
    const connection = raw(served.port)
    const slow = nextRequest(served)
    connection.write(`GET /api/bulk/2.0/customObjects/9/syncActions/6 HTTP/1.1\r\nHost: x\r\nAuthorization: ${API_USER}\r\n\r\n`)
    await slow
    const closed = served.app.close()
    const upload = nextRequest(served)
    connection.write(`${head(SEED.length)}${SEED}`)
    await upload
    await closed
    t.match(await connection.received, /^HTTP\/1.1 200 [^]*connection: close\r\n/i, 'the request in flight is answered, and its connection closed')
    const recorded = served.app.journal.find({}).map((entry) => `${entry.method} ${entry.status}`)
    t.same(recorded, ['POST 204', 'GET 200'], 'the late upload neither staged nor recorded')
    lines.push(logLines(served))
  }
  t.same(lines[1], lines[0], 'the same log lines')
})

t.test('an upload a fault rule delays is authenticated after the delay, as in the pipeline', async (t) => {
  const other = basic('Removed\\API.User', 'secret')
  const answers: string[] = []
  const apps = await twins(t)
  for (const served of apps) {
    const admin = async (method: 'POST' | 'DELETE', url: string, payload?: object): Promise<number> => (await served.app.inject({ method, url, ...(payload === undefined ? {} : { payload }) })).statusCode
    t.equal(await admin('POST', '/__mock/sites', { name: 'Removed' }), 201)
    t.equal((await call(served, { headers: { ...JSON_HEADERS, authorization: other }, body: '[1' })).status, 400, 'credentials verified')
    t.equal(await admin('POST', '/__mock/faults', { name: 'slow-post', match: { method: 'POST' }, response: { delayMs: 50 } }), 201)
    // The site goes while the rule holds the upload.
    answers.push(await interrupted(served, other, SEED, async () => { t.equal(await admin('DELETE', '/__mock/sites/Removed'), 204) }))
  }
  t.match(answers[0], /^HTTP\/1.1 401 [^]*www-authenticate: Basic/i)
  t.equal(answers[1], answers[0], 'the same answer')
  t.same(logLines(apps[1]), logLines(apps[0]), 'the same log lines')
  t.same(await journal(apps[1]), await journal(apps[0]), 'the same journal entries')
})

t.test('an answer that never goes out is neither logged nor journaled, as in the pipeline', async (t) => {
  const apps = await twins(t)
  for (const served of apps) {
    await call(served, {})
    // The 400 closes the connection: the upload pipelined behind it is staged, its answer never sent.
    const connection = raw(served.port)
    connection.write(`${head(3)}[1,${head(SEED.length)}${SEED}`)
    t.match(await connection.received, /^HTTP\/1.1 400 /)
  }
  t.same(logLines(apps[1]), logLines(apps[0]), 'the same log lines')
  t.same(await journal(apps[1]), await journal(apps[0]), 'the same journal entries')
  t.same(await state(apps[1]), await state(apps[0]), 'the same state')
})
