// The memory it takes to stage millions of records, and what a reset gives back: the command (built
// output) is started, warmed up, then given BENCH_STAGED_RECORDS records in uploads of 50,000
// through the real upload endpoint. Printed: its RSS after start-up, the growth of its peak RSS
// against the JSON sent, and its RSS once POST /__mock/reset has let the data go (RSS read from
// /proc, so this runs on Linux). Fails loudly if an upload is not answered 204. BENCH_MOCK_ENV adds
// settings for the mock, e.g. '{"STAGING_QUOTA_BYTES":"..."}'.
import { rssOf, startServer } from './processes.js'

const TOTAL = Number(process.env.BENCH_STAGED_RECORDS ?? 2_000_000)
const PER_UPLOAD = 50_000
const MiB = 1024 ** 2
const headers = { authorization: `Basic ${Buffer.from('APITest\\API.User:secret').toString('base64')}`, 'content-type': 'application/json' }
const sleep = async (ms: number): Promise<void> => { await new Promise((resolve) => setTimeout(resolve, ms)) }

const { child, url } = await startServer(['dist/server.js'], { STAGING_QUOTA_BYTES: String(8 * 1024 ** 3), MAX_UPLOADS_PER_SYNC: '100000', LOG_LEVEL: 'warn', ...JSON.parse(process.env.BENCH_MOCK_ENV ?? '{}') as Record<string, string> }, '/__mock/health')
const pid = child.pid!
try {
  const upload = async (payload: string): Promise<void> => {
    const res = await fetch(`${url}/api/bulk/2.0/customObjects/9/syncActions/6/data`, { method: 'POST', body: payload, headers })
    if (res.status !== 204) throw new Error(`upload answered ${res.status}`)
  }
  // Warm-up, then back to the fixtures: small uploads (the command's lean path) and a few of 5,000
  // records (fastify's route, past the lean path's 64 KiB), so the route's schemas, compiled on
  // first use, and the code V8 optimises while it stages are in the start-up figure, not counted
  // as memory the records take.
  for (let i = 0; i < 20; i++) await upload('[{"Id":"DLPSB000000000020"}]')
  const warmUp = JSON.stringify(Array.from({ length: 5_000 }, (_, i) => ({ Id: `DLPSB${String(i).padStart(12, '0')}` })))
  for (let i = 0; i < 5; i++) await upload(warmUp)
  await fetch(`${url}/__mock/reset`, { method: 'POST' })
  await sleep(1000)
  const started = rssOf(pid).rss

  let bytes = 0
  for (let staged = 0; staged < TOTAL; staged += PER_UPLOAD) {
    const payload = JSON.stringify(Array.from({ length: PER_UPLOAD }, (_, i) => ({ Id: `DLPSB${String(staged + i).padStart(12, '0')}` })))
    bytes += Buffer.byteLength(payload)
    await upload(payload)
  }
  const { rss: full, peak } = rssOf(pid)
  const reset = await fetch(`${url}/__mock/reset`, { method: 'POST' })
  if (reset.status !== 204) throw new Error(`reset answered ${reset.status}`)
  // Garbage collection and the allocator give memory back over the next seconds: the lowest RSS within 10 s counts.
  let after = Infinity
  for (let i = 0; i < 20; i++) {
    await sleep(500)
    after = Math.min(after, rssOf(pid).rss)
  }
  console.log(`staged ${TOTAL.toLocaleString('en')} records in ${Math.ceil(TOTAL / PER_UPLOAD)} uploads: ${(bytes / MiB).toFixed(1)} MiB of JSON sent`)
  console.log(`RSS after start-up ${(started / MiB).toFixed(1)} MiB; with the records staged ${(full / MiB).toFixed(1)} MiB, peak ${(peak / MiB).toFixed(1)} MiB`)
  console.log(`peak RSS growth / JSON sent: ${((peak - started) / bytes).toFixed(3)} (goal <= 1.1); staged growth / JSON sent: ${((full - started) / bytes).toFixed(3)}`)
  const change = (after - started) / MiB
  console.log(`RSS after POST /__mock/reset ${(after / MiB).toFixed(1)} MiB: ${Math.abs(change).toFixed(1)} MiB ${change < 0 ? 'below' : 'above'} start-up (goal: no more than 10 MiB above)`)
} finally {
  child.kill('SIGTERM')
}
