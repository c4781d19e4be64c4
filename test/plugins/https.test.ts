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
  material ??= await generateCertificates(['localhost', '127.0.0.1'])
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
  const { port, address } = await listenHttps(app, 0, '127.0.0.1')
  t.equal(address, '127.0.0.1')
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
  t.equal(app.httpsServer?.listening, false, 'closing the app stops the TLS listener')
})

t.test('a TLS port already taken is an error from listenHttps', async (t) => {
  const material = await tls()
  const first = await build(t, { tls: material })
  const { port } = await listenHttps(first, 0, '127.0.0.1')
  const second = await build(t, { tls: material })
  await t.rejects(listenHttps(second, port, '127.0.0.1'), { code: 'EADDRINUSE' })
  t.equal(second.httpsServer?.listening, false)
})

t.test('an app built without tls has no TLS listener', async (t) => {
  const app = await build(t)
  t.equal(app.httpsServer, undefined)
  t.equal(app.tlsMaterial, undefined)
  await t.rejects(listenHttps(app, 0, '127.0.0.1'), new Error('the app was built without tls'))
})

t.test('httpsUrl writes an address as a URL, IPv6 in brackets', async (t) => {
  t.equal(httpsUrl({ address: '127.0.0.1', family: 'IPv4', port: 8443 }), 'https://127.0.0.1:8443')
  t.equal(httpsUrl({ address: '::1', family: 'IPv6', port: 443 }), 'https://[::1]:443')
})
