// Exporting a million generated activity rows and paging through them at 50,000 a page, from the
// mock and from a bare node:http server sending the very same pages, pre-serialized, beside it.
// Prints rows/s of each, their ratio, and the mock's peak RSS against the size of the rows as
// JSON. Asserts nothing about time; fails loudly if any answer is not the expected status.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ROOT, startServer } from './processes.js'

const ROWS = Number(process.env.BENCH_EXPORT_ROWS ?? 1_000_000)
const PAGE = 50_000
const REPETITIONS = Number(process.env.BENCH_REPETITIONS ?? 3)
const auth = `Basic ${Buffer.from('APITest\\API.User:secret').toString('base64')}`
const headers = { authorization: auth, 'content-type': 'application/json' }
/** The fields the second Singer tap exports for email opens. */
const FIELDS = {
  ActivityId: '{{Activity.Id}}',
  ActivityType: '{{Activity.Type}}',
  ActivityDate: '{{Activity.CreatedAt}}',
  EmailAddress: '{{Activity.Field(EmailAddress)}}',
  ContactId: '{{Activity.Contact.Id}}',
  EmailRecipientId: '{{Activity.Field(EmailRecipientId)}}',
  AssetType: '{{Activity.Asset.Type}}',
  AssetName: '{{Activity.Asset.Name}}',
  AssetId: '{{Activity.Asset.Id}}',
  SubjectLine: '{{Activity.Field(SubjectLine)}}',
  EmailWebLink: '{{Activity.Field(EmailWebLink)}}',
  CampaignId: '{{Activity.Campaign.Id}}',
  IpAddress: '{{Activity.Field(IpAddress)}}',
  VisitorId: '{{Activity.Visitor.Id}}'
}

async function call (url: string, init: RequestInit, expected: number): Promise<Response> {
  const response = await fetch(url, init)
  if (response.status !== expected) throw new Error(`${init.method ?? 'GET'} ${url} answered ${response.status}, not ${expected}: ${await response.text()}`)
  return response
}

/** Reads every page of a sync's data, counting rows and bytes without keeping them. */
async function pageThrough (base: string): Promise<{ ms: number, rows: number, bytes: number }> {
  const started = performance.now()
  let rows = 0
  let bytes = 0
  for (let offset = 0; offset < ROWS; offset += PAGE) {
    const response = await call(`${base}/data?limit=${PAGE}&offset=${offset}`, { headers }, 200)
    let tail = ''
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      bytes += chunk.length
      tail = (tail + Buffer.from(chunk.subarray(Math.max(0, chunk.length - 200))).toString('latin1')).slice(-200)
    }
    const count = /"count":(\d+)/.exec(tail)
    if (count === null) throw new Error(`page at ${offset} has no count`)
    rows += Number(count[1])
  }
  if (rows !== ROWS) throw new Error(`paged ${rows} rows, not ${ROWS}`)
  return { ms: performance.now() - started, rows, bytes }
}

/** Peak resident memory of a process, from /proc (Linux). */
function peakRss (pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? NaN) * 1024
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number

const fixtures = mkdtempSync(join(tmpdir(), 'export-bench-'))
cpSync(join(ROOT, 'fixtures'), fixtures, { recursive: true })
writeFileSync(join(fixtures, 'generated.json'), JSON.stringify({ activities: [{ generate: { type: 'EmailOpen', count: ROWS, seed: 7 } }] }))
try {
  // Default sync timing (500 ms pending, 500 ms active): the mock writes the rows as JSON while the sync runs.
  const mock = await startServer(['dist/server.js'], { FIXTURES: fixtures, LOG_LEVEL: 'warn' }, '/ready')
  const api = `${mock.url}/api/bulk/2.0`
  const definition = await (await call(`${api}/activities/exports`, { method: 'POST', headers, body: JSON.stringify({ name: 'bench', fields: FIELDS, filter: "'{{Activity.Type}}' = 'EmailOpen'" }) }, 201)).json() as { uri: string }
  const bare = await startServer(['--import', 'tsx', 'bench/bare-export-server.ts'], { BARE_SOURCE: api, BARE_DEFINITION: definition.uri, BARE_ROWS: String(ROWS), BARE_PAGE: String(PAGE) }, '/ready')
  const mockRuns: number[] = []
  const bareRuns: number[] = []
  let bytes = 0
  const createMs: number[] = []
  const successMs: number[] = []
  for (let run = 0; run < REPETITIONS; run++) {
    // A new sync each run: the mock takes the rows again and pages through them from the start.
    const syncStarted = performance.now()
    const sync = await (await call(`${api}/syncs`, { method: 'POST', headers, body: JSON.stringify({ syncedInstanceUri: definition.uri }) }, 201)).json() as { uri: string }
    createMs.push(performance.now() - syncStarted)
    // Polled as clients poll, until it ends.
    while ((await (await call(`${api}${sync.uri}`, { headers }, 200)).json() as { status: string }).status !== 'success') await new Promise((resolve) => setTimeout(resolve, 100))
    successMs.push(performance.now() - syncStarted)
    await call(`${bare.url}/load${sync.uri}`, {}, 200)
    const fromBare = await pageThrough(`${bare.url}${sync.uri}`)
    const fromMock = await pageThrough(`${api}${sync.uri}`)
    if (fromBare.bytes !== fromMock.bytes) throw new Error(`bare sent ${fromBare.bytes} bytes, the mock ${fromMock.bytes}`)
    bytes = fromMock.bytes
    bareRuns.push(ROWS / fromBare.ms * 1000)
    mockRuns.push(ROWS / fromMock.ms * 1000)
    // Done with it, as a client that cleans up: each run holds one export's rows.
    await call(`${api}${sync.uri}/data`, { method: 'DELETE', headers }, 204)
  }
  const rss = peakRss(mock.child.pid as number)
  mock.child.kill('SIGTERM')
  bare.child.kill('SIGTERM')
  const spread = (runs: number[]): string => `${Math.round(Math.min(...runs)).toLocaleString('en')}–${Math.round(Math.max(...runs)).toLocaleString('en')}`
  console.log(`activity export: ${ROWS.toLocaleString('en')} generated EmailOpen rows, ${Object.keys(FIELDS).length} fields, ${(bytes / 1024 ** 2).toFixed(0)} MiB of JSON, pages of ${PAGE.toLocaleString('en')}, ${REPETITIONS} runs (median, range)`)
  console.log(`  POST /syncs (the filter over the rows, the snapshot): ${median(createMs).toFixed(0)} ms; sync polled to success (rows written as JSON meanwhile): ${median(successMs).toFixed(0)} ms`)
  console.log(`  bare node:http, pre-serialized pages: ${Math.round(median(bareRuns)).toLocaleString('en')} rows/s (${spread(bareRuns)})`)
  console.log(`  eloqua-bulk-mock:                     ${Math.round(median(mockRuns)).toLocaleString('en')} rows/s (${spread(mockRuns)})`)
  console.log(`  ratio mock/bare: ${(median(mockRuns) / median(bareRuns)).toFixed(3)} (goal >= 0.5)`)
  console.log(`  mock peak RSS ${(rss / 1024 ** 2).toFixed(0)} MiB = ${(rss / bytes).toFixed(3)} x the rows as JSON (goal < 2.5)`)
} finally {
  rmSync(fixtures, { recursive: true, force: true })
}
