import t from 'tap'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runCommand, startServer } from './process.js'

const AUTH = `Basic ${Buffer.from('APITest\\API.User:secret').toString('base64')}`
const EXAMPLE = JSON.stringify([{ Id: 'DLPSB000000000020' }, { Id: 'DLPSB000000000021' }])

async function post (url: string, body: string, headers: Record<string, string> = {}): Promise<Response> {
  return await fetch(url, { method: 'POST', body, headers: { authorization: AUTH, 'content-type': 'application/json', ...headers } })
}

t.test('the command serves Oracle\'s cURL example over a real socket', async (t) => {
  const server = await startServer(t)
  const res = await post(`${server.url}/api/bulk/2.0/customObjects/9/syncActions/6/data`, EXAMPLE)
  t.equal(res.status, 204)
  t.equal(await res.text(), '')
  const created = await post(`${server.url}/API/Bulk/2.0/customObjects/9/syncActions/7/data`, EXAMPLE)
  t.equal(created.status, 201)
  t.equal(created.statusText, 'Created')
  const sync = await created.json() as { uri: string }
  const read = await fetch(`${server.url}/api/bulk/2.0${sync.uri}`, { headers: { authorization: AUTH } })
  t.equal(read.status, 200)
  t.match(await read.json(), { uri: '/syncs/1', syncedInstanceUri: '/customObjects/9/syncActions/7', createdBy: 'API.User' })
  const refused = await post(`${server.url}/api/bulk/2.0/customObjects/9/syncActions/6/data`, '{}')
  t.equal(refused.status, 400)
  t.equal(refused.statusText, 'There was a validation error.', 'Eloqua\'s reason phrase on the wire')
  const health = await fetch(`${server.url}/__mock/health`)
  t.equal(health.status, 200)
  server.child.kill('SIGTERM')
  t.strictSame(await server.exit, { code: 0, signal: null })
})

t.test('logs are pino JSON with request ids and never carry credentials', async (t) => {
  const server = await startServer(t)
  await post(`${server.url}/api/bulk/2.0/customObjects/9/syncActions/6/data`, EXAMPLE, { 'x-request-id': 'trace-123' })
  await post(`${server.url}/api/bulk/2.0/customObjects/9/syncActions/6/data`, EXAMPLE, { authorization: 'Bearer mock-access-token' })
  server.child.kill('SIGTERM')
  await server.exit
  const entries = server.lines.map((line) => JSON.parse(line) as Record<string, unknown>)
  t.ok(entries.some((e) => e.reqId === 'trace-123' && e.msg === 'request completed'), 'the client request id is used')
  const all = server.lines.join('\n')
  t.notMatch(all, AUTH.slice(6), 'no Basic credentials in the log')
  t.notMatch(all, 'mock-access-token', 'no Bearer token in the log')
  t.notMatch(all, 'secret')
})

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  t.test(`${signal} lets an in-flight request finish, then exits 0`, async (t) => {
    const server = await startServer(t)
    // scenario-slow (bundled fixtures) holds the request 1.5 s before answering.
    const inFlight = post(`${server.url}/api/bulk/2.0/customObjects/9/syncActions/6/data`, EXAMPLE, { 'x-mock-scenario': 'slow' })
    await new Promise((resolve) => setTimeout(resolve, 300))
    server.child.kill(signal)
    const res = await inFlight
    t.equal(res.status, 204, 'the request in flight got its answer')
    t.strictSame(await server.exit, { code: 0, signal: null })
    await t.rejects(fetch(`${server.url}/__mock/health`), 'no longer listening')
    t.ok(server.lines.some((line) => line.includes('"msg":"shutting down"') && line.includes(signal)))
  })
}

t.test('a request that outlives SHUTDOWN_GRACE_MS does not hold the process', async (t) => {
  const server = await startServer(t, ['--shutdown-grace-ms', '200'])
  const inFlight = post(`${server.url}/api/bulk/2.0/customObjects/9/syncActions/6/data`, EXAMPLE, { 'x-mock-scenario': 'slow' }).catch((err: unknown) => err)
  await new Promise((resolve) => setTimeout(resolve, 200))
  server.child.kill('SIGTERM')
  const { code } = await server.exit
  t.equal(code, 1, 'exits non-zero when the grace period runs out')
  await inFlight
})

t.test('--help lists the options and exits 0; --version prints the version', async (t) => {
  const help = await runCommand(['--help'])
  t.equal(help.code, 0)
  t.match(help.stdout, /Usage: eloqua-bulk-mock \[options\]/)
  t.match(help.stdout, /--port <value>\n {6}env PORT, default 8080/)
  const version = await runCommand(['-v'])
  t.equal(version.code, 0)
  t.match(version.stdout, /^\d+\.\d+\.\d+\n$/)
})

t.test('a bad flag or setting stops the start with a message and exit 1', async (t) => {
  const unknown = await runCommand(['--prot', '80'])
  t.equal(unknown.code, 1)
  t.match(unknown.stderr, /eloqua-bulk-mock: Unknown option '--prot'/)
  t.match(unknown.stderr, /--help/)
  const badEnv = await runCommand([], { PORT: 'eighty' })
  t.equal(badEnv.code, 1)
  t.match(badEnv.stderr, 'PORT (--port): must be integer, got "eighty"')
  const badFlag = await runCommand(['--uploads-during-sync', 'maybe'])
  t.equal(badFlag.code, 1)
  t.match(badFlag.stderr, 'UPLOADS_DURING_SYNC (--uploads-during-sync): must be equal to one of the allowed values, got "maybe"')
})

t.test('a bad fixture stops the start, naming the file and the field', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fixtures-'))
  const file = join(dir, 'site.json')
  writeFileSync(file, JSON.stringify({ sites: [{ id: 1, name: 'S', users: [{ id: 'x', username: 'U', password: 'p' }] }] }))
  const result = await runCommand(['--fixtures', dir])
  t.equal(result.code, 1)
  t.match(result.stderr, `eloqua-bulk-mock: invalid fixtures:\n  ${file}: /sites/0/users/0/id: must be integer`)
  const fromEnv = await runCommand([], { FIXTURES: join(dir, 'nothing.json') })
  t.equal(fromEnv.code, 1)
  t.match(fromEnv.stderr, 'nothing.json: cannot read fixtures (ENOENT)')
})

t.test('a port already in use stops the start with exit 1', async (t) => {
  const first = await startServer(t)
  const port = new URL(first.url).port
  const second = await runCommand(['--port', port])
  t.equal(second.code, 1)
  t.match(second.stderr, `cannot listen on 127.0.0.1:${port}`)
  t.match(second.stderr, 'EADDRINUSE')
})
