import t from 'tap'
import { X509Certificate } from 'node:crypto'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadConfig } from '../src/config.js'
import { certificateNames, defaultCaFile, DEFAULT_TLS_HOSTNAMES, generateCertificates, isCertificateName, loadTls, TlsError } from '../src/tls.js'

function tempDir (t: { teardown: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'eloqua-tls-unit-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

t.test('certificate names: the defaults, then pod hosts, then TLS_HOSTNAMES, once each and in lower case', async (t) => {
  t.strictSame(certificateNames(''), [...DEFAULT_TLS_HOSTNAMES])
  t.strictSame(certificateNames(' eloqua , 10.0.0.5,LOGIN.eloqua.com,, *.mock.test', ['secure.p09.eloqua.com']).slice(DEFAULT_TLS_HOSTNAMES.length), ['secure.p09.eloqua.com', 'eloqua', '10.0.0.5', '*.mock.test'])
  t.throws(() => certificateNames('ok.test,bad name,http://x'), new TlsError('TLS_HOSTNAMES (--tls-hostnames): "bad name", "http://x" is not a host name or IP address'))
  for (const bad of ['', '-a.test', 'a-.test', 'a..test', '*.', 'a.*.test', 'x'.repeat(64), `${'a.'.repeat(127)}aa`, 'ünï.test']) t.notOk(isCertificateName(bad), bad)
  for (const good of ['localhost', '::1', '192.168.0.1', '*.eloqua.com', 'a-b.c9.test', 'x'.repeat(63)]) t.ok(isCertificateName(good), good)
})

t.test('a generated certificate is signed by the generated CA and valid for every name asked, and only those', async (t) => {
  const now = new Date('2026-11-29T00:00:00Z')
  const names = certificateNames('mock.test,10.1.2.3')
  const { ca, cert, key } = await generateCertificates(names, now)
  const caCert = new X509Certificate(ca)
  const serverCert = new X509Certificate(cert)
  t.ok(caCert.ca, 'the CA is a CA')
  t.notOk(serverCert.ca, 'the server certificate is not')
  t.ok(serverCert.checkIssued(caCert) && serverCert.verify(caCert.publicKey), 'signed by the CA')
  t.ok(serverCert.checkPrivateKey((await import('node:crypto')).createPrivateKey(key)), 'the key is the certificate\'s')
  for (const host of ['localhost', 'login.eloqua.com', 'secure.eloqua.com', 'secure.p01.eloqua.com', 'secure.p08.eloqua.com', 'mock.test']) t.not(serverCert.checkHost(host), undefined, host)
  for (const ip of ['127.0.0.1', '::1', '10.1.2.3']) t.equal(serverCert.checkIP(ip), ip, ip)
  for (const host of ['example.com', 'eloqua.com.evil.test', 'a.b.p01.eloqua.com', 'secure.p09.eloqua.com']) t.equal(serverCert.checkHost(host), undefined, `not ${host}`)
  t.equal(new Date(serverCert.validFrom).toISOString(), '2026-11-28T00:00:00.000Z', 'valid from a day before')
  t.equal(new Date(serverCert.validTo).toISOString(), '2027-12-31T00:00:00.000Z', 'for 397 days')
  t.match(serverCert.keyUsage ?? [], ['1.3.6.1.5.5.7.3.1'], 'for server authentication')
  // Strict verifiers (openssl -x509_strict, Python 3.13's default context) need key identifiers.
  await import('reflect-metadata')
  const x509 = await import('@peculiar/x509')
  const caSki = new x509.X509Certificate(ca).getExtension(x509.SubjectKeyIdentifierExtension)?.keyId
  const serverAki = new x509.X509Certificate(cert).getExtension(x509.AuthorityKeyIdentifierExtension)?.keyId
  t.match(caSki, /^[0-9a-f]{40}$/, 'the CA has a subject key identifier')
  t.equal(serverAki, caSki, 'the server certificate names it as its authority key identifier')
  t.ok(new x509.X509Certificate(cert).getExtension(x509.SubjectKeyIdentifierExtension), 'and has its own')
})

t.test('loadTls with --tls writes the CA, whole, where TLS_CA_OUT says (the temp folder by default)', async (t) => {
  const dir = tempDir(t)
  const caFile = join(dir, 'ca.pem')
  const material = await loadTls(loadConfig({ TLS: 'true', TLS_CA_OUT: caFile, TLS_HOSTNAMES: 'mock.test' }), [{ podHost: 'secure.p11.eloqua.com:8443' }, {}])
  t.equal(material.caFile, caFile)
  t.equal(readFileSync(caFile, 'utf8'), material.ca)
  t.ok(material.hostnames?.includes('mock.test') === true && material.hostnames.includes('secure.p11.eloqua.com'))
  t.ok(new X509Certificate(material.cert).checkIssued(new X509Certificate(readFileSync(caFile))))

  const byDefault = await loadTls(loadConfig({ TLS: 'true', TLS_PORT: '0' }))
  t.equal(byDefault.caFile, join(tmpdir(), `eloqua-bulk-mock-ca-pid${process.pid}.pem`), 'by process when the port is picked at start')
  t.teardown(() => rmSync(byDefault.caFile!, { force: true }))
  t.equal(readFileSync(byDefault.caFile!, 'utf8'), byDefault.ca)
  t.equal(defaultCaFile(8443), join(tmpdir(), 'eloqua-bulk-mock-ca-8443.pem'), 'else by TLS port, so two mocks do not share one file')

  // A folder where the file should be: the rename fails, and no partial file is left behind.
  const blocked = join(dir, 'blocked.pem')
  mkdirSync(blocked)
  await t.rejects(loadTls(loadConfig({ TLS: 'true', TLS_CA_OUT: blocked })), { message: `TLS_CA_OUT (--tls-ca-out): cannot write the CA certificate to ${blocked} (EISDIR)` })
  t.strictSame(readdirSync(dir).sort(), ['blocked.pem', 'ca.pem'])

  await t.rejects(loadTls(loadConfig({ TLS: 'true', TLS_CA_OUT: join(dir, 'missing', 'ca.pem') })), new TlsError(`TLS_CA_OUT (--tls-ca-out): cannot write the CA certificate to ${join(dir, 'missing', 'ca.pem')} (ENOENT)`))
  await t.rejects(loadTls(loadConfig({ TLS: 'true', TLS_HOSTNAMES: 'a b' })), { message: /^TLS_HOSTNAMES/ })
})

t.test('loadTls with TLS_CERT and TLS_KEY serves them, after checking they belong together', async (t) => {
  const dir = tempDir(t)
  const one = await generateCertificates(['localhost'])
  const other = await generateCertificates(['localhost'])
  writeFileSync(join(dir, 'cert.pem'), one.cert)
  writeFileSync(join(dir, 'key.pem'), one.key)
  writeFileSync(join(dir, 'other-key.pem'), other.key)
  writeFileSync(join(dir, 'garbage.pem'), 'not a certificate')
  const config = (env: Record<string, string>): ReturnType<typeof loadConfig> => loadConfig(env)

  t.strictSame(await loadTls(config({ TLS_CERT: join(dir, 'cert.pem'), TLS_KEY: join(dir, 'key.pem') })), { cert: one.cert, key: one.key }, 'no CA is made or written')
  await t.rejects(loadTls(config({ TLS_CERT: join(dir, 'cert.pem') })), new TlsError('TLS_CERT (--tls-cert) and TLS_KEY (--tls-key) are set together: the certificate and its private key'))
  await t.rejects(loadTls(config({ TLS_KEY: join(dir, 'key.pem') })), { message: /are set together/ })
  await t.rejects(loadTls(config({ TLS_CERT: join(dir, 'nope.pem'), TLS_KEY: join(dir, 'key.pem') })), new TlsError(`TLS_CERT (--tls-cert): cannot read ${join(dir, 'nope.pem')} (ENOENT)`))
  await t.rejects(loadTls(config({ TLS_CERT: join(dir, 'cert.pem'), TLS_KEY: dir })), new TlsError(`TLS_KEY (--tls-key): cannot read ${dir} (EISDIR)`))
  await t.rejects(loadTls(config({ TLS_CERT: join(dir, 'cert.pem'), TLS_KEY: join(dir, 'other-key.pem') })), { message: /^TLS_CERT \(--tls-cert\) .*cert\.pem and TLS_KEY \(--tls-key\) .*other-key\.pem: not a PEM certificate and its matching private key/ })
  await t.rejects(loadTls(config({ TLS_CERT: join(dir, 'garbage.pem'), TLS_KEY: join(dir, 'key.pem') })), { message: /not a PEM certificate/ })
})
