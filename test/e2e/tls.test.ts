// HTTPS as a client with a hard-wired login host meets it: the mock starts with --tls, the test
// trusts the CA file it wrote, and an HTTPS agent sends every connection for login.eloqua.com or
// a pod host to the mock's TLS port (the test's stand-in for /etc/hosts or a network alias).
// The clients below hard-code https://login.eloqua.com and are not told about the mock at all.
import t from 'tap'
import https from 'node:https'
import { createServer, type AddressInfo } from 'node:net'
import { connect, type ConnectionOptions } from 'node:tls'
import { mkdtempSync, readFileSync, writeFileSync, cpSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Duplex } from 'node:stream'
import * as eloqua from 'eloqua'
import { runCommand, startServer } from './process.js'
import { generateCertificates } from '../../src/tls.js'

const LOGIN = 'https://login.eloqua.com'

/** Connects to the mock's TLS port whatever host the URL names; remembers the names asked for. */
class MappedAgent extends https.Agent {
  readonly servernames: string[] = []
  readonly #port: number

  constructor (port: number, ca: string) {
    super({ ca, keepAlive: false })
    this.#port = port
  }

  // The agent's hook for making a connection.
  override createConnection (options: ConnectionOptions): Duplex {
    this.servernames.push(String(options.servername))
    return connect({ ...options, host: '127.0.0.1', port: this.#port })
  }
}

/** A client as real integrations write it: node:https, the default agent, URLs as Eloqua's docs give them. */
async function call (method: string, url: string, headers: Record<string, string>, body?: string): Promise<{ status: number, statusMessage: string, body: string }> {
  return await new Promise((resolve, reject) => {
    const req = https.request(url, { method, headers }, (res) => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => { text += chunk })
      res.on('end', () => { resolve({ status: res.statusCode ?? 0, statusMessage: res.statusMessage ?? '', body: text }) })
    })
    req.on('error', reject)
    req.end(body)
  })
}

t.test('one mock started with --tls', async (t) => {
  // The bundled fixtures, with the second site pinned to a pod host no default name covers.
  const dir = mkdtempSync(join(tmpdir(), 'eloqua-tls-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  cpSync(fileURLToPath(new URL('../../fixtures', import.meta.url)), join(dir, 'fixtures'), { recursive: true })
  const siteFile = join(dir, 'fixtures', 'site.json')
  const sites = JSON.parse(readFileSync(siteFile, 'utf8')) as { sites: Array<{ name: string, podHost?: string }> }
  sites.sites.find((site) => site.name === 'SecondSite')!.podHost = 'secure.p11.eloqua.com'
  writeFileSync(siteFile, JSON.stringify(sites))
  const caFile = join(dir, 'ca.pem')
  const server = await startServer(t, ['--tls', '--tls-port', '0', '--tls-ca-out', caFile], { FIXTURES: join(dir, 'fixtures'), SYNC_PENDING_MS: '0', SYNC_ACTIVE_MS: '0' })
  const port = Number(/HTTPS listening at https:\/\/127\.0\.0\.1:(\d+)/.exec(await server.waitForLine(/HTTPS listening at/))?.[1])
  t.match(await server.waitForLine(/local CA certificate written/), caFile, 'the CA file is printed')
  // Trust the CA the mock wrote, and send every HTTPS connection of this process to it.
  const agent = new MappedAgent(port, readFileSync(caFile, 'utf8'))
  const before = https.globalAgent
  https.globalAgent = agent
  t.teardown(() => { https.globalAgent = before })

  t.test('a client hard-coding https://login.eloqua.com does refresh-token OAuth, discovery and Bulk calls against the mock', async (t) => {
    agent.servernames.length = 0
    const clientAuth = `Basic ${Buffer.from('mock-client-id:mock-client-secret').toString('base64')}`
    const token = await call('POST', `${LOGIN}/auth/oauth2/token`, { authorization: clientAuth, 'content-type': 'application/x-www-form-urlencoded' }, 'grant_type=refresh_token&refresh_token=mock-refresh-token&scope=full')
    t.equal(token.status, 200, 'the token call answers 200')
    const grant = JSON.parse(token.body) as { access_token: string, token_type: string, expires_in: number, refresh_token: string }
    t.strictSame(Object.keys(grant), ['access_token', 'token_type', 'expires_in', 'refresh_token'])
    t.match(grant, { token_type: 'bearer', expires_in: 28800 })
    const bearer = { authorization: `Bearer ${grant.access_token}` }

    const id = await call('GET', `${LOGIN}/id`, bearer)
    t.equal(id.status, 200)
    const urls = (JSON.parse(id.body) as { urls: { base: string, apis: { rest: { bulk: string } } } }).urls
    t.equal(urls.base, LOGIN, '/id answers with the scheme and host the client used')
    t.equal(urls.apis.rest.bulk, `${LOGIN}/API/Bulk/{version}/`)

    const bulk = urls.apis.rest.bulk.replace('{version}', '2.0')
    const upload = await call('POST', `${bulk}customObjects/9/syncActions/6/data`, { ...bearer, 'content-type': 'application/json' }, '[{"Id":"DLPSB000000000020"}]')
    t.strictSame([upload.status, upload.statusMessage, upload.body], [204, 'Success', ''])
    const sync = await call('POST', `${bulk}syncs`, { ...bearer, 'content-type': 'application/json' }, '{"syncedInstanceUri":"/customObjects/9/syncActions/6"}')
    t.equal(sync.status, 201)
    t.match(JSON.parse(sync.body), { uri: '/syncs/1', createdBy: 'API.User' })

    // The refresh token rotated: the one the client started with is spent.
    const again = await call('POST', `${LOGIN}/auth/oauth2/token`, { authorization: clientAuth, 'content-type': 'application/x-www-form-urlencoded' }, 'grant_type=refresh_token&refresh_token=mock-refresh-token')
    t.equal(again.status, 401)
    t.match(JSON.parse(again.body), { error: 'invalid_grant' })
    t.ok(agent.servernames.length >= 5 && agent.servernames.every((name) => name === 'login.eloqua.com'), 'every connection asked for login.eloqua.com by SNI')
  })

  t.test('the `eloqua` npm client with its built-in login URL reaches the mock over HTTPS', async (t) => {
    agent.servernames.length = 0
    // No loginUrl: the package's own default, https://login.eloqua.com/id.
    const EloquaClient = eloqua.default.default
    const client = new EloquaClient({ siteName: 'APITest', userName: 'API.User', password: 'secret' })
    t.equal(await client.getBaseUrl(), LOGIN)
    const sync = await client.bulk.createSync('/customObjects/9/syncActions/7') as { uri: string }
    t.match(await client.bulk.pollSync(sync.uri), { status: 'success' })
    t.ok(agent.servernames.length > 0 && agent.servernames.every((name) => name === 'login.eloqua.com'))
  })

  t.test('a site pinned to a pod host sends the client there, and the mock answers on that host too', async (t) => {
    agent.servernames.length = 0
    const auth = { authorization: `Basic ${Buffer.from('SecondSite\\API.User:secret').toString('base64')}` }
    const id = await call('GET', `${LOGIN}/id`, auth)
    const base = (JSON.parse(id.body) as { urls: { base: string } }).urls.base
    t.equal(base, 'https://secure.p11.eloqua.com')
    const fields = await call('GET', `${base}/api/bulk/2.0/contacts/fields?limit=1`, auth)
    t.equal(fields.status, 200, 'the pod host is in the certificate and served')
    t.strictSame(agent.servernames, ['login.eloqua.com', 'secure.p11.eloqua.com'])
  })

  t.test('SIGTERM closes both ports and exits 0', async (t) => {
    server.child.kill('SIGTERM')
    t.strictSame(await server.exit, { code: 0, signal: null })
  })
})

t.test('TLS_CERT and TLS_KEY serve a certificate of your own, and no CA is written', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'eloqua-own-cert-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const own = await generateCertificates(['localhost'])
  writeFileSync(join(dir, 'cert.pem'), own.cert)
  writeFileSync(join(dir, 'key.pem'), own.key)
  const server = await startServer(t, ['--tls-cert', join(dir, 'cert.pem'), '--tls-key', join(dir, 'key.pem'), '--tls-port', '0'])
  const port = Number(/https:\/\/127\.0\.0\.1:(\d+)/.exec(await server.waitForLine(/HTTPS listening at/))?.[1])
  const health = await new Promise<number>((resolve, reject) => {
    https.get(`https://localhost:${port}/__mock/health`, { ca: own.ca, agent: false }, (res) => { res.resume(); resolve(res.statusCode ?? 0) }).on('error', reject)
  })
  t.equal(health, 200)
  await server.waitForLine(/eloqua-bulk-mock ready/)
  t.notOk(server.lines.some((line) => line.includes('local CA certificate')), 'nothing to trust but your own CA')
  server.child.kill('SIGTERM')
  t.strictSame(await server.exit, { code: 0, signal: null })
})

t.test('a TLS setting that cannot work stops the start with a message naming it', async (t) => {
  const taken = createServer()
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve))
  t.teardown(() => taken.close())
  const port = (taken.address() as AddressInfo).port
  const busy = await runCommand(['--tls', '--tls-port', String(port), '--tls-ca-out', join(tmpdir(), `eloqua-ca-${process.pid}.pem`)])
  t.equal(busy.code, 1)
  t.match(busy.stderr, `eloqua-bulk-mock: cannot listen for HTTPS on 127.0.0.1:${port} (TLS_PORT): listen EADDRINUSE`)
  const missing = await runCommand(['--tls-cert', '/nonexistent/cert.pem', '--tls-key', '/nonexistent/key.pem'])
  t.equal(missing.code, 1)
  t.equal(missing.stderr, 'eloqua-bulk-mock: TLS_CERT (--tls-cert): cannot read /nonexistent/cert.pem (ENOENT)\n')
})
