/** buildApp: one configured mock, used by the CLI and by every test. It never listens and never reads process.env. */
import { readFileSync } from 'node:fs'
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify'
import type { Config } from './config.js'
import { SystemClock, type Clock } from './domain/clock.js'
import { hostKey } from './domain/store.js'
import type { Fixtures } from './schemas/fixtures.js'
import type { TlsMaterial } from './tls.js'
import { BatchedLog, LOG_CLOSE_WAIT_MS, logDestination } from './log-destination.js'
import { sharedSchemas } from './schemas/common.js'
import { serializerCompiler, validatorCompiler } from './schemas/validators.js'
import errors, { sendEloquaError, toEloquaError } from './plugins/errors.js'
import connections, { clientErrorHandler } from './plugins/connections.js'
import https from './plugins/https.js'
import { RequestLog } from './plugins/request-log.js'
import { decorateRouteConfig } from './plugins/route-config.js'
import store from './plugins/store.js'
import faults from './plugins/faults.js'
import contentTypes from './plugins/content-types.js'
import auth from './plugins/auth.js'
import syncEvents from './plugins/sync-events.js'
import journal from './plugins/journal.js'
import leanUpload, { requestIds } from './plugins/lean-upload.js'
import openApi from './plugins/openapi.js'
import discovery from './routes/discovery.js'
import oauth from './routes/oauth.js'
import customObjects from './routes/bulk/custom-objects.js'
import entityFields from './routes/bulk/entity-fields.js'
import definitions from './routes/bulk/definitions.js'
import containers from './routes/bulk/containers.js'
import syncs from './routes/bulk/syncs.js'
import mockAdmin from './routes/mock-admin.js'

export const VERSION: string = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version

export const BULK_PREFIX = '/api/bulk/2.0'

export interface AppOptions {
  config: Config
  fixtures: Fixtures
  clock?: Clock
  /** Serve HTTPS too (see listenHttps) with this certificate and key. */
  tls?: TlsMaterial | undefined
  /** Defaults to pino JSON on stdout at LOG_LEVEL; tests pass false or a stream. */
  logger?: FastifyServerOptions['logger']
  /** Run after a reset or a site's removal has dropped state, once the answer is sent (the command gives memory back with it, see memory.ts). */
  afterStateDropped?: () => void
  /** Serve small JSON uploads to custom object sync actions outside fastify's pipeline (plugins/lean-upload.ts); the command does. */
  leanUploads?: boolean
}

export async function buildApp ({ config, fixtures, clock = new SystemClock(), tls, logger, afterStateDropped, leanUploads = false }: AppOptions): Promise<FastifyInstance> {
  const genReqId = requestIds()
  // The command's log stream, made only when no logger is given; its batches stop when the app closes.
  let batches: BatchedLog | undefined
  const commandLogStream = (): ReturnType<typeof logDestination> => {
    const stream = logDestination(config.LOG_FLUSH_MS)
    if (stream instanceof BatchedLog) batches = stream
    return stream
  }
  const app = Fastify({
    // Asynchronous, batched writes keep logging off the request path; pino flushes them on exit.
    logger: logger ?? { level: config.LOG_LEVEL, redact: ['req.headers.authorization'], stream: commandLogStream() },
    logController: new RequestLog(),
    bodyLimit: config.MAX_UPLOAD_BYTES,
    // Every wait is bounded: a client that trickles its body or goes silent is cut off.
    requestTimeout: config.REQUEST_TIMEOUT_MS,
    connectionTimeout: config.CONNECTION_TIMEOUT_MS,
    keepAliveTimeout: config.KEEP_ALIVE_TIMEOUT_MS,
    http: {
      headersTimeout: Math.min(config.HEADERS_TIMEOUT_MS, config.REQUEST_TIMEOUT_MS),
      // Node checks the request and headers timeouts this often (30 s by default).
      connectionsCheckingInterval: Math.min(1000, config.HEADERS_TIMEOUT_MS),
      // Node would answer a request without Host itself, in its own shape; the mock serves it (/id then says localhost).
      requireHostHeader: false
    },
    clientErrorHandler,
    requestIdHeader: 'x-request-id',
    genReqId,
    // Malformed URLs are refused by the router before any handler; answer them in Eloqua's shape too.
    frameworkErrors: (error, request, reply) => { sendEloquaError(reply, toEloquaError(error, request)) },
    // Eloqua's docs and clients use /API/Bulk/2.0 and /api/bulk/2.0 alike, and some send `2.0//`.
    // Ids of any length reach their route and answer 404 there; the header size limit bounds them.
    routerOptions: { caseSensitive: false, ignoreDuplicateSlashes: true, ignoreTrailingSlash: true, maxParamLength: 65536 }
  })
  for (const schema of sharedSchemas) app.addSchema(schema)
  decorateRouteConfig(app)
  // Hooks on every request are callback-style: no promise to allocate on the hot path.
  app.addHook('onRequest', (request, reply, done) => { reply.header('x-request-id', request.id); done() })
  // While shutting down, answers to requests in flight close their keep-alive connections, so
  // close() returns as soon as they are answered instead of waiting for idle sockets to time out.
  let closing = false
  app.addHook('preClose', async () => { closing = true })
  // Closing waits (LOG_CLOSE_WAIT_MS at most) for the lines held, the shutdown's own included.
  app.addHook('onClose', (_app, done) => {
    if (batches === undefined) done()
    else batches.stop(LOG_CLOSE_WAIT_MS, done)
  })
  app.addHook('onSend', (_request, reply, payload, done) => {
    // Oracle's documented status texts for 201 and 204 (eloqua-reference §10.3); errors set theirs.
    if (reply.statusCode === 201 || reply.statusCode === 204) reply.raw.statusMessage = 'Success'
    if (closing) reply.header('connection', 'close')
    done(null, payload)
  })

  await app.register(errors)
  await app.register(connections)
  await app.register(https, { tls, handshakeTimeoutMs: Math.min(config.HEADERS_TIMEOUT_MS, config.REQUEST_TIMEOUT_MS) })
  await app.register(store, {
    fixtures,
    clock,
    faultSeed: config.FAULT_SEED,
    storeOptions: {
      maxUploadsPerSync: config.MAX_UPLOADS_PER_SYNC,
      stagingQuotaBytes: config.STAGING_QUOTA_BYTES,
      uploadsDuringSync: config.UPLOADS_DURING_SYNC,
      syncPendingMs: config.SYNC_PENDING_MS,
      syncActiveMs: config.SYNC_ACTIVE_MS,
      maxDefinitions: config.MAX_DEFINITIONS,
      maxRetainedSyncs: config.MAX_RETAINED_SYNCS,
      maxRetainedRejects: config.MAX_RETAINED_REJECTS,
      syncRetentionMs: config.SYNC_RETENTION_DAYS * 86_400_000,
      callbackHosts: config.CALLBACK_HOSTS.split(',').map(hostKey).filter((h) => h !== ''),
      importSyncTriggeredDefault: config.IMPORT_SYNC_ON_IMPORT,
      maxRecords: config.MAX_RECORDS,
      maxRetainedExportRows: config.MAX_RETAINED_EXPORT_ROWS,
      exportRetentionDefault: config.EXPORT_DATA_RETENTION,
      exportCacheBytes: config.EXPORT_CACHE_BYTES
    }
  })
  await app.register(journal, { size: config.JOURNAL_SIZE, bodyBytes: config.JOURNAL_BODY_BYTES })
  await app.register(syncEvents, { callbackTimeoutMs: config.CALLBACK_TIMEOUT_MS, tickMs: 50 })
  await app.register(openApi, {
    sharedSchemas,
    swagger: {
      openapi: {
        info: { title: 'eloqua-bulk-mock', version: VERSION, description: 'The parts of the Oracle Eloqua Bulk API 2.0 this mock implements, and its own /__mock control surface.' },
        components: { securitySchemes: { basic: { type: 'http', scheme: 'basic', description: 'Site\\User:password' }, bearer: { type: 'http', scheme: 'bearer' } } },
        security: [{ basic: [] }, { bearer: [] }]
      },
      // Each operation is named by its route's operation id, which fault rules match too.
      transform: ({ schema, url, route }) => ({ schema: route.config?.operation === undefined ? schema : { ...schema, operationId: route.config.operation }, url }),
      // Name shared schemas after their $id in components/schemas (it is asked only of schemas with one).
      refResolver: { buildLocalReference: (json) => String(json.$id) }
    }
  })
  await app.register(faults)
  await app.register(contentTypes, { maxJsonDepth: config.MAX_JSON_DEPTH })
  if (leanUploads) await app.register(leanUpload, { genReqId, maxJsonDepth: config.MAX_JSON_DEPTH, bodyLimit: config.MAX_UPLOAD_BYTES, journalBodyBytes: config.JOURNAL_BODY_BYTES })
  // The mock's routes compile their schemas when a request first needs them (schemas/validators.ts).
  // Routes an in-process user adds to the app keep fastify's own compilers, which check a schema
  // when the app starts.
  await app.register(async function mockRoutes (routes) {
    routes.setValidatorCompiler(validatorCompiler)
    routes.setSerializerCompiler(serializerCompiler)
    await routes.register(discovery, { trustForwardedHeaders: config.TRUST_FORWARDED_HEADERS })
    await routes.register(oauth)
    await routes.register(async function bulkApi (api) {
      await api.register(auth)
      await api.register(customObjects)
      await api.register(entityFields)
      await api.register(definitions)
      await api.register(containers)
      await api.register(syncs)
    }, { prefix: BULK_PREFIX })
    await routes.register(mockAdmin, { version: VERSION, enabled: config.ADMIN_API === 'on', token: config.ADMIN_TOKEN, maxFaultRules: config.MAX_FAULT_RULES, sites: fixtures.sites, maxSites: config.MAX_SITES, ...(afterStateDropped === undefined ? {} : { afterStateDropped }) })
  })
  return app
}
