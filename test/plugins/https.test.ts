// HTTPS beside HTTP in one app, over real sockets: the TLS port serves the same routes, and
// requests that came over TLS are told so (/id answers https URLs).
import t from 'tap'
import https from 'node:https'
import { connect } from 'node:net'
import { once } from 'node:events'
import { generateCertificates, type TlsMaterial } from '../../src/tls.js'
import { httpsUrl, listenHttps } from '../../src/plugins/https.js'
import { API_USER, build } from '../helper.js'

let material: TlsMaterial | undefined
async function tls (): Promise<TlsMaterial> {
  material ??= await generateCertificates(['localhost', '127.0.0.1', '::1'])
  return material
}

async function get (url: string, ca: string, headers: Record<string, string> = {}): Promise<{ status: number, body: string }> {
  return await new Promise((resolve, reject) => {
    https.get(url, { ca, headers, agent: false }, (res) => {
      let body = ''
      res.on('data', (chunk: Buffer) => { body += chunk.toString() })
      res.on('end', () => { resolve({ status: res.statusCode ?? 0, body }) })
    }).on('error', reject)
  })
}

t.test('the TLS port serves every route; /id answers with https URLs there and http ones on the HTTP port', async (t) => {
  const material = await tls()
  const app = await build(t, { tls: material })
  const httpUrl = await app.listen({ port: 0, host: '127.0.0.1' })
  const [address, ...more] = await listenHttps(app, 0, '127.0.0.1')
  t.strictSame(more, [], 'one address, one listener')
  t.equal(address?.address, '127.0.0.1')
  const port = address!.port
  const overTls = await get(`https://localhost:${port}/id`, material.ca!, { authorization: API_USER })
  t.equal(overTls.status, 200)
  t.equal((JSON.parse(overTls.body) as { urls: { base: string } }).urls.base, `https://localhost:${port}`)
  const plain = await fetch(`${httpUrl}/id`, { headers: { authorization: API_USER } })
  t.equal((await plain.json() as { urls: { base: string } }).urls.base, httpUrl)
  t.equal(app.tlsMaterial, material)

  // Plain HTTP sent to the TLS port fails its handshake and is cut off, and nothing else breaks.
  const socket = connect(port, '127.0.0.1')
  socket.end('GET /id HTTP/1.1\r\nHost: localhost\r\n\r\n')
  socket.resume()
  await once(socket, 'close')
  t.equal((await get(`https://127.0.0.1:${port}/__mock/health`, material.ca!)).status, 200, 'still serving')

  await app.close()
  t.equal(app.httpsServers[0]?.listening, false, 'closing the app stops the TLS listener')
})

t.test('a client that never finishes its handshake is cut off after HEADERS_TIMEOUT_MS', async (t) => {
  const material = await tls()
  const app = await build(t, { tls: material, config: { HEADERS_TIMEOUT_MS: 1000 } })
  const { port } = (await listenHttps(app, 0, '127.0.0.1'))[0]!
  const silent = connect(port, '127.0.0.1')
  await once(silent, 'connect')
  const started = process.hrtime.bigint()
  silent.resume()
  await once(silent, 'close')
  const waitedMs = Number(process.hrtime.bigint() - started) / 1e6
  t.ok(waitedMs >= 900, `closed by the handshake timeout, after ${Math.round(waitedMs)} ms`)
})

t.test('closing the app drops a connection still in its handshake at once', async (t) => {
  const material = await tls()
  // A minute of handshake time: if the close did not drop it, the test would time out.
  const app = await build(t, { tls: material, config: { HEADERS_TIMEOUT_MS: 60_000, REQUEST_TIMEOUT_MS: 60_000 } })
  const { port } = (await listenHttps(app, 0, '127.0.0.1'))[0]!
  const silent = connect(port, '127.0.0.1')
  await once(silent, 'connect')
  // A round trip over TLS after it: by then the server has taken the silent connection in.
  t.equal((await get(`https://127.0.0.1:${port}/__mock/health`, material.ca!)).status, 200)
  silent.resume()
  const closed = once(silent, 'close')
  await app.close()
  await closed
  t.pass('dropped')
})

t.test('localhost gets a listener per address it resolves to, all on one port', async (t) => {
  const material = await tls()
  const app = await build(t, { tls: material })
  const addresses = await listenHttps(app, 0, 'localhost')
  t.ok(addresses.length >= 1)
  t.equal(new Set(addresses.map((a) => a.port)).size, 1, 'one port')
  t.equal(app.httpsServers.length, addresses.length)
  for (const address of addresses) t.equal((await get(`${httpsUrl(address)}/__mock/health`, material.ca!)).status, 200, httpsUrl(address))
})

t.test('an address the machine does not have is skipped when localhost names it; other errors stop the listen', async (t) => {
  const material = await tls()
  const { listenHttps: listenWith } = await t.mockImport<typeof import('../../src/plugins/https.js')>('../../src/plugins/https.js', {
    'node:dns/promises': { lookup: async () => [{ address: '127.0.0.1', family: 4 }, { address: '192.0.2.1', family: 4 }, { address: '127.0.0.1', family: 4 }] }
  })
  const app = await build(t, { tls: material })
  const addresses = await listenWith(app, 0, 'localhost')
  t.strictSame(addresses.map((a) => a.address), ['127.0.0.1'], '192.0.2.1 is not this machine\'s: skipped; duplicates listened on once')

  const { listenHttps: listenTaken } = await t.mockImport<typeof import('../../src/plugins/https.js')>('../../src/plugins/https.js', {
    'node:dns/promises': { lookup: async () => [{ address: '127.0.0.1', family: 4 }, { address: '127.0.0.2', family: 4 }] }
  })
  const holder = await build(t, { tls: material })
  const { port } = (await listenHttps(holder, 0, '127.0.0.2'))[0]!
  const other = await build(t, { tls: material })
  await t.rejects(listenTaken(other, port, 'localhost'), { code: 'EADDRINUSE' }, 'the second address taken is an error')
})

t.test('a TLS port already taken is an error from listenHttps', async (t) => {
  const material = await tls()
  const first = await build(t, { tls: material })
  const { port } = (await listenHttps(first, 0, '127.0.0.1'))[0]!
  const second = await build(t, { tls: material })
  await t.rejects(listenHttps(second, port, '127.0.0.1'), { code: 'EADDRINUSE' })
  t.equal(second.httpsServers[0]?.listening, false)
})

t.test('an app built without tls has no TLS listener', async (t) => {
  const app = await build(t)
  t.strictSame(app.httpsServers, [])
  t.equal(app.tlsMaterial, undefined)
  await t.rejects(listenHttps(app, 0, '127.0.0.1'), new Error('the app was built without tls'))
})

t.test('httpsUrl writes an address as a URL, IPv6 in brackets', async (t) => {
  t.equal(httpsUrl({ address: '127.0.0.1', family: 'IPv4', port: 8443 }), 'https://127.0.0.1:8443')
  t.equal(httpsUrl({ address: '::1', family: 'IPv6', port: 443 }), 'https://[::1]:443')
})
