/**
 * The client-behaviour report: what a site's clients did that real Eloqua would punish, or that
 * hints at a bug, read from the request journal and the site's definitions and syncs. Each
 * finding names the rule behind it and the journal ids of the requests concerned.
 */
import type { TimedEntry } from './journal.js'
import type { ReportFacts } from './site.js'

export interface Finding {
  /** A stable name, e.g. `retry-after-ignored`. */
  readonly rule: string
  readonly message: string
  /** What Eloqua does or asks, with where it says so. */
  readonly eloqua: string
  /** Journal ids of the requests concerned (the oldest of them may have left the journal). */
  readonly requests: number[]
}

const BULK = '/api/bulk/2.0'
const MiB = 1024 * 1024
/** Poll no faster than this; Oracle asks for callbacks instead of polling, and names no rate. */
const POLL_INTERVAL_MS = 1000

const pathOf = (entry: TimedEntry): string => {
  const q = entry.path.indexOf('?')
  return (q < 0 ? entry.path : entry.path.slice(0, q)).toLowerCase()
}

/** Findings about one site: `entries` are that site's journal entries, oldest first. */
export function clientReport (entries: readonly TimedEntry[], facts: ReportFacts): Finding[] {
  const findings: Finding[] = []

  // Sync status polled faster than once a second.
  const lastPoll = new Map<string, TimedEntry>()
  const fastPolls = new Map<string, number[]>()
  for (const entry of entries) {
    if (entry.operation !== 'getSync') continue
    const path = pathOf(entry)
    const previous = lastPoll.get(path)
    if (previous !== undefined && entry.wallMs - previous.wallMs < POLL_INTERVAL_MS) {
      const ids = fastPolls.get(path)
      if (ids === undefined) fastPolls.set(path, [previous.id, entry.id])
      else ids.push(entry.id)
    }
    lastPoll.set(path, entry)
  }
  for (const [path, ids] of fastPolls) {
    findings.push({
      rule: 'poll-too-fast',
      message: `${path.slice(BULK.length)} was polled ${ids.length} times less than a second apart`,
      eloqua: 'Oracle recommends a callbackUrl over polling a sync; poll no more than once a second',
      requests: [...new Set(ids)]
    })
  }

  // A retry sooner than the Retry-After of the answer it retries: one pass, the last such answer by request.
  const waiting = new Map<string, TimedEntry>()
  for (const entry of entries) {
    const key = `${entry.method} ${pathOf(entry)}`
    const previous = waiting.get(key)
    if (previous !== undefined) {
      waiting.delete(key)
      if (entry.wallMs < previous.wallMs + (previous.retryAfter as number) * 1000) {
        findings.push({
          rule: 'retry-after-ignored',
          message: `${previous.method} ${pathOf(previous)} answered ${previous.status} with Retry-After: ${previous.retryAfter as number}, and was sent again ${Math.round(entry.wallMs - previous.wallMs)} ms later`,
          eloqua: 'Eloqua answers some 500s with Retry-After (0 to 3600 seconds by errorSeverity); retry no sooner (Bulk API troubleshooting)',
          requests: [previous.id, entry.id]
        })
      }
    }
    if (entry.retryAfter !== undefined && entry.status >= 400) waiting.set(key, entry)
  }

  // Discovery on every request.
  const discoveries = entries.filter((e) => e.operation === 'discover')
  const apiCalls = entries.filter((e) => pathOf(e).startsWith(BULK)).length
  if (discoveries.length >= 3 && discoveries.length * 2 > apiCalls) {
    findings.push({
      rule: 'discovery-per-request',
      message: `GET /id was called ${discoveries.length} times for ${apiCalls} Bulk API requests`,
      eloqua: 'login.eloqua.com/id is throttled when called on every request: call it once per session and keep the base URL (Eloqua\'s "Determining base URLs")',
      requests: discoveries.map((e) => e.id)
    })
  }

  // Uploads past Eloqua's hard limits.
  const tooMany = entries.filter((e) => e.status === 400 && e.reason?.includes('files per sync') === true)
  if (tooMany.length > 0) {
    findings.push({
      rule: 'too-many-files',
      message: `${tooMany.length} uploads were refused because a definition already held 500 files since its last sync`,
      eloqua: 'A sync takes at most 500 files (uploads); the 501st answers 400. Sync sooner (Bulk API limits)',
      requests: tooMany.map((e) => e.id)
    })
  }
  const tooBig = entries.filter((e) => e.method === 'POST' && pathOf(e).endsWith('/data') && e.requestBytes > 32 * MiB)
  if (tooBig.length > 0) {
    findings.push({
      rule: 'upload-over-32mb',
      message: `${tooBig.length} uploads were over 32 MB`,
      eloqua: 'One upload takes at most 32 MB; Eloqua answers a larger one 404. Split the data (Bulk API limits)',
      requests: tooBig.map((e) => e.id)
    })
  }

  // Built once: uploads by data path, and creations by the uri their answer names.
  const uploads = new Map<string, number[]>()
  const creations = new Map<string, number[]>()
  const push = (map: Map<string, number[]>, key: string, id: number): void => { const ids = map.get(key); if (ids === undefined) map.set(key, [id]); else ids.push(id) }
  for (const entry of entries) {
    if (entry.method !== 'POST') continue
    const path = pathOf(entry)
    if (path.endsWith('/data')) push(uploads, path, entry.id)
    const body = entry.responseBody
    const at = entry.status === 201 && body !== undefined ? body.indexOf('"uri":"') : -1
    if (at >= 0) push(creations, body!.slice(at + 7, body!.indexOf('"', at + 7)), entry.id)
  }
  const uploadsTo = (uri: string): number[] => uploads.get(`${BULK}${uri}/data`.toLowerCase()) ?? []
  for (const definition of facts.definitions) {
    // Staged data no sync will take.
    if (definition.stagedUploads > 0 && !definition.syncing) {
      findings.push({
        rule: 'staged-never-synced',
        message: `${definition.uri} holds ${definition.stagedUploads} uploads that no sync has taken`,
        eloqua: 'Staged data is processed only by a sync (POST /syncs), and import staging is dropped after its dataRetentionDuration',
        requests: uploadsTo(definition.uri)
      })
    }
    // Definitions the client made and left.
    if (definition.createdByClient) {
      findings.push({
        rule: 'definition-not-deleted',
        message: `${definition.uri} was created and not deleted`,
        eloqua: 'Definitions pile up in the instance: from release 26B Eloqua purges those unused for a year; delete definitions you made for one run (DELETE the definition)',
        requests: creations.get(definition.uri) ?? []
      })
    }
  }

  // A sync that ended in warning, whose logs and rejects nobody read.
  const readSyncs = new Set<string>()
  const polls = new Map<string, number[]>()
  for (const entry of entries) {
    const path = pathOf(entry)
    if (entry.method === 'GET' && (path.endsWith('/logs') || path.endsWith('/rejects'))) readSyncs.add(path.slice(0, path.lastIndexOf('/')))
    if (entry.operation === 'getSync') push(polls, path, entry.id)
  }
  for (const sync of facts.syncs) {
    if (sync.status !== 'warning') continue
    const base = `${BULK}${sync.uri}`.toLowerCase()
    if (!readSyncs.has(base)) {
      findings.push({
        rule: 'warning-not-read',
        message: `${sync.uri} ended in warning, and neither its logs nor its rejects were read`,
        eloqua: 'warning means some records were rejected or had problems: read /syncs/{id}/logs and /rejects',
        requests: polls.get(base) ?? []
      })
    }
  }
  return findings
}
