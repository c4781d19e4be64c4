/**
 * Every setting, its environment variable, its command-line flag and its default, in one JSON
 * schema: config.ts reads settings with it, `--help` and the README list it, and `npm run schema`
 * compiles its validator. It imports nothing generated, so the generator can always load it.
 */
import type { FromSchema } from 'json-schema-to-ts'
import { DEFAULT_FIXTURES_PATH } from '../paths.js'

const MiB = 1024 * 1024

export const configSchema = {
  type: 'object',
  required: [],
  properties: {
    PORT: { type: 'integer', minimum: 0, maximum: 65535, default: 8080, description: 'TCP port to listen on (0 picks a free one).' },
    HOST: { type: 'string', minLength: 1, default: 'localhost', description: 'Interface to listen on; 0.0.0.0 in containers.' },
    TLS: { type: 'boolean', default: false, description: 'Serve HTTPS on TLS_PORT too, with a certificate made at start by a local CA (written to TLS_CA_OUT) for localhost, login.eloqua.com, the pod hosts and TLS_HOSTNAMES. `--tls` alone turns it on.' },
    TLS_PORT: { type: 'integer', minimum: 0, maximum: 65535, default: 8443, description: 'TCP port of HTTPS when TLS or TLS_CERT is set (0 picks a free one); PORT keeps serving HTTP.' },
    TLS_CERT: { type: 'string', default: '', description: 'PEM certificate (chain) to serve HTTPS with, instead of a generated one; needs TLS_KEY.' },
    TLS_KEY: { type: 'string', default: '', description: 'PEM private key of TLS_CERT.' },
    TLS_HOSTNAMES: { type: 'string', default: '', description: 'Comma-separated extra host names or IP addresses the generated certificate is valid for.' },
    TLS_CA_OUT: { type: 'string', default: '', description: 'File the generated CA certificate is written to, for clients to trust (default: eloqua-bulk-mock-ca-<TLS_PORT>.pem in the system temp folder, -pid<pid> when TLS_PORT is 0).' },
    LOG_LEVEL: {
      type: 'string',
      enum: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'],
      default: 'info',
      description: 'pino log level.'
    },
    LOG_FLUSH_MS: { type: 'integer', minimum: 0, maximum: 10000, default: 100, description: 'Log lines are written in batches of up to 64 KiB, and at least this often; 0 writes each line as it comes.' },
    FIXTURES: { type: 'string', minLength: 1, default: DEFAULT_FIXTURES_PATH, description: 'Fixtures file, or folder whose *.json files are all loaded. Default: the bundled fixtures.' },
    MAX_UPLOAD_BYTES: { type: 'integer', minimum: 1, default: 32 * MiB, description: 'Largest upload body; a larger one answers 404, as Eloqua does past 32 MB.' },
    MAX_UPLOADS_PER_SYNC: { type: 'integer', minimum: 1, default: 500, description: 'Uploads ("files") a definition takes between syncs; the next answers 400.' },
    STAGING_QUOTA_BYTES: { type: 'integer', minimum: 1, default: 1024 * MiB, description: 'Staging space of each site; an upload past it answers 413.' },
    UPLOADS_DURING_SYNC: {
      type: 'string',
      enum: ['accept', 'reject'],
      default: 'accept',
      description: 'An upload while a sync of the definition is pending or active: keep it for the next sync, or answer 409.'
    },
    SYNC_PENDING_MS: { type: 'integer', minimum: 0, maximum: 86_400_000, default: 500, description: 'How long a new sync stays pending.' },
    SYNC_ACTIVE_MS: { type: 'integer', minimum: 0, maximum: 86_400_000, default: 500, description: 'How long a sync stays active before it ends.' },
    IMPORT_SYNC_ON_IMPORT: {
      type: 'boolean',
      default: false,
      description: 'isSyncTriggeredOnImport of an import definition whose body leaves it out (Oracle documents true, recorded answers show false).'
    },
    EXPORT_DATA_RETENTION: {
      type: 'string',
      enum: ['PT12H', 'PT6H'],
      default: 'PT12H',
      description: 'dataRetentionDuration of an export definition whose body leaves it out (the schema and recorded answers say PT12H; Oracle announced 6 hours in 24A).'
    },
    CALLBACK_TIMEOUT_MS: { type: 'integer', minimum: 1, default: 5000, description: 'How long a sync callback may take before it counts as failed.' },
    FAULT_SEED: { type: 'integer', default: 1, description: 'Seed for fault rules with a probability, so runs repeat.' },
    MAX_FAULT_RULES: { type: 'integer', minimum: 0, default: 100, description: 'Fault rules that POST /__mock/faults may add before it answers 400.' },
    MAX_JSON_DEPTH: { type: 'integer', minimum: 2, maximum: 1000, default: 32, description: 'Deepest nesting of arrays and objects a JSON body may have; deeper answers 400.' },
    MAX_DEFINITIONS: { type: 'integer', minimum: 1, default: 10000, description: 'Definitions (imports and sync actions) each site holds, fixtures included; creating one more answers 400.' },
    MAX_RECORDS: { type: 'integer', minimum: 1, default: 1000000, description: 'Records each site holds per entity (contacts, accounts, each custom object), fixtures included; an import row that would create one more is rejected.' },
    MAX_RETAINED_EXPORT_ROWS: { type: 'integer', minimum: 0, default: 5000000, description: 'Exported rows each site keeps over all export syncs; the oldest syncs lose their data beyond it (then 404).' },
    EXPORT_CACHE_BYTES: { type: 'integer', minimum: 0, default: 1024 * MiB, description: 'Bytes of exported rows each site keeps written as the JSON of data pages, written while the sync runs, so pages are sent as they are; rows past it (or all, with 0) are written again for each page.' },
    MAX_RETAINED_SYNCS: { type: 'integer', minimum: 1, default: 10000, description: 'Ended syncs kept with their logs and rejects; the oldest are dropped beyond it (then 404).' },
    MAX_RETAINED_REJECTS: { type: 'integer', minimum: 0, default: 1000000, description: 'Rejected records kept over all ended syncs; the oldest syncs are dropped beyond it, and one sync keeps at most this many.' },
    SYNC_RETENTION_DAYS: { type: 'integer', minimum: 1, default: 365, description: 'Days (on the mock clock) an ended sync, its logs and rejects are kept, as Eloqua keeps them a year.' },
    CALLBACK_HOSTS: { type: 'string', default: '', description: 'Comma-separated host names a callbackUrl may point at (e.g. localhost,receiver); empty allows any host.' },
    MAX_SITES: { type: 'integer', minimum: 1, maximum: 10000, default: 100, description: 'Sites (Eloqua instances) the mock holds, the fixtures\' included; POST /__mock/sites past it answers 400.' },
    JOURNAL_SIZE: { type: 'integer', minimum: 0, maximum: 1_000_000, default: 10000, description: 'Eloqua API requests the journal (GET /__mock/requests) keeps, the oldest dropped first; 0 keeps none.' },
    JOURNAL_BODY_BYTES: { type: 'integer', minimum: 0, maximum: 1_048_576, default: 1024, description: 'Bytes of each request and response body the journal keeps (never of OAuth token calls); 0 keeps none.' },
    ADMIN_API: { type: 'string', enum: ['on', 'off'], default: 'on', description: 'Serve the /__mock control surface; off leaves only /__mock/health.' },
    ADMIN_TOKEN: { type: 'string', default: '', description: 'When set, /__mock requests other than health need Authorization: Bearer <token>.' },
    TRUST_FORWARDED_HEADERS: { type: 'boolean', default: false, description: 'Build the URLs of /id from X-Forwarded-Proto and X-Forwarded-Host (set it behind a proxy you run).' },
    REQUEST_TIMEOUT_MS: { type: 'integer', minimum: 1000, default: 60000, description: 'Time a client has to send a whole request, body included; then 408 and the connection closes.' },
    HEADERS_TIMEOUT_MS: { type: 'integer', minimum: 1000, default: 20000, description: 'Time a client has to send the request line and headers.' },
    CONNECTION_TIMEOUT_MS: { type: 'integer', minimum: 1000, default: 30000, description: 'A connection on which nothing arrives or leaves for this long is closed.' },
    KEEP_ALIVE_TIMEOUT_MS: { type: 'integer', minimum: 1, default: 5000, description: 'How long an idle keep-alive connection waits for its next request.' },
    MAX_FIXTURE_BYTES: { type: 'integer', minimum: 1, default: 64 * MiB, description: 'Largest fixtures file read at start; a larger one stops the start.' },
    SHUTDOWN_GRACE_MS: { type: 'integer', minimum: 0, default: 10000, description: 'On SIGTERM/SIGINT, how long in-flight requests may take before the process exits anyway.' },
    IDLE_RELEASE_MS: { type: 'integer', minimum: 1000, maximum: 86_400_000, default: 60000, description: 'After this long with next to no requests, the command gives the memory it no longer uses back to the system (a full garbage collection), once per quiet spell.' }
  }
} as const

export type Config = Readonly<FromSchema<typeof configSchema>>
export type ConfigKey = keyof typeof configSchema.properties
