// Server processes for the benchmarks: each on a free loopback port, awaited until it answers.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { accessSync, constants, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer, type AddressInfo } from 'node:net'
import { availableParallelism, tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

export const ROOT = fileURLToPath(new URL('..', import.meta.url))

/**
 * A baseline server (bench/*.ts) built as the mock's command is (scripts/bundle-server.ts): one ESM
 * file with its dependencies, so start-up times compare built output with built output.
 */
export async function bundledBaseline (file: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'eloqua-bench-'))
  process.once('exit', () => { rmSync(dir, { recursive: true, force: true }) })
  const outfile = join(dir, 'server.mjs')
  await build({
    entryPoints: [join(ROOT, file)],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20.12',
    logLevel: 'warning',
    banner: { js: "import { createRequire as createRequireOfBundle } from 'node:module'; const require = createRequireOfBundle(import.meta.url);" }
  })
  return outfile
}

export async function freePort (): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise((resolve) => server.close(resolve))
  return port
}

/** util-linux's taskset, when this machine has it: it runs a command on the CPUs it is given. */
export const TASKSET: string | undefined = (process.env.PATH ?? '').split(delimiter).map((dir) => join(dir, 'taskset')).find((path) => {
  try {
    accessSync(path, constants.X_OK)
    return true
  } catch {
    return false
  }
})

/**
 * The CPU that servers compared side by side share: the last one, so the load generator gets
 * the others; undefined when the machine has one CPU or no taskset.
 */
export const SHARED_CPU: number | undefined = TASKSET !== undefined && availableParallelism() > 1 ? availableParallelism() - 1 : undefined

/**
 * Moves this process, every thread of it, to the CPUs other than SHARED_CPU, so a load generator
 * running here leaves that one to the server it loads; false where there is no taskset.
 */
export function leaveSharedCpu (): boolean {
  if (TASKSET === undefined || SHARED_CPU === undefined) return false
  const others = SHARED_CPU === 1 ? '0' : `0-${SHARED_CPU - 1}`
  return spawnSync(TASKSET, ['-a', '-p', '-c', others, String(process.pid)], { stdio: 'ignore' }).status === 0
}

/**
 * Starts `node <args>` with PORT and HOST set, on CPU `cpu` alone when given (taskset), and waits
 * (up to 30 s) until `probe` answers at all.
 */
export async function startServer (args: string[], env: Record<string, string>, probe = '/', cpu?: number): Promise<{ child: ChildProcess, port: number, url: string }> {
  const port = await freePort()
  // taskset replaces itself with node: the child's pid is the server's.
  const command = cpu === undefined || TASKSET === undefined ? [process.execPath, ...args] : [TASKSET, '-c', String(cpu), process.execPath, ...args]
  const child = spawn(command[0]!, command.slice(1), { cwd: ROOT, env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' }, stdio: ['ignore', 'ignore', 'inherit'] })
  const url = `http://127.0.0.1:${port}`
  for (let attempt = 0; attempt < 300; attempt++) {
    try {
      await fetch(`${url}${probe}`)
      return { child, port, url }
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  }
  child.kill('SIGKILL')
  throw new Error(`${args.join(' ')} did not start`)
}

/** User plus system CPU time of a process, in milliseconds (Linux: /proc/<pid>/stat). */
export function cpuMs (pid: number): number {
  // Fields after the command name (which may hold spaces) start at the closing parenthesis.
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
  return (Number(fields[11]) + Number(fields[12])) * 10
}

/** Resident set size of a process now and at its peak, in bytes (Linux: /proc/<pid>/status). */
export function rssOf (pid: number): { rss: number, peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kib = (name: string): number => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024
  return { rss: kib('VmRSS'), peak: kib('VmHWM') }
}

/** The median and the range of some figures, as printed. */
export function spread (values: readonly number[], digits = 0): { median: number, text: string } {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = sorted.length / 2
  const median = sorted.length % 2 === 1 ? sorted[Math.floor(middle)]! : (sorted[middle - 1]! + sorted[middle]!) / 2
  return { median, text: `${median.toFixed(digits)} (${sorted[0]!.toFixed(digits)}-${sorted.at(-1)!.toFixed(digits)})` }
}
