/**
 * HTTPS beside HTTP, on a port of its own, for one app. TLS listeners decrypt and hand each
 * connection to the app's HTTP server, so both ports share every route, limit, timeout and the
 * graceful shutdown; requests that came over TLS see `request.protocol === 'https'`, which /id
 * reports back. A connection is the TLS listener's own only until its handshake ends: one that
 * has not finished it in time, or when the app closes, is destroyed here.
 */
import { lookup } from 'node:dns/promises'
import type { AddressInfo, Socket } from 'node:net'
import { createServer, type Server as TlsServer } from 'node:tls'
import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import type { TlsMaterial } from '../tls.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** The TLS listeners `listenHttps` started, one per address (localhost has two). */
    httpsServers: TlsServer[]
    /** The material the TLS listeners present, with the local CA when the mock made it; undefined without HTTPS. */
    tlsMaterial: TlsMaterial | undefined
    /** A new TLS listener for this app; undefined when it was built without `tls`. */
    createHttpsServer: (() => TlsServer) | undefined
  }
}

export interface HttpsOptions {
  tls: TlsMaterial | undefined
  /** A client that has not finished its TLS handshake by then is cut off. */
  handshakeTimeoutMs: number
}

const peer = (socket: Socket): string => `${String(socket.remoteAddress)}|${String(socket.remotePort)}`

export default fp<HttpsOptions>(async function https (app, { tls, handshakeTimeoutMs }) {
  const servers: TlsServer[] = []
  app.decorate('tlsMaterial', tls)
  app.decorate('httpsServers', servers)
  if (tls === undefined) {
    app.decorate('createHttpsServer', undefined)
    return
  }
  // Connections still in their handshake, by peer address: nothing else knows of them yet.
  const handshaking = new Map<string, Socket>()
  app.decorate('createHttpsServer', () => {
    const server = createServer({
      key: tls.key,
      cert: tls.cert,
      // The mock speaks HTTP/1.1 only; saying so keeps an h2-capable client from trying.
      ALPNProtocols: ['http/1.1'],
      minVersion: 'TLSv1.2',
      handshakeTimeout: handshakeTimeoutMs
    })
    server.on('connection', (raw: Socket) => {
      const key = peer(raw)
      handshaking.set(key, raw)
      raw.once('close', () => { if (handshaking.get(key) === raw) handshaking.delete(key) })
    })
    server.on('secureConnection', (socket) => {
      handshaking.delete(peer(socket))
      app.server.emit('connection', socket)
    })
    // A failed or timed-out handshake (Node leaves the timed-out socket open) ends the connection.
    server.on('tlsClientError', (_err, socket) => { socket.destroy() })
    servers.push(server)
    return server
  })
  // Stop taking connections and drop those mid-handshake; those handed over close with the app's server.
  app.addHook('preClose', (done) => {
    for (const server of servers) if (server.listening) server.close()
    for (const raw of handshaking.values()) raw.destroy()
    handshaking.clear()
    done()
  })
}, { name: 'https', dependencies: ['connections'] })

/** `https://127.0.0.1:8443`, or `https://[::1]:8443`, as a listener's address reads in a URL. */
export function httpsUrl (address: AddressInfo): string {
  return urlOf('https', address)
}

/** A listener's address as the origin of a URL of that scheme. */
export function urlOf (scheme: 'http' | 'https', { address, family, port }: AddressInfo): string {
  return `${scheme}://${family === 'IPv6' ? `[${address}]` : address}:${port}`
}

const SKIPPABLE_LISTEN_ERRORS = new Set(['EADDRNOTAVAIL', 'EAFNOSUPPORT'])

function listen (server: TlsServer, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => {
      server.off('error', reject)
      resolve(server.address() as AddressInfo)
    })
  })
}

/**
 * Starts the app's HTTPS listeners on `port`: one for `host`, or, for `localhost`, one for each
 * of its addresses (as fastify does for HTTP), all on the port the first one got.
 */
export async function listenHttps (app: FastifyInstance, port: number, host: string): Promise<AddressInfo[]> {
  const create = app.createHttpsServer
  if (create === undefined) throw new Error('the app was built without tls')
  const hosts = host === 'localhost' ? [...new Set((await lookup(host, { all: true })).map((a) => a.address))] : [host]
  const addresses: AddressInfo[] = []
  for (const [i, address] of hosts.entries()) {
    try {
      addresses.push(await listen(create(), addresses[0]?.port ?? port, address))
    } catch (err) {
      // A machine without IPv6 (or IPv4) has no such address to listen on; the others serve.
      if (i === 0 || !SKIPPABLE_LISTEN_ERRORS.has(String((err as NodeJS.ErrnoException).code))) throw err
    }
  }
  return addresses
}
