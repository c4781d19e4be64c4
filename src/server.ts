#!/usr/bin/env node
/** The command: read flags and environment, load fixtures, listen, and shut down cleanly on SIGTERM/SIGINT. */
import closeWithGrace from 'close-with-grace'
import type { Logger } from 'pino'
import { buildApp, VERSION } from './app.js'
import { helpText, loadConfig, parseCommandLine, tlsEnabled } from './config.js'
import { loadFixtures } from './fixtures.js'
import { exposeCollector, glibcHeapTrim, keepTickShapes, memoryReleaser, releaseWhenQuiet, stopIdleCollections } from './memory.js'
import { httpsUrl, listenHttps } from './plugins/https.js'
import { loadTls } from './tls.js'

function fail (message: string): never {
  process.stderr.write(`eloqua-bulk-mock: ${message}\n`)
  process.exit(1)
}

async function main (): Promise<void> {
  let commandLine
  try {
    commandLine = parseCommandLine(process.argv.slice(2))
  } catch (err) {
    fail(`${(err as Error).message}\nRun eloqua-bulk-mock --help for the options.`)
  }
  if (commandLine.help) {
    process.stdout.write(helpText(VERSION))
    return
  }
  if (commandLine.version) {
    process.stdout.write(`${VERSION}\n`)
    return
  }

  let config, fixtures, tls
  try {
    config = loadConfig(process.env, commandLine.flags)
    fixtures = loadFixtures(config.FIXTURES, config.MAX_FIXTURE_BYTES)
    tls = tlsEnabled(config) ? await loadTls(config, fixtures.sites) : undefined
  } catch (err) {
    fail((err as Error).message)
  }

  stopIdleCollections()
  await keepTickShapes()
  // Made before the app, so RSS after start-up is the baseline it compares with.
  const releaseMemory = memoryReleaser({
    collect: exposeCollector(),
    trim: glibcHeapTrim,
    report: ({ reason, rssBefore, rssAfter, heapTrim }) => { app.log.info({ rssBefore, rssAfter, heapTrim }, `memory released after ${reason}`) }
  })
  const app = await buildApp({ config, fixtures, tls, afterStateDropped: releaseMemory, leanUploads: true })
  const stopQuietRelease = releaseWhenQuiet({ quietMs: config.IDLE_RELEASE_MS, release: async () => { await releaseMemory('a quiet spell') } })
  closeWithGrace({ delay: config.SHUTDOWN_GRACE_MS, logger: app.log }, async ({ signal, err }) => {
    // `err` is set when an uncaught error, not a signal, brought us here.
    app.log.info({ signal, err }, 'shutting down')
    stopQuietRelease()
    await app.close()
  })
  try {
    await app.listen({ port: config.PORT, host: config.HOST })
  } catch (err) {
    fail(`cannot listen on ${config.HOST}:${config.PORT}: ${(err as Error).message}`)
  }
  if (tls !== undefined) {
    let addresses
    try {
      addresses = await listenHttps(app, config.TLS_PORT, config.HOST)
    } catch (err) {
      fail(`cannot listen for HTTPS on ${config.HOST}:${config.TLS_PORT} (TLS_PORT): ${(err as Error).message}`)
    }
    for (const address of addresses) app.log.info({ hostnames: tls.hostnames }, `HTTPS listening at ${httpsUrl(address)}`)
    if (tls.caFile !== undefined) {
      app.log.info({ caFile: tls.caFile }, `local CA certificate written to ${tls.caFile}: trust it with NODE_EXTRA_CA_CERTS, REQUESTS_CA_BUNDLE, SSL_CERT_FILE or the system store`)
    }
  }
  app.log.info({ fixtures: config.FIXTURES, sites: fixtures.sites.length, definitions: fixtures.syncActionDefinitions.length, faults: fixtures.faults.length }, 'eloqua-bulk-mock ready')
  // Log lines are written in batches (LOG_FLUSH_MS); whoever waits for these must not wait for the next one.
  ;(app.log as unknown as Logger).flush()
}

await main()
