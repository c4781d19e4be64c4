/**
 * The package's entry: the in-process API (startMock), the control-surface client (MockAdmin),
 * and, for those who build their own server, buildApp with the config and fixture loaders.
 */
export { startMock, RunningMock, type MockOptions } from './mock.js'
export { MockAdmin, MockAdminError, type MockSite, type JournalPage } from './admin-client.js'
export { buildApp, VERSION, type AppOptions } from './app.js'
export { loadConfig, type Config } from './config.js'
export { loadFixtures, joinFixtures, DEFAULT_FIXTURES_PATH } from './fixtures.js'
export { ManualClock, SystemClock, type Clock } from './domain/clock.js'
export type { JournalEntry, JournalFilter } from './domain/journal.js'
export type { Finding } from './domain/report.js'
export type { FixturesFile, Fixtures, FaultRuleFixture, SiteFixture } from './schemas/fixtures.js'
