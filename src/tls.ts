/**
 * The certificate the HTTPS listener presents: the user's own (TLS_CERT/TLS_KEY), or one made at
 * start by a local certificate authority that exists only in this process. The CA's certificate
 * is written to TLS_CA_OUT so clients can trust it; its private key never leaves memory, so
 * trusting the file lets nobody else sign for eloqua.com. Certificates are made by @peculiar/x509
 * on Node's WebCrypto (ECDSA P-256, SHA-256), never by hand.
 */
import { randomBytes, webcrypto } from 'node:crypto'
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
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

/**
 * Where the CA goes when TLS_CA_OUT is not set: named by the TLS port, so two mocks on one
 * machine do not overwrite each other's CA (by the process id when the port is picked at start).
 */
export function defaultCaFile (tlsPort: number): string {
  return join(tmpdir(), `eloqua-bulk-mock-ca-${tlsPort === 0 ? `pid${process.pid}` : tlsPort}.pem`)
}

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

const SIGNING = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const

/**
 * A fresh CA and a server certificate it signed for `hostnames`. About 30 ms. Both carry key
 * identifiers (SKI, and AKI on the server's), as strict verifiers (Python 3.13's default
 * context, `openssl verify -x509_strict`) require.
 */
export async function generateCertificates (hostnames: readonly string[], now = new Date()): Promise<{ ca: string, cert: string, key: string }> {
  // Loaded only when asked for: an ASN.1 stack that a plain-HTTP start does not need. @peculiar/x509
  // needs the Reflect metadata API, which reflect-metadata adds.
  await import('reflect-metadata')
  // The package is CommonJS: its default export is the whole module, in Node and in the bundled command alike.
  const { default: x509 } = await import('@peculiar/x509')
  const { subtle } = webcrypto
  const serialNumber = (): string => `01${randomBytes(15).toString('hex')}`
  // A day back, so a client whose clock is a little behind still accepts it.
  const notBefore = new Date(now.getTime() - DAY_MS)
  const caKeys = await subtle.generateKey(SIGNING, true, ['sign', 'verify'])
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serialNumber(),
    name: 'CN=eloqua-bulk-mock local CA, O=eloqua-bulk-mock',
    notBefore,
    notAfter: new Date(now.getTime() + 825 * DAY_MS),
    keys: caKeys,
    signingAlgorithm: SIGNING,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey, false, webcrypto)
    ]
  }, webcrypto)
  const serverKeys = await subtle.generateKey(SIGNING, true, ['sign', 'verify'])
  const server = await x509.X509CertificateGenerator.create({
    serialNumber: serialNumber(),
    subject: 'CN=login.eloqua.com, O=eloqua-bulk-mock',
    issuer: ca.subject,
    notBefore,
    // 397 days: the longest a server certificate may last for browsers and Apple's clients.
    notAfter: new Date(now.getTime() + 397 * DAY_MS),
    publicKey: serverKeys.publicKey,
    signingKey: caKeys.privateKey,
    signingAlgorithm: SIGNING,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(hostnames.map((name) => ({ type: isIP(name) !== 0 ? 'ip' : 'dns', value: name }))),
      await x509.SubjectKeyIdentifierExtension.create(serverKeys.publicKey, false, webcrypto),
      await x509.AuthorityKeyIdentifierExtension.create(caKeys.publicKey, false, webcrypto)
    ]
  }, webcrypto)
  const key = x509.PemConverter.encode(await subtle.exportKey('pkcs8', serverKeys.privateKey), 'PRIVATE KEY')
  return { ca: ca.toString('pem'), cert: server.toString('pem'), key }
}

/**
 * Writes whole or not at all: a client reading a shared volume never sees half a file. The
 * partial file gets a fresh name and is created, never opened if it exists (so never through a
 * link planted in a shared folder), and is removed if the rename fails.
 */
function writeAtomically (path: string, content: string): void {
  const partial = `${path}.${randomBytes(6).toString('hex')}.partial`
  writeFileSync(partial, content, { mode: 0o644, flag: 'wx' })
  try {
    renameSync(partial, path)
  } catch (err) {
    rmSync(partial, { force: true })
    throw err
  }
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
 * A generated certificate also covers the pod hosts the `sites` pin /id to.
 */
export async function loadTls (config: Config, sites: ReadonlyArray<{ podHost?: string }> = []): Promise<TlsMaterial> {
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
  const podHosts = sites.flatMap((site) => site.podHost === undefined ? [] : [site.podHost.split(':')[0] as string])
  const hostnames = certificateNames(config.TLS_HOSTNAMES, podHosts)
  const generated = await generateCertificates(hostnames)
  const caFile = config.TLS_CA_OUT === '' ? defaultCaFile(config.TLS_PORT) : config.TLS_CA_OUT
  try {
    writeAtomically(caFile, generated.ca)
  } catch (err) {
    throw new TlsError(`TLS_CA_OUT (--tls-ca-out): cannot write the CA certificate to ${caFile} (${String((err as NodeJS.ErrnoException).code)})`)
  }
  return { ...generated, caFile, hostnames }
}
