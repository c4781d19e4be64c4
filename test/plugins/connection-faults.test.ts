// Faults of the connection itself, over real sockets: what a client's retry and timeout code
// meets when the network or a gateway fails.
import t, { type Test } from 'tap'
import { request, type IncomingMessage } from 'node:http'
import { request as httpsRequest } from 'node:https'
import type { AddressInfo } from 'node:net'
import { generateCertificates } from '../../src/tls.js'
import { listenHttps } from '../../src/plugins/https.js'
import { API_USER, build } from '../helper.js'

const DATA = '/api/bulk/2.0/customObjects/9/syncActions/6/data'

interface Outcome { status?: number | undefined, headers?: IncomingMessage['headers'], body?: string, error?: string }

/** One request; what came back, or the error the client saw. */
async function send (url: string): Promise<Outcome> {
  return await new Promise((resolve) => {
    const req = request(`${url}${DATA}`, { method: 'POST', headers: { authorization: API_USER, 'content-type': 'application/json' }, agent: false }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => { body += chunk })
      res.on('end', () => { resolve({ status: res.statusCode, headers: res.headers, body }) })
      res.on('error', (err: NodeJS.ErrnoException) => { resolve({ status: res.statusCode, headers: res.headers, body, error: err.code ?? err.message }) })
    })
    req.on('error', (err: NodeJS.ErrnoException) => { resolve({ error: err.code ?? err.message }) })
    req.end('[{"Id":"DLPSB000000000020"}]')
  })
}

async function withRule (t: Test, response: object): Promise<{ url: string, app: Awaited<ReturnType<typeof build>> }> {
  const app = await build(t)
  await app.inject({ method: 'POST', url: '/__mock/faults', payload: { name: 'net', match: { operation: 'uploadSyncActionData' }, when: { first: 1 }, response } })
  const url = await app.listen({ port: 0, host: '127.0.0.1' })
  return { url, app }
}

t.test('reset: the connection is reset at once, and the next request is answered', async (t) => {
  const { url, app } = await withRule(t, { connection: 'reset' })
  t.strictSame(await send(url), { error: 'ECONNRESET' })
  t.match(await send(url), { status: 204 })
  t.match((await app.inject('/__mock/requests')).json().items, [{ status: 0, fault: 'net' }, { status: 204 }])
  t.match((await app.inject('/__mock/faults')).json(), [{ name: 'net', fired: 1 }])
})

t.test('with the journal off, a connection fault records nothing and still fails the connection', async (t) => {
  const app = await build(t, { config: { JOURNAL_SIZE: 0 } })
  await app.inject({ method: 'POST', url: '/__mock/faults', payload: { name: 'net', response: { connection: 'reset' } } })
  const url = await app.listen({ port: 0, host: '127.0.0.1' })
  t.strictSame(await send(url), { error: 'ECONNRESET' })
  t.match((await app.inject('/__mock/requests')).json(), { count: 0, capacity: 0 })
})

t.test('close-after-headers: the status and headers arrive, the promised body does not', async (t) => {
  const { url } = await withRule(t, { connection: 'close-after-headers', status: 502, headers: { 'retry-after': '1' } })
  const outcome = await send(url)
  t.match(outcome, { status: 502, headers: { 'x-mock-fault': 'net', 'retry-after': '1', 'content-length': '79' }, body: '', error: 'ECONNRESET' })
})

t.test('truncate-body: the headers and the first bytes of the body, then the connection closes', async (t) => {
  const { url } = await withRule(t, { connection: 'truncate-body', bytes: 5, body: { items: [1, 2, 3] } })
  t.match(await send(url), { status: 200, headers: { 'content-length': '17' }, body: '{"ite', error: 'ECONNRESET' })
  const { url: short } = await withRule(t, { connection: 'truncate-body', bytes: 1000 })
  const outcome = await send(short)
  t.equal(outcome.body, '{"items":[],"totalResults":0,"limit":1000,"offset":0,"count":0,"hasMore":false', 'never the whole body: one byte short')
})

t.test('hang: no answer until a reset lets go of the connection; the next request is answered', async (t) => {
  const { url, app } = await withRule(t, { connection: 'hang' })
  const hanging = send(url)
  // Seen by the mock (the journal has it) but not answered.
  for (let i = 0; i < 100 && (await app.inject('/__mock/requests/count')).json().count === 0; i++) await new Promise((resolve) => setImmediate(resolve))
  t.match((await app.inject('/__mock/requests')).json().items, [{ status: 0, fault: 'net' }])
  await app.inject({ method: 'POST', url: '/__mock/reset' })
  t.match(await hanging, { error: 'ECONNRESET' }, 'released by the reset')
  t.match(await send(url), { status: 204 }, 'the rule is gone with the reset')
})

t.test('hang: released when the mock closes', async (t) => {
  const { url, app } = await withRule(t, { connection: 'hang' })
  const hanging = send(url)
  for (let i = 0; i < 100 && (await app.inject('/__mock/requests/count')).json().count === 0; i++) await new Promise((resolve) => setImmediate(resolve))
  await app.close()
  t.match(await hanging, { error: 'ECONNRESET' })
})

t.test('502 and 504 answer with their reason phrases; bytes belong to truncate-body only', async (t) => {
  const app = await build(t)
  for (const [status, phrase] of [[502, 'Bad Gateway'], [504, 'Gateway Timeout']] as const) {
    const res = await app.inject({ method: 'GET', url: '/api/bulk/2.0/syncs', headers: { authorization: API_USER, prefer: `code=${status}` } })
    t.strictSame([res.statusCode, res.statusMessage], [status, phrase])
  }
  const bad = await app.inject({ method: 'POST', url: '/__mock/faults', payload: { name: 'x', response: { status: 500, bytes: 3 } } })
  t.strictSame(bad.json(), { failures: [{ field: '/response/bytes', constraint: 'only a "truncate-body" connection fault sends some bytes' }] })
  const listed = await app.inject({ method: 'POST', url: '/__mock/faults', payload: { name: 'y', response: { connection: 'truncate-body', bytes: 3, delayMs: 10 } } })
  t.match(listed.json(), { explanation: 'y: any request, always: connection truncate-body after 3 bytes after 10 ms' })
  const reset = await app.inject({ method: 'POST', url: '/__mock/faults', payload: { name: 'z', response: { connection: 'reset' } } })
  t.match(reset.json(), { explanation: 'z: any request, always: connection reset' })
  const none = await app.inject({ method: 'POST', url: '/__mock/faults', payload: { name: 'w', response: { connection: 'truncate-body' } } })
  t.match(none.json(), { explanation: 'w: any request, always: connection truncate-body after 0 bytes' })
})

t.test('reset over TLS destroys the connection (a TLS socket cannot send a TCP reset); a client gone during the delay is only recorded', async (t) => {
  const material = await generateCertificates(['127.0.0.1'])
  const app = await build(t, { tls: material })
  await app.inject({ method: 'POST', url: '/__mock/faults', payload: { name: 'net', match: { operation: 'listSyncs' }, response: { connection: 'reset', delayMs: 10 } } })
  const [{ port }] = await listenHttps(app, 0, '127.0.0.1') as [AddressInfo]
  const outcome = await new Promise<string>((resolve) => {
    httpsRequest(`https://127.0.0.1:${port}/api/bulk/2.0/syncs`, { ca: material.ca, headers: { authorization: API_USER }, agent: false }, () => { resolve('answered') })
      .on('error', (err: NodeJS.ErrnoException) => { resolve(String(err.code)) }).end()
  })
  t.equal(outcome, 'ECONNRESET')

  await app.inject({ method: 'POST', url: '/__mock/faults', payload: { name: 'slow-hang', match: { operation: 'getSync' }, response: { connection: 'hang', delayMs: 50 } } })
  const url = await app.listen({ port: 0, host: '127.0.0.1' })
  const gone = request(`${url}/api/bulk/2.0/syncs/1`, { headers: { authorization: API_USER }, agent: false })
  gone.on('error', () => {})
  gone.end()
  await new Promise((resolve) => setTimeout(resolve, 10))
  gone.destroy()
  for (let i = 0; i < 200 && (await app.inject('/__mock/requests/count?operation=getSync')).json().count === 0; i++) await new Promise((resolve) => setTimeout(resolve, 5))
  t.match((await app.inject('/__mock/requests?operation=getSync')).json().items, [{ status: 0, fault: 'slow-hang' }], 'recorded, and nothing held for it')
})

t.test('the journal keeps a path of at most 2,048 characters', async (t) => {
  const app = await build(t)
  await app.inject({ url: `/api/bulk/2.0/syncs?q=${'x'.repeat(5000)}`, headers: { authorization: API_USER } })
  t.equal((await app.inject('/__mock/requests')).json().items[0].path.length, 2048)
})
