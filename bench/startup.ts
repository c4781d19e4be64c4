// Start to a healthy answer, from built output: the command (`node dist/server.js`, LOG_LEVEL=warn)
// beside a bare node:http server and plain fastify doing the seed call's work, bundled the same
// way, each started 10 times in turns; the median and the range are printed. Any answer from the
// server counts as healthy for the baselines (they serve one route); the mock must answer
// /__mock/health with 200.
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { ROOT, bundledBaseline, freePort } from './processes.js'

const RUNS = 10

async function startToHealthy (args: string[], path: string, wantOk: boolean): Promise<number> {
  const port = await freePort()
  const started = performance.now()
  const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn' }, stdio: 'ignore' })
  try {
    for (;;) {
      const answered = await fetch(`http://127.0.0.1:${port}${path}`).then((res) => res.ok || !wantOk, () => false)
      if (answered) return performance.now() - started
      if (performance.now() - started > 30_000) throw new Error(`${args.join(' ')} was not healthy within 30 s`)
      await new Promise((resolve) => setTimeout(resolve, 2))
    }
  } finally {
    child.kill('SIGKILL')
    await once(child, 'exit')
  }
}

const kinds = [
  { name: 'eloqua-bulk-mock (node dist/server.js)', args: ['dist/server.js'], path: '/__mock/health', ok: true },
  { name: 'bare node:http', args: [await bundledBaseline('bench/bare-server.ts')], path: '/', ok: false },
  { name: 'plain fastify', args: [await bundledBaseline('bench/fastify-server.ts')], path: '/', ok: false }
]
const times = kinds.map((): number[] => [])
for (let run = 0; run < RUNS; run++) {
  for (const [i, kind] of kinds.entries()) times[i]!.push(await startToHealthy(kind.args, kind.path, kind.ok))
}
const median = (values: number[]): number => { const sorted = [...values].sort((a, b) => a - b); return (sorted[4]! + sorted[5]!) / 2 }
console.log(`start to healthy, median of ${RUNS} (range):`)
for (const [i, kind] of kinds.entries()) {
  const values = times[i]!
  console.log(`  ${kind.name.padEnd(40)} ${median(values).toFixed(0)} ms (${Math.min(...values).toFixed(0)}-${Math.max(...values).toFixed(0)})`)
}
console.log(`ratio mock/bare: ${(median(times[0]!) / median(times[1]!)).toFixed(2)}; goal for the mock: <= 300 ms`)
