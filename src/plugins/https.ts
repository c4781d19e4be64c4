/**
 * HTTPS beside HTTP, on a port of its own, for one app. A TLS listener decrypts and hands each
 * connection to the app's HTTP server, so both ports share every route, limit, timeout and the
 * graceful shutdown; requests that came over TLS see `request.protocol === 'https'`, which /id
 * reports back. `app.httpsServer` is created here and listened on by `listenHttps`.
 */
import type { AddressInfo } from 'node:net'
import { createServer, type Server as TlsServer } from 'node:tls'
import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import type { TlsMaterial } from '../tls.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** The TLS listener when the app was built with `tls`; it serves once `listenHttps` ran. */
    httpsServer: TlsServer | undefined
    /** The material the TLS listener presents, with the local CA when the mock made it. */
    tlsMaterial: TlsMaterial | undefined
  }
}

export interface HttpsOptions {
  tls: TlsMaterial | undefined
  /** A client that has not finished its TLS handshake by then is cut off. */
  handshakeTimeoutMs: number
}

export default fp<HttpsOptions>(async function https (app, { tls, handshakeTimeoutMs }) {
  app.decorate('tlsMaterial', tls)
  if (tls === undefined) {
    app.decorate('httpsServer', undefined)
    return
  }
  const server = createServer({
    key: tls.key,
    cert: tls.cert,
    // The mock speaks HTTP/1.1 only; saying so keeps an h2-capable client from trying.
    ALPNProtocols: ['http/1.1'],
    minVersion: 'TLSv1.2',
    handshakeTimeout: handshakeTimeoutMs
  })
  server.on('secureConnection', (socket) => { app.server.emit('connection', socket) })
  // A failed handshake is the client's problem; the socket is already destroyed.
  server.on('tlsClientError', () => {})
  app.decorate('httpsServer', server)
  // Stop taking new connections; those already handed over close with the app's server.
  app.addHook('preClose', (done) => {
    if (server.listening) server.close()
    done()
  })
}, { name: 'https', dependencies: ['connections'] })

/** `https://127.0.0.1:8443`, or `https://[::1]:8443`, as a listener's address reads in a URL. */
export function httpsUrl ({ address, family, port }: AddressInfo): string {
  return `https://${family === 'IPv6' ? `[${address}]` : address}:${port}`
}

/** Starts the app's TLS listener; returns its address. */
export async function listenHttps (app: FastifyInstance, port: number, host: string): Promise<AddressInfo> {
  const server = app.httpsServer
  if (server === undefined) throw new Error('the app was built without tls')
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  return server.address() as AddressInfo
}
