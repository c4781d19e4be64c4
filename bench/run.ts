// npm run bench: throughput of the upload endpoint against a bare node:http server doing the
// same work, the memory it takes to stage millions of records, an export filter over a million
// contacts, a million activity rows exported and paged beside a bare server (bench/export.ts), and
// what the request journal costs on the seed call (bench/journal.ts), and start to healthy (bench/startup.ts).
// Prints figures and ratios; nothing here asserts timings, as shared machines are too noisy for that.
import { spawn } from 'node:child_process'
import { ROOT, startServer } from './processes.js'
import autocannon from 'autocannon'

const DURATION = Number(process.env.BENCH_SECONDS ?? 10)
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50)
const RECORDS_PER_UPLOAD = Number(process.env.BENCH_RECORDS ?? 100)

const auth = `Basic ${Buffer.from('APITest\\API.User:secret').toString('base64')}`
const body = JSON.stringify(Array.from({ length: RECORDS_PER_UPLOAD }, (_, i) => ({ Id: `DLPSB${String(i).padStart(12, '0')}` })))

async function load (port: number, seconds: number): Promise<autocannon.Result> {
  return await autocannon({
    url: `http://127.0.0.1:${port}/api/bulk/2.0/customObjects/9/syncActions/6/data`,
    method: 'POST',
    headers: { authorization: auth, 'content-type': 'application/json' },
    body,
    connections: CONNECTIONS,
    duration: seconds
  })
}

async function measure (name: string, args: string[], env: Record<string, string> = {}): Promise<autocannon.Result> {
  const { child, port } = await startServer(args, env)
  await load(port, 2) // warm-up: JIT and connection set-up
  const result = await load(port, DURATION)
  child.kill('SIGTERM')
  const codes = Object.entries(result.statusCodeStats ?? {}).map(([code, stats]) => `${code}x${stats.count}`).join(' ')
  console.log(`${name.padEnd(34)} ${result.requests.average.toFixed(0).padStart(8)} req/s   p50 ${result.latency.p50} ms   p99 ${result.latency.p99} ms   ${codes}`)
  return result
}

console.log(`upload throughput: ${RECORDS_PER_UPLOAD} records (${Buffer.byteLength(body)} bytes) per request, ${CONNECTIONS} connections, ${DURATION} s`)
// The mock keeps every upload, so give it room for the whole run.
const roomy = { STAGING_QUOTA_BYTES: String(64 * 1024 ** 3), MAX_UPLOADS_PER_SYNC: '100000000' }
const bare = await measure('bare node:http (same work)', ['--import', 'tsx', 'bench/bare-server.ts'])
const framework = await measure('plain fastify (same work)', ['--import', 'tsx', 'bench/fastify-server.ts'])
const quiet = await measure('eloqua-bulk-mock, LOG_LEVEL=warn', ['dist/server.js'], { ...roomy, LOG_LEVEL: 'warn' })
const logged = await measure('eloqua-bulk-mock, LOG_LEVEL=info', ['dist/server.js'], { ...roomy, LOG_LEVEL: 'info' })
const ratio = (a: autocannon.Result, b: autocannon.Result): string => (a.requests.average / b.requests.average).toFixed(3)
console.log(`ratio mock/bare: ${ratio(quiet, bare)} (warn), ${ratio(logged, bare)} (info, a log line per request); plain fastify/bare: ${ratio(framework, bare)}; mock/plain fastify: ${ratio(quiet, framework)} (warn)`)

const startup = spawn(process.execPath, ['--import', 'tsx', 'bench/startup.ts'], { cwd: ROOT, stdio: 'inherit' })
await new Promise((resolve) => startup.once('exit', resolve))

const journal = spawn(process.execPath, ['--import', 'tsx', 'bench/journal.ts'], { cwd: ROOT, stdio: 'inherit' })
await new Promise((resolve) => journal.once('exit', resolve))

const memory = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', 'bench/memory.ts'], { cwd: ROOT, stdio: 'inherit' })
await new Promise((resolve) => memory.once('exit', resolve))

const filter = spawn(process.execPath, ['--import', 'tsx', 'bench/filter.ts'], { cwd: ROOT, stdio: 'inherit' })
await new Promise((resolve) => filter.once('exit', resolve))

const exporting = spawn(process.execPath, ['--import', 'tsx', 'bench/export.ts'], { cwd: ROOT, stdio: 'inherit' })
await new Promise((resolve) => exporting.once('exit', resolve))
