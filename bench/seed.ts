// The upload endpoint against the baselines, all from built output and running side by side:
// a bare node:http server and plain fastify with an ajv schema doing the same work (check Basic
// credentials, parse and check the records, keep the bytes, answer 204), and the mock in its
// default configuration (auth, validation, fault layer, journal, LOG_LEVEL=info).
//   1. The seed call (Oracle's 2-record upload): server CPU per request at a fixed rate, the
//      servers loaded at the same time and sharing one CPU (taskset), ROUNDS rounds: what the
//      shared machine does to one it does to all, so each round's ratios hold steady. A fourth
//      server, bare node:http that also writes the mock's request line and journal entry (see
//      bare-server.ts), shows what those two duties of the default configuration cost alone.
//   2. Peak req/s at 10 and 100 connections, each server in turn, half as many rounds as part 1
//      (at least 3): each server alone on one CPU and the load generator (this process) on the
//      others, so that the figure is what the server can serve, not what CPU it leaves the load
//      generator; each server's CPU use over the runs is printed with it (1.00: the server was
//      the limit).
//   3. Uploads of 5,000 and 50,000 records: CPU per request at a fixed rate, mock and bare, each
//      started anew for it (the uploads of parts 1 and 2 would weigh on their garbage collection),
//      side by side on one CPU as in part 1.
// Prints every figure with its median and range and the ratios against the baselines; fails
// loudly if any answer is not 204. CPU time is read from /proc, so this runs on Linux.
import autocannon from 'autocannon'
import { SHARED_CPU, bundledBaseline, cpuMs, leaveSharedCpu, spread, startServer } from './processes.js'

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10)
const RATE = Number(process.env.BENCH_RATE ?? 2000)
const ROUNDS = Number(process.env.BENCH_REPETITIONS ?? 5)
/** Which parts to run, e.g. BENCH_PARTS=1 for the CPU comparison alone. */
const PARTS = new Set((process.env.BENCH_PARTS ?? '1,2,3').split(','))
const PATH = '/api/bulk/2.0/customObjects/9/syncActions/6/data'
const auth = `Basic ${Buffer.from('APITest\\API.User:secret').toString('base64')}`
const seedBody = '[{"Id":"DLPSB000000000020"},{"Id":"DLPSB000000000021"}]'
const recordsBody = (count: number): string => JSON.stringify(Array.from({ length: count }, (_, i) => ({ Id: `DLPSB${String(i).padStart(12, '0')}`, Email: `user${i}@example.com` })))
// The mock keeps every upload, so give it room for the whole run.
const roomy = { STAGING_QUOTA_BYTES: String(64 * 1024 ** 3), MAX_UPLOADS_PER_SYNC: '1000000000' }

interface Server { name: string, port: number, pid: number, stop: () => void }

async function start (name: string, args: string[], env: Record<string, string> = {}, probe = '/', cpu?: number): Promise<Server> {
  const { child, port } = await startServer(args, env, probe, cpu)
  return { name, port, pid: child.pid!, stop: () => { child.kill('SIGTERM') } }
}

async function load (server: Server, options: { body: string, connections: number, seconds: number, rate?: number }): Promise<autocannon.Result> {
  const result = await autocannon({
    url: `http://127.0.0.1:${server.port}${PATH}`,
    method: 'POST',
    headers: { authorization: auth, 'content-type': 'application/json' },
    body: options.body,
    connections: options.connections,
    duration: options.seconds,
    ...(options.rate === undefined ? {} : { overallRate: options.rate })
  })
  const other = Object.keys(result.statusCodeStats ?? {}).filter((code) => code !== '204')
  if (other.length > 0 || result.errors > 0 || result.non2xx > 0) {
    throw new Error(`${server.name}: answers other than 204: ${JSON.stringify(result.statusCodeStats)}, ${result.errors} errors`)
  }
  return result
}

/** µs of server CPU per request at a fixed rate. */
async function cpuPerRequest (server: Server, body: string, rate: number, seconds = SECONDS): Promise<number> {
  const before = cpuMs(server.pid)
  const result = await load(server, { body, connections: 10, seconds, rate })
  return ((cpuMs(server.pid) - before) * 1000) / result.requests.total
}

/** Runs `measure` for each server in turn, `rounds` times, the first server of each round rotating. */
async function inTurns (servers: readonly Server[], rounds: number, measure: (server: Server) => Promise<number>): Promise<number[][]> {
  const figures = servers.map((): number[] => [])
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < servers.length; k++) {
      const i = (round + k) % servers.length
      figures[i]!.push(await measure(servers[i]!))
    }
  }
  return figures
}

const ratios = (a: readonly number[], b: readonly number[]): number[] => a.map((x, i) => x / b[i]!)

/** Runs `measure` on every server at the same time, `rounds` times. */
async function sideBySide (servers: readonly Server[], rounds: number, measure: (server: Server) => Promise<number>): Promise<number[][]> {
  const figures = servers.map((): number[] => [])
  for (let round = 0; round < rounds; round++) {
    const results = await Promise.all(servers.map(measure))
    for (const [i, figure] of results.entries()) figures[i]!.push(figure)
  }
  return figures
}

const SIDE_BY_SIDE = SHARED_CPU === undefined ? 'side by side (no taskset or one CPU: not pinned)' : `side by side on CPU ${SHARED_CPU}`

/** CPU per request of servers loaded side by side: a 3 s warm-up, then ROUNDS rounds; the servers are stopped after. */
async function cpuSideBySide (servers: Server[], body: string, rate: number): Promise<number[][]> {
  try {
    await sideBySide(servers, 1, async (server) => await cpuPerRequest(server, body, rate, 3))
    return await sideBySide(servers, ROUNDS, async (server) => await cpuPerRequest(server, body, rate))
  } finally {
    for (const server of servers) server.stop()
  }
}

async function seedCpu (): Promise<void> {
  console.log(`1. seed call (${Buffer.byteLength(seedBody)} bytes, 2 records): server CPU per request at ${RATE} req/s each, ${SECONDS} s, ${ROUNDS} rounds, ${SIDE_BY_SIDE}`)
  // Servers of their own: those of part 2 run on any CPU, as peak rates need.
  const bare = await bundledBaseline('bench/bare-server.ts')
  const pinned = [
    await start('bare node:http', [bare], {}, '/', SHARED_CPU),
    await start('plain fastify + ajv', [await bundledBaseline('bench/fastify-server.ts')], {}, '/', SHARED_CPU),
    await startMock(SHARED_CPU),
    await start('bare + line + journal', [bare], { BARE_LINE_AND_JOURNAL: '1' }, '/', SHARED_CPU)
  ]
  const cpu = await cpuSideBySide(pinned, seedBody, RATE)
  for (const [i, server] of pinned.entries()) console.log(`   ${server.name.padEnd(24)} ${spread(cpu[i]!, 1).text} µs`)
  console.log(`   mock / bare:          ${spread(ratios(cpu[2]!, cpu[0]!), 3).text}   goal <= 1.2`)
  console.log(`   mock / plain fastify: ${spread(ratios(cpu[2]!, cpu[1]!), 3).text}   goal <= 1.0`)
  console.log(`   plain fastify / bare: ${spread(ratios(cpu[1]!, cpu[0]!), 3).text}`)
  console.log(`   bare + line + journal / bare: ${spread(ratios(cpu[3]!, cpu[0]!), 3).text}   (what the request line and journal entry cost on their own)`)
  console.log(`   mock / bare + line + journal: ${spread(ratios(cpu[2]!, cpu[3]!), 3).text}`)
}

async function peakRate (connections: number, goal: number): Promise<void> {
  // The share of one CPU each server used in each run.
  const used = new Map(servers.map((server) => [server, [] as number[]]))
  const peak = await inTurns(servers, Math.max(3, Math.ceil(ROUNDS / 2)), async (server) => {
    const cpuBefore = cpuMs(server.pid)
    const started = performance.now()
    const result = await load(server, { body: seedBody, connections, seconds: Math.min(SECONDS, 5) })
    used.get(server)!.push((cpuMs(server.pid) - cpuBefore) / (performance.now() - started))
    return result.requests.average
  })
  console.log(`2. seed call, peak req/s at ${connections} connections, ${PEAK_PLACEMENT}`)
  for (const [i, server] of servers.entries()) console.log(`   ${server.name.padEnd(24)} ${spread(peak[i]!).text} req/s, using ${spread(used.get(server)!, 2).text} of a CPU`)
  console.log(`   mock / bare:          ${spread(ratios(peak[2]!, peak[0]!), 3).text}   goal >= ${goal}`)
  console.log(`   plain fastify / bare: ${spread(ratios(peak[1]!, peak[0]!), 3).text}`)
  console.log(`   bare + line + journal / bare: ${spread(ratios(peak[3]!, peak[0]!), 3).text}`)
}

async function bigUploads (records: number, rate: number): Promise<void> {
  const body = recordsBody(records)
  // New servers: what parts 1 and 2 staged (a million seed calls and more) would otherwise weigh on
  // every garbage collection, and differently in each server.
  const fresh = [await start('bare node:http', [await bundledBaseline('bench/bare-server.ts')], {}, '/', SHARED_CPU), await startMock(SHARED_CPU)]
  const big = await cpuSideBySide(fresh, body, rate)
  console.log(`3. uploads of ${records.toLocaleString('en')} records (${(Buffer.byteLength(body) / 1024).toFixed(0)} KiB): CPU per request at ${rate} req/s, ${ROUNDS} rounds, ${SIDE_BY_SIDE}`)
  console.log(`   bare node:http ${spread(big[0]!).text} µs, mock ${spread(big[1]!).text} µs; mock / bare ${spread(ratios(big[1]!, big[0]!), 3).text}   goal <= 0.7`)
}

// BENCH_MOCK_ENV adds settings, e.g. '{"LOG_LEVEL":"warn"}' to see what the request log line costs.
const startMock = async (cpu?: number): Promise<Server> => await start('eloqua-bulk-mock', ['dist/server.js'], { ...roomy, ...JSON.parse(process.env.BENCH_MOCK_ENV ?? '{}') as Record<string, string> }, '/__mock/health', cpu)
if (PARTS.has('1')) await seedCpu()
const servers: Server[] = []
// Part 2's servers on SHARED_CPU, the load generator on the others.
const PEAK_PLACEMENT = PARTS.has('2') && leaveSharedCpu() ? `each server alone on CPU ${SHARED_CPU}, the load generator on the others` : 'not pinned (no taskset or one CPU)'
if (PARTS.has('2')) {
  const bare = await bundledBaseline('bench/bare-server.ts')
  const cpu = PEAK_PLACEMENT.startsWith('each') ? SHARED_CPU : undefined
  servers.push(await start('bare node:http', [bare], {}, '/', cpu), await start('plain fastify + ajv', [await bundledBaseline('bench/fastify-server.ts')], {}, '/', cpu), await startMock(cpu), await start('bare + line + journal', [bare], { BARE_LINE_AND_JOURNAL: '1' }, '/', cpu))
}
try {
  // Warm-up: JIT, connection set-up, the mock's schemas compiled on first use.
  for (const server of servers) await cpuPerRequest(server, seedBody, RATE, 3)
  if (PARTS.has('2')) for (const [connections, goal] of [[10, 0.85], [100, 0.8]] as const) await peakRate(connections, goal)
} finally {
  for (const server of servers) server.stop()
}
if (PARTS.has('3')) for (const [records, rate] of [[5000, 100], [50_000, 10]] as const) await bigUploads(records, rate)
