import t from 'tap'
import { ConfigError, configSchema, flagName, helpText, loadConfig, parseCommandLine } from '../src/config.js'
import { DEFAULT_FIXTURES_PATH } from '../src/fixtures.js'

t.test('defaults apply when nothing is set', async (t) => {
  const config = loadConfig({})
  t.strictSame({ ...config }, {
    PORT: 8080,
    HOST: 'localhost',
    TLS: false,
    TLS_PORT: 8443,
    TLS_CERT: '',
    TLS_KEY: '',
    TLS_HOSTNAMES: '',
    TLS_CA_OUT: '',
    LOG_LEVEL: 'info',
    LOG_FLUSH_MS: 100,
    FIXTURES: DEFAULT_FIXTURES_PATH,
    MAX_UPLOAD_BYTES: 33554432,
    MAX_UPLOADS_PER_SYNC: 500,
    STAGING_QUOTA_BYTES: 1073741824,
    UPLOADS_DURING_SYNC: 'accept',
    SYNC_PENDING_MS: 500,
    SYNC_ACTIVE_MS: 500,
    IMPORT_SYNC_ON_IMPORT: false,
    EXPORT_DATA_RETENTION: 'PT12H',
    MAX_RECORDS: 1000000,
    MAX_RETAINED_EXPORT_ROWS: 5000000,
    EXPORT_CACHE_BYTES: 1073741824,
    CALLBACK_TIMEOUT_MS: 5000,
    FAULT_SEED: 1,
    MAX_FAULT_RULES: 100,
    MAX_JSON_DEPTH: 32,
    MAX_DEFINITIONS: 10000,
    MAX_RETAINED_SYNCS: 10000,
    MAX_RETAINED_REJECTS: 1000000,
    SYNC_RETENTION_DAYS: 365,
    CALLBACK_HOSTS: '',
    MAX_SITES: 100,
    JOURNAL_SIZE: 10000,
    JOURNAL_BODY_BYTES: 1024,
    ADMIN_API: 'on',
    ADMIN_TOKEN: '',
    TRUST_FORWARDED_HEADERS: false,
    REQUEST_TIMEOUT_MS: 60000,
    HEADERS_TIMEOUT_MS: 20000,
    CONNECTION_TIMEOUT_MS: 30000,
    KEEP_ALIVE_TIMEOUT_MS: 5000,
    MAX_FIXTURE_BYTES: 67108864,
    SHUTDOWN_GRACE_MS: 10000,
    IDLE_RELEASE_MS: 60000
  })
  t.ok(Object.isFrozen(config))
})

t.test('environment values are coerced, unrelated variables dropped, flags win', async (t) => {
  const config = loadConfig({ PORT: '9000', LOG_LEVEL: 'debug', PATH: '/bin', SYNC_PENDING_MS: '0' }, { port: '9100', 'uploads-during-sync': 'reject' })
  t.equal(config.PORT, 9100)
  t.equal(config.LOG_LEVEL, 'debug')
  t.equal(config.SYNC_PENDING_MS, 0)
  t.equal(config.UPLOADS_DURING_SYNC, 'reject')
  t.notOk('PATH' in config)
})

t.test('bad values are all reported at once, naming variable, flag and value', async (t) => {
  const error = t.throws(() => loadConfig({ PORT: 'eighty', LOG_LEVEL: 'loud' }, { 'max-upload-bytes': '0' })) as Error
  t.ok(error instanceof ConfigError)
  t.match(error.message, /^invalid configuration:/)
  t.match(error.message, /PORT \(--port\): must be integer, got "eighty"/)
  t.match(error.message, /LOG_LEVEL \(--log-level\): must be equal to one of the allowed values, got "loud"/)
  t.match(error.message, /MAX_UPLOAD_BYTES \(--max-upload-bytes\): must be >= 1, got "0"/)
})

t.test('a port out of range is refused', async (t) => {
  t.throws(() => loadConfig({ PORT: '70000' }), /PORT \(--port\): must be <= 65535/)
  t.throws(() => loadConfig({}, { 'idle-release-ms': '999' }), /IDLE_RELEASE_MS \(--idle-release-ms\): must be >= 1000, got "999"/)
  t.equal(loadConfig({ IDLE_RELEASE_MS: '86400000' }).IDLE_RELEASE_MS, 86400000, 'at most a day')
  t.throws(() => loadConfig({ IDLE_RELEASE_MS: '86400001' }), /IDLE_RELEASE_MS \(--idle-release-ms\): must be <= 86400000/)
})

t.test('every setting has a kebab-case flag', async (t) => {
  t.equal(flagName('MAX_UPLOADS_PER_SYNC'), 'max-uploads-per-sync')
  const parsed = parseCommandLine(['--port', '1234', '--fixtures=./mine', '--fault-seed', '7'])
  t.strictSame(parsed, { help: false, version: false, flags: { port: '1234', fixtures: './mine', 'fault-seed': '7' } })
  t.strictSame(parseCommandLine(['-h']).help, true)
  t.strictSame(parseCommandLine(['--version']).version, true)
})

t.test('a yes-or-no flag alone means true; followed by true or false, it means that', async (t) => {
  t.strictSame(parseCommandLine(['--tls']).flags, { tls: 'true' })
  t.strictSame(parseCommandLine(['--tls', '--tls-port', '0']).flags, { tls: 'true', 'tls-port': '0' })
  t.strictSame(parseCommandLine(['--tls', 'false', '--import-sync-on-import']).flags, { tls: 'false', 'import-sync-on-import': 'true' })
  t.strictSame(parseCommandLine(['--tls=false']).flags, { tls: 'false' })
  t.equal(loadConfig({}, parseCommandLine(['--tls']).flags).TLS, true)
  t.throws(() => parseCommandLine(['--tls', 'yes']), /Unexpected argument 'yes'/, 'anything else is a stray argument')
})

t.test('HTTPS needs a port of its own', async (t) => {
  t.throws(() => loadConfig({ TLS: 'true', PORT: '9000', TLS_PORT: '9000' }), new ConfigError(['TLS_PORT (--tls-port): must differ from PORT, which serves HTTP, got 9000']))
  t.throws(() => loadConfig({ TLS_CERT: 'c.pem', PORT: '8443' }), /must differ from PORT/, 'a given certificate turns HTTPS on too')
  t.equal(loadConfig({ TLS: 'true', PORT: '0', TLS_PORT: '0' }).TLS_PORT, 0, 'both may pick a free port')
  t.equal(loadConfig({ PORT: '8443' }).PORT, 8443, 'without TLS the port is free to take')
})

t.test('unknown flags, stray arguments and missing values are errors', async (t) => {
  t.throws(() => parseCommandLine(['--prot', '1']), /Unknown option '--prot'/)
  t.throws(() => parseCommandLine(['serve']), /Unexpected argument 'serve'/)
  t.throws(() => parseCommandLine(['--port']), /argument missing/)
})

t.test('--help lists every flag with its variable and default', async (t) => {
  const text = helpText('1.2.3')
  t.match(text, /^eloqua-bulk-mock 1\.2\.3/)
  for (const key of Object.keys(configSchema.properties) as Array<keyof typeof configSchema.properties>) {
    const value = configSchema.properties[key].type === 'boolean' ? '[true|false]' : '<value>'
    t.match(text, `--${flagName(key)} ${value}\n      env ${key}, default `)
  }
  t.match(text, 'env FIXTURES, default bundled fixtures')
  t.match(text, 'env UPLOADS_DURING_SYNC, default accept (accept|reject)')
})
