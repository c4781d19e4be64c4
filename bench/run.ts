// npm run bench: each benchmark in its own process, one after another. Each prints figures and
// ratios against baselines measured beside it in the same run; nothing here asserts timings, as
// shared machines are too noisy for that, but a run with a wrong answer fails loudly.
//   bench/seed.ts     the upload endpoint beside bare node:http and plain fastify: CPU per seed
//                     call at a fixed rate, peak req/s at 10 and 100 connections, big uploads
//   bench/startup.ts  start to healthy, beside the same baselines
//   bench/journal.ts  what the request journal costs on the seed call
//   bench/memory.ts   the memory it takes to stage millions of records
//   bench/filter.ts   an export filter over a million contacts
//   bench/export.ts   a million activity rows exported and paged, beside a bare server
import { spawn } from 'node:child_process'
import { ROOT } from './processes.js'

let failed = false
for (const [file, flags] of [['seed.ts', []], ['startup.ts', []], ['journal.ts', []], ['memory.ts', []], ['filter.ts', []], ['export.ts', []]] as const) {
  const child = spawn(process.execPath, [...flags, '--import', 'tsx', `bench/${file}`], { cwd: ROOT, stdio: 'inherit' })
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve))
  if (code !== 0) {
    console.error(`bench/${file} failed (exit ${String(code)})`)
    failed = true
  }
}
process.exitCode = failed ? 1 : 0
