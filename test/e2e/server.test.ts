// The command as users run it: the built dist/server.js in its own process, over real sockets.
// Each group below owns its processes, so the groups run side by side; within a group the
// subtests share one running server and run in order.
import t, { type Test } from 'tap'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runCommand, startServer, type RunningServer } from './process.js'

const AUTH = `Basic ${Buffer.from('APITest\\API.User:secret').toString('base64')}`
const WRONG_PASSWORD = `Basic ${Buffer.from('APITest\\API.User:not-the-password').toString('base64')}`
const EXAMPLE = JSON.stringify([{ Id: 'DLPSB000000000020' }, { Id: 'DLPSB000000000021' }])
const DATA_6 = '/api/bulk/2.0/customObjects/9/syncActions/6/data'

t.jobs = 6

async function post (url: string, body: string, headers: Record<string, string> = {}): Promise<Response> {
  return await fetch(url, { method: 'POST', body, headers: { authorization: AUTH, 'content-type': 'application/json', ...headers } })
}

/** A log line of the given request with the given message (pino writes both fields, in any order). */
function logLine (reqId: string, msg: string): RegExp {
  return new RegExp(`^(?=.*"reqId":"${reqId}")(?=.*"msg":"${msg}")`)
}

/**
 * Starts a request that the bundled scenario-slow rule holds for 1.5 s, and resolves once the
 * server has it in hand (its "fault injected" line is out), so a signal sent next finds it in flight.
 */
async function slowRequestInFlight (server: RunningServer, reqId: string): Promise<{ answer: Promise<Response | Error> }> {
  const answer = post(`${server.url}${DATA_6}`, EXAMPLE, { 'x-mock-scenario': 'slow', 'x-request-id': reqId }).catch((err: unknown) => err as Error)
  await server.waitForLine(logLine(reqId, 'fault injected'))
  // Wrapped: an async function returning the promise itself would wait for the answer.
  return { answer }
}

async function drains (t: Test, server: RunningServer, signal: 'SIGTERM' | 'SIGINT'): Promise<void> {
  const inFlight = await slowRequestInFlight(server, `slow-${signal}`)
  t.ok(server.child.kill(signal), `${signal} sent`)
  const res = await inFlight.answer
  t.ok(res instanceof Response, 'the request in flight was answered, not cut off')
  if (res instanceof Response) {
    t.equal(res.status, 204, 'the request in flight got its answer')
    t.equal(res.headers.get('x-mock-fault'), 'scenario-slow')
  }
  t.strictSame(await server.exit, { code: 0, signal: null })
  await t.rejects(fetch(`${server.url}/__mock/health`), 'no longer listening')
  const shutdown = server.lines.findIndex((line) => line.includes('"msg":"shutting down"') && line.includes(`"signal":"${signal}"`))
  const completed = server.lines.findIndex((line) => logLine(`slow-${signal}`, 'request completed').test(line))
  t.ok(shutdown >= 0, 'the shutdown is logged with its signal')
  t.ok(completed > shutdown, 'the request completed after the shutdown began, so it was drained')
}

t.test('one running server', async (t) => {
  // Syncs created here stay pending: the server's state holds still while the subtests share it.
  const server = await startServer(t, [], { SYNC_PENDING_MS: '600000' })

  t.test('the command serves Oracle\'s cURL example over a real socket', async (t) => {
    const res = await post(`${server.url}${DATA_6}`, EXAMPLE)
    t.equal(res.status, 204)
    t.equal(res.statusText, 'Success', 'Oracle\'s status text for 204')
    t.equal(await res.text(), '')
    const created = await post(`${server.url}/API/Bulk/2.0/customObjects/9/syncActions/7/data`, EXAMPLE)
    t.equal(created.status, 201)
    t.equal(created.statusText, 'Success', 'Oracle\'s status text for 201')
    const sync = await created.json() as { uri: string }
    const read = await fetch(`${server.url}/api/bulk/2.0${sync.uri}`, { headers: { authorization: AUTH } })
    t.equal(read.status, 200)
    t.match(await read.json(), { uri: '/syncs/1', syncedInstanceUri: '/customObjects/9/syncActions/7', createdBy: 'API.User' })
    const refused = await post(`${server.url}${DATA_6}`, '{}')
    t.equal(refused.status, 400)
    t.equal(refused.statusText, 'There was a validation error.', 'Eloqua\'s reason phrase on the wire')
    const health = await fetch(`${server.url}/__mock/health`)
    t.equal(health.status, 200)
  })

  t.test('logs are pino JSON with request ids and never carry credentials', async (t) => {
    t.equal((await post(`${server.url}${DATA_6}`, EXAMPLE, { 'x-request-id': 'trace-123' })).status, 204)
    t.equal((await post(`${server.url}${DATA_6}`, EXAMPLE, { authorization: 'Bearer mock-access-token', 'x-request-id': 'bearer-1' })).status, 204)
    t.equal((await post(`${server.url}${DATA_6}`, EXAMPLE, { authorization: WRONG_PASSWORD, 'x-request-id': 'refused-1' })).status, 401)
    // Each request's lines are out once its "request completed" line is.
    for (const reqId of ['trace-123', 'bearer-1', 'refused-1']) await server.waitForLine(logLine(reqId, 'request completed'))
    const entries = server.lines.map((line) => JSON.parse(line) as Record<string, unknown>)
    t.ok(entries.some((e) => e.reqId === 'trace-123' && e.msg === 'request completed' && e.statusCode === 204), 'the client request id is used')
    t.ok(entries.some((e) => e.reqId === 'refused-1' && e.statusCode === 401), 'the refused request is logged')
    const all = server.lines.join('\n')
    t.notMatch(all, AUTH.slice(6), 'no Basic credentials in the log')
    t.notMatch(all, WRONG_PASSWORD.slice(6), 'no refused Basic credentials in the log')
    t.notMatch(all, 'mock-access-token', 'no Bearer token in the log')
    t.notMatch(all, 'secret')
    t.notMatch(all, 'not-the-password')
  })

  t.test('a port already in use stops the start with exit 1', async (t) => {
    const port = new URL(server.url).port
    const second = await runCommand(['--port', port])
    t.equal(second.code, 1)
    t.match(second.stderr, `cannot listen on 127.0.0.1:${port}`)
    t.match(second.stderr, 'EADDRINUSE')
    t.equal((await fetch(`${server.url}/__mock/health`)).status, 200, 'the server holding the port is unharmed')
  })

  t.test('SIGTERM lets an in-flight request finish, then exits 0', async (t) => {
    await drains(t, server, 'SIGTERM')
  })
})

t.test('a reset that leaves the command well above its start-up size gives the memory back, and the command serves on', async (t) => {
  const server = await startServer(t)
  // 48 MiB staged (the command collects past 32 MiB above start-up), in uploads of 4 MiB.
  const records = Array.from({ length: 4 * 1024 * 1024 / 64 }, (_, i) => ({ Id: `DLPSB${String(i).padStart(12, '0')}`, Padding: 'x'.repeat(20) }))
  const body = JSON.stringify(records)
  for (let i = 0; i < 12; i++) t.equal((await post(`${server.url}${DATA_6}`, body)).status, 204)
  t.equal((await fetch(`${server.url}/__mock/reset`, { method: 'POST' })).status, 204)
  const released = JSON.parse(await server.waitForLine(/memory released after state was dropped/)) as { rssBefore: number, rssAfter: number, heapTrim: string }
  const header = (process.report.getReport() as { header: { glibcVersionRuntime?: string } }).header
  // koffi (an optional dependency) is loaded from the bundled command; glibc is what the trim needs.
  t.equal(released.heapTrim, process.platform === 'linux' && header.glibcVersionRuntime !== undefined ? 'gave memory back' : 'not available')
  t.ok(released.rssBefore - released.rssAfter > 32 * 1024 ** 2, `RSS ${(released.rssBefore / 1024 ** 2).toFixed(1)} MiB before, ${(released.rssAfter / 1024 ** 2).toFixed(1)} MiB after`)
  t.equal((await post(`${server.url}${DATA_6}`, EXAMPLE)).status, 204, 'still serving')
})

t.test('after IDLE_RELEASE_MS without requests the command gives memory back once, and keeps every staged upload', async (t) => {
  const server = await startServer(t, [], { IDLE_RELEASE_MS: '1000' })
  // 48 MiB staged, past the 32 MiB above start-up that a release needs.
  const records = Array.from({ length: 4 * 1024 * 1024 / 64 }, (_, i) => ({ Id: `DLPSB${String(i).padStart(12, '0')}`, Padding: 'x'.repeat(20) }))
  const body = JSON.stringify(records)
  for (let i = 0; i < 12; i++) t.equal((await post(`${server.url}${DATA_6}`, body)).status, 204)
  const released = JSON.parse(await server.waitForLine(/memory released after a quiet spell/, 5000)) as { rssBefore: number, rssAfter: number }
  t.ok(released.rssBefore > released.rssAfter, `RSS ${(released.rssBefore / 1024 ** 2).toFixed(1)} MiB before, ${(released.rssAfter / 1024 ** 2).toFixed(1)} MiB after`)
  const state = await (await fetch(`${server.url}/__mock/state?definition=6`)).json() as { syncActionDefinitions: Array<{ staged: { uploads: number } }> }
  t.equal(state.syncActionDefinitions[0]?.staged.uploads, 12, 'nothing staged is dropped')
  t.equal((await post(`${server.url}${DATA_6}`, EXAMPLE)).status, 204, 'still serving')
  t.equal(server.lines.filter((line) => line.includes('memory released after a quiet spell')).length, 1, 'once for the quiet spell')
})

t.test('SIGINT lets an in-flight request finish, then exits 0', async (t) => {
  await drains(t, await startServer(t), 'SIGINT')
})

t.test('batched log lines: the start-up lines come at once, and lines still held are written at exit', async (t) => {
  // Lines wait up to LOG_FLUSH_MS for their batch; here far longer than the test waits for any.
  const server = await startServer(t, [], { LOG_FLUSH_MS: '10000' })
  const ready = JSON.parse(await server.waitForLine(/"msg":"eloqua-bulk-mock ready"/, 5000)) as { sites: number }
  t.ok(ready.sites > 0, 'the ready line is out as soon as the server listens')
  t.equal((await post(`${server.url}${DATA_6}`, EXAMPLE, { 'x-request-id': 'held-1' })).status, 204)
  t.ok(server.child.kill('SIGTERM'))
  t.strictSame(await server.exit, { code: 0, signal: null })
  const entries = server.lines.map((line) => JSON.parse(line) as Record<string, unknown>)
  t.match(entries.find((e) => e.reqId === 'held-1'), { msg: 'request completed', method: 'POST', url: DATA_6, statusCode: 204 }, 'the request\'s line, written at exit')
  t.match(entries.at(-1), { msg: 'shutting down', signal: 'SIGTERM' }, 'and the last line before exit')
})

t.test('a request that outlives SHUTDOWN_GRACE_MS does not hold the process', async (t) => {
  const server = await startServer(t, ['--shutdown-grace-ms', '200'])
  const inFlight = await slowRequestInFlight(server, 'slow-grace')
  t.ok(server.child.kill('SIGTERM'), 'SIGTERM sent')
  const { code } = await server.exit
  t.equal(code, 1, 'exits non-zero when the grace period runs out')
  t.type(await inFlight.answer, Error, 'the request held past the grace period gets no answer')
})

t.test('--help lists the options and exits 0; --version prints the version', async (t) => {
  const [help, version] = await Promise.all([runCommand(['--help']), runCommand(['-v'])])
  t.equal(help.code, 0)
  t.match(help.stdout, /Usage: eloqua-bulk-mock \[options\]/)
  t.match(help.stdout, /--port <value>\n {6}env PORT, default 8080/)
  t.equal(version.code, 0)
  t.match(version.stdout, /^\d+\.\d+\.\d+\n$/)
})

t.test('a bad flag or setting stops the start with a message and exit 1', async (t) => {
  const [unknown, badEnv, badFlag] = await Promise.all([
    runCommand(['--prot', '80']),
    runCommand([], { PORT: 'eighty' }),
    runCommand(['--uploads-during-sync', 'maybe'])
  ])
  t.equal(unknown.code, 1)
  t.match(unknown.stderr, /eloqua-bulk-mock: Unknown option '--prot'/)
  t.match(unknown.stderr, /--help/)
  t.equal(badEnv.code, 1)
  t.match(badEnv.stderr, 'PORT (--port): must be integer, got "eighty"')
  t.equal(badFlag.code, 1)
  t.match(badFlag.stderr, 'UPLOADS_DURING_SYNC (--uploads-during-sync): must be equal to one of the allowed values, got "maybe"')
})

t.test('a bad fixture stops the start, naming the file and the field', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fixtures-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const file = join(dir, 'site.json')
  writeFileSync(file, JSON.stringify({ sites: [{ id: 1, name: 'S', users: [{ id: 'x', username: 'U', password: 'p' }] }] }))
  const [result, fromEnv] = await Promise.all([
    runCommand(['--fixtures', dir]),
    runCommand([], { FIXTURES: join(dir, 'nothing.json') })
  ])
  t.equal(result.code, 1)
  t.match(result.stderr, `eloqua-bulk-mock: invalid fixtures:\n  ${file}: /sites/0/users/0/id: must be integer`)
  t.equal(fromEnv.code, 1)
  t.match(fromEnv.stderr, 'nothing.json: cannot read fixtures (ENOENT)')
})
