#!/usr/bin/env node
/** The command: read flags and environment, load fixtures, listen, and shut down cleanly on SIGTERM/SIGINT. */
import closeWithGrace from 'close-with-grace'
import { buildApp, VERSION } from './app.js'
import { helpText, loadConfig, parseCommandLine } from './config.js'
import { loadFixtures } from './fixtures.js'

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

  let config, fixtures
  try {
    config = loadConfig(process.env, commandLine.flags)
    fixtures = loadFixtures(config.FIXTURES, config.MAX_FIXTURE_BYTES)
  } catch (err) {
    fail((err as Error).message)
  }

  const app = await buildApp({ config, fixtures })
  closeWithGrace({ delay: config.SHUTDOWN_GRACE_MS, logger: app.log }, async ({ signal, err }) => {
    // `err` is set when an uncaught error, not a signal, brought us here.
    app.log.info({ signal, err }, 'shutting down')
    await app.close()
  })
  try {
    await app.listen({ port: config.PORT, host: config.HOST })
  } catch (err) {
    fail(`cannot listen on ${config.HOST}:${config.PORT}: ${(err as Error).message}`)
  }
  app.log.info({ fixtures: config.FIXTURES, sites: fixtures.sites.length, definitions: fixtures.syncActionDefinitions.length, faults: fixtures.faults.length }, 'eloqua-bulk-mock ready')
}

await main()
