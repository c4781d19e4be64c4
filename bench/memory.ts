// Stages millions of records through the real upload endpoint and reports what they cost in memory.
import { buildApp } from '../src/app.js'
import { loadConfig } from '../src/config.js'
import { DEFAULT_FIXTURES_PATH, loadFixtures } from '../src/fixtures.js'

const TOTAL = Number(process.env.BENCH_STAGED_RECORDS ?? 2_000_000)
const PER_UPLOAD = 50_000
const gc = (globalThis as { gc?: () => void }).gc ?? (() => {})

function used (): number {
  gc()
  gc()
  const { heapUsed, external } = process.memoryUsage()
  return heapUsed + external
}

const app = await buildApp({
  config: loadConfig({ STAGING_QUOTA_BYTES: String(8 * 1024 ** 3), MAX_UPLOADS_PER_SYNC: '100000' }),
  fixtures: loadFixtures(DEFAULT_FIXTURES_PATH),
  logger: false
})
await app.ready()
const headers = { authorization: `Basic ${Buffer.from('APITest\\API.User:secret').toString('base64')}`, 'content-type': 'application/json' }

const before = used()
let bytes = 0
for (let staged = 0; staged < TOTAL; staged += PER_UPLOAD) {
  const payload = JSON.stringify(Array.from({ length: PER_UPLOAD }, (_, i) => ({ Id: `DLPSB${String(staged + i).padStart(12, '0')}` })))
  bytes += Buffer.byteLength(payload)
  const res = await app.inject({ method: 'POST', url: '/api/bulk/2.0/customObjects/9/syncActions/6/data', payload, headers })
  if (res.statusCode !== 204) throw new Error(`upload answered ${res.statusCode}`)
}
const after = used()
const growth = after - before
console.log(`staged ${TOTAL.toLocaleString('en')} records in ${Math.ceil(TOTAL / PER_UPLOAD)} uploads: ${(bytes / 1024 ** 2).toFixed(1)} MiB of JSON sent`)
console.log(`memory growth ${(growth / 1024 ** 2).toFixed(1)} MiB = ${(growth / TOTAL).toFixed(1)} bytes per record; ratio to the bytes sent: ${(growth / bytes).toFixed(3)}`)
await app.close()
