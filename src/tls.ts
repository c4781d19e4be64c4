/**
 * The certificate the HTTPS listener presents: the user's own (TLS_CERT/TLS_KEY), or one made at
 * start by a local certificate authority that exists only in this process. The CA's certificate
 * is written to TLS_CA_OUT so clients can trust it; its private key never leaves memory, so
 * trusting the file lets nobody else sign for eloqua.com. Certificates are made by `selfsigned`
 * (ECDSA P-256, SHA-256), never by hand.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs'
import { isIP } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createSecureContext } from 'node:tls'
import type { Config } from './config.js'

/** What the HTTPS listener needs; `ca` is set when the mock made the certificate itself. */
export interface TlsMaterial {
  key: string
  cert: string
  ca?: string
  /** Where the CA certificate was written, when it was. */
  caFile?: string
  /** The names the generated certificate is valid for. */
  hostnames?: readonly string[]
}

/**
 * Names a generated certificate always covers: this machine, Eloqua's login host, and every pod
 * host (`secure.p03.eloqua.com` is two labels below eloqua.com, which `*.eloqua.com` does not reach).
 */
export const DEFAULT_TLS_HOSTNAMES: readonly string[] = [
  'localhost', '127.0.0.1', '::1', 'login.eloqua.com', '*.eloqua.com',
  ...['01', '02', '03', '04', '05', '06', '07', '08'].map((pod) => `*.p${pod}.eloqua.com`)
]

export const DEFAULT_CA_FILE = join(tmpdir(), 'eloqua-bulk-mock-ca.pem')

export class TlsError extends Error {
  constructor (message: string) {
    super(message)
    this.name = 'TlsError'
  }
}

/** A DNS name (a leading `*.` allowed) or an IP address, as a certificate may name it. */
export function isCertificateName (name: string): boolean {
  if (isIP(name) !== 0) return true
  const labels = (name.startsWith('*.') ? name.slice(2) : name).split('.')
  if (name.length > 253 || labels.length === 0) return false
  return labels.every((label) => label.length > 0 && label.length <= 63 && !label.startsWith('-') && !label.endsWith('-') &&
    [...label].every((c) => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c === '-'))
}

/** The names of TLS_HOSTNAMES, checked, after the defaults and `extra` (pod hosts of fixtures). */
export function certificateNames (tlsHostnames: string, extra: readonly string[] = []): string[] {
  const given = tlsHostnames.split(',').map((name) => name.trim()).filter((name) => name !== '')
  const bad = given.filter((name) => !isCertificateName(name))
  if (bad.length > 0) throw new TlsError(`TLS_HOSTNAMES (--tls-hostnames): ${bad.map((b) => JSON.stringify(b)).join(', ')} is not a host name or IP address`)
  const names = new Set<string>()
  for (const name of [...DEFAULT_TLS_HOSTNAMES, ...extra, ...given]) names.add(name.toLowerCase())
  return [...names]
}

const DAY_MS = 86_400_000

/** A fresh CA and a server certificate it signed for `hostnames`. About 40 ms. */
export async function generateCertificates (hostnames: readonly string[], now = new Date()): Promise<{ ca: string, cert: string, key: string }> {
  // Loaded only when asked for: it pulls in an ASN.1 stack that a plain-HTTP start does not need.
  const { generate } = await import('selfsigned')
  // A day back, so a client whose clock is a little behind still accepts it.
  const notBeforeDate = new Date(now.getTime() - DAY_MS)
  const ca = await generate([{ name: 'commonName', value: 'eloqua-bulk-mock local CA' }, { name: 'organizationName', value: 'eloqua-bulk-mock' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate: new Date(now.getTime() + 825 * DAY_MS),
    extensions: [
      { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true }
    ]
  })
  const server = await generate([{ name: 'commonName', value: 'login.eloqua.com' }, { name: 'organizationName', value: 'eloqua-bulk-mock' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    notBeforeDate,
    // 397 days: the longest a server certificate may last for browsers and Apple's clients.
    notAfterDate: new Date(now.getTime() + 397 * DAY_MS),
    ca: { key: ca.private, cert: ca.cert },
    extensions: [
      { name: 'basicConstraints', cA: false, critical: true },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: hostnames.map((name) => isIP(name) !== 0 ? { type: 7 as const, ip: name } : { type: 2 as const, value: name }) }
    ]
  })
  return { ca: ca.cert, cert: server.cert, key: server.private }
}

/** Writes whole or not at all: a client reading a shared volume never sees half a file. */
function writeAtomically (path: string, content: string): void {
  const partial = `${path}.${process.pid}.partial`
  writeFileSync(partial, content, { mode: 0o644 })
  renameSync(partial, path)
}

function readPem (path: string, key: 'TLS_CERT' | 'TLS_KEY'): string {
  try {
    return readFileSync(path, 'utf8')
  } catch (err) {
    throw new TlsError(`${key} (--${key.toLowerCase().replace('_', '-')}): cannot read ${path} (${String((err as NodeJS.ErrnoException).code)})`)
  }
}

/**
 * The certificate and key to serve, from the configuration: read and checked (a key that does
 * not match its certificate stops the start), or generated with the CA written to TLS_CA_OUT.
 * `podHosts` are the host names fixtures pin /id to; a generated certificate covers them too.
 */
export async function loadTls (config: Config, podHosts: readonly string[] = []): Promise<TlsMaterial> {
  if (config.TLS_CERT !== '' || config.TLS_KEY !== '') {
    if (config.TLS_CERT === '' || config.TLS_KEY === '') throw new TlsError('TLS_CERT (--tls-cert) and TLS_KEY (--tls-key) are set together: the certificate and its private key')
    const cert = readPem(config.TLS_CERT, 'TLS_CERT')
    const key = readPem(config.TLS_KEY, 'TLS_KEY')
    try {
      createSecureContext({ cert, key })
    } catch (err) {
      throw new TlsError(`TLS_CERT (--tls-cert) ${config.TLS_CERT} and TLS_KEY (--tls-key) ${config.TLS_KEY}: not a PEM certificate and its matching private key (${(err as Error).message})`)
    }
    return { cert, key }
  }
  const hostnames = certificateNames(config.TLS_HOSTNAMES, podHosts)
  const generated = await generateCertificates(hostnames)
  const caFile = config.TLS_CA_OUT === '' ? DEFAULT_CA_FILE : config.TLS_CA_OUT
  try {
    writeAtomically(caFile, generated.ca)
  } catch (err) {
    throw new TlsError(`TLS_CA_OUT (--tls-ca-out): cannot write the CA certificate to ${caFile} (${String((err as NodeJS.ErrnoException).code)})`)
  }
  return { ...generated, caFile, hostnames }
}
