// What the request journal costs on the seed call (Oracle's 2-record upload): server CPU per
// request at a fixed request rate, with the journal on (the default, bodies kept) and off
// (JOURNAL_SIZE=0), the two servers sharing one CPU (taskset) and loaded at the same time, so
// what the shared machine does to one it does to both; 10 rounds (with 5, the range of a run
// often spanned 0.85-1.18), the median ratio and the range are printed. A third server, the journal
// off too, runs beside them: what the two servers with the journal off differ by is this
// machine's noise, against which the journal's cost is read.
// CPU time comes from /proc/<pid>/stat, so this runs on Linux. Prints figures and a ratio;
// fails loudly if any answer is not 204.
import autocannon from 'autocannon'
import { SHARED_CPU, cpuMs, spread, startServer } from './processes.js'

const RATE = Number(process.env.BENCH_RATE ?? 2000)
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10)
const ROUNDS = 10
const auth = `Basic ${Buffer.from('APITest\\API.User:secret').toString('base64')}`
const body = '[{"Id":"DLPSB000000000020"},{"Id":"DLPSB000000000021"}]'
const roomy = { STAGING_QUOTA_BYTES: String(64 * 1024 ** 3), MAX_UPLOADS_PER_SYNC: '100000000', LOG_LEVEL: 'warn' }

async function run (port: number, pid: number): Promise<number> {
  const before = cpuMs(pid)
  const result = await autocannon({
    url: `http://127.0.0.1:${port}/api/bulk/2.0/customObjects/9/syncActions/6/data`,
    method: 'POST',
    headers: { authorization: auth, 'content-type': 'application/json' },
    body,
    connections: 10,
    overallRate: RATE,
    duration: SECONDS
  })
  const used = cpuMs(pid) - before
  const other = Object.keys(result.statusCodeStats ?? {}).filter((code) => code !== '204')
  if (other.length > 0 || result.errors > 0) throw new Error(`answers other than 204: ${JSON.stringify(result.statusCodeStats)}, ${result.errors} errors`)
  return (used * 1000) / result.requests.total // µs of CPU per request
}

const on = await startServer(['dist/server.js'], { ...roomy, ...JSON.parse(process.env.BENCH_JOURNAL_ENV ?? '{}') as Record<string, string> }, '/__mock/health', SHARED_CPU)
const off = await startServer(['dist/server.js'], { ...roomy, JOURNAL_SIZE: '0' }, '/__mock/health', SHARED_CPU)
const twin = await startServer(['dist/server.js'], { ...roomy, JOURNAL_SIZE: '0' }, '/__mock/health', SHARED_CPU)
const servers = [on, off, twin]
try {
  // Warm-up: JIT and connection set-up.
  await Promise.all(servers.map(async ({ port, child }) => await run(port, child.pid!)))
  const ratios: number[] = []
  const noise: number[] = []
  const rounds: string[] = []
  for (let round = 0; round < ROUNDS; round++) {
    const [withJournal, without, twinWithout] = await Promise.all(servers.map(async ({ port, child }) => await run(port, child.pid!))) as [number, number, number]
    ratios.push(withJournal / without)
    noise.push(twinWithout / without)
    rounds.push(`${withJournal.toFixed(0)} / ${without.toFixed(0)} / ${twinWithout.toFixed(0)} µs`)
  }
  console.log(`journal cost on the seed call, CPU per request at ${RATE} req/s, side by side${SHARED_CPU === undefined ? ' (not pinned)' : ` on CPU ${SHARED_CPU}`}, on / off / off again: ${rounds.join(', ')}`)
  const range = (values: number[]): string => { const { text } = spread(values, 3); return text.slice(text.indexOf('(') + 1, -1) }
  console.log(`ratio journal on/off: median ${spread(ratios, 3).median.toFixed(3)} (range ${range(ratios)}; goal <= 1.05)`)
  console.log(`ratio off/off, the same server twice (this machine's noise): median ${spread(noise, 3).median.toFixed(3)} (range ${range(noise)})`)
} finally {
  for (const { child } of servers) child.kill('SIGTERM')
}
