// Starts the built command (dist/server.js) as a real process and waits until it listens.
import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'

export const SERVER = fileURLToPath(new URL('../../dist/server.js', import.meta.url))

export interface RunningServer {
  url: string
  child: ChildProcess
  /** stdout lines so far (pino JSON). */
  lines: string[]
  exit: Promise<{ code: number | null, signal: NodeJS.Signals | null }>
  /**
   * The first stdout line, already printed or still to come, that matches. Rejects if the
   * process ends or nothing matches within timeoutMs, so a test never waits unbounded.
   */
  waitForLine: (pattern: RegExp, timeoutMs?: number) => Promise<string>
}

interface Teardown { teardown: (fn: () => unknown) => void }

function exitOf (child: ChildProcess): Promise<{ code: number | null, signal: NodeJS.Signals | null }> {
  // 'close' rather than 'exit': by then everything the process wrote has been read.
  return new Promise((resolve) => child.once('close', (code, signal) => resolve({ code, signal })))
}

export async function startServer (t: Teardown, args: string[] = [], env: Record<string, string> = {}, options: { cwd?: string, command?: string[] } = {}): Promise<RunningServer> {
  const command = options.command ?? [SERVER]
  const child = spawn(process.execPath, [...command, ...args], {
    cwd: options.cwd,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  const exit = exitOf(child)
  t.teardown(() => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL') })
  const lines: string[] = []
  const waiters = new Set<(line: string) => void>()
  let stderr = ''
  child.stderr?.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
  createInterface({ input: child.stdout! }).on('line', (line) => {
    lines.push(line)
    for (const waiter of waiters) waiter(line)
  })

  const waitForLine = async (pattern: RegExp, timeoutMs = 10_000): Promise<string> => {
    const seen = lines.find((line) => pattern.test(line))
    if (seen !== undefined) return seen
    return await new Promise<string>((resolve, reject) => {
      const done = (): void => {
        waiters.delete(waiter)
        clearTimeout(timer)
      }
      const waiter = (line: string): void => {
        if (!pattern.test(line)) return
        done()
        resolve(line)
      }
      const timer = setTimeout(() => {
        done()
        reject(new Error(`no line matching ${String(pattern)} within ${timeoutMs} ms`))
      }, timeoutMs)
      waiters.add(waiter)
      exit.then(({ code, signal }) => {
        done()
        reject(new Error(`server exited (${code ?? signal}) before printing a line matching ${String(pattern)}: ${stderr}`))
      }, reject)
    })
  }

  const listening = await waitForLine(/Server listening at http:\/\/127\.0\.0\.1:\d+/, 30_000)
  const url = /(http:\/\/127\.0\.0\.1:\d+)/.exec(listening)![1]!
  return { url, child, lines, exit, waitForLine }
}

/** Runs the command to completion and collects what it printed. */
export async function runCommand (args: string[], env: Record<string, string> = {}): Promise<{ code: number | null, stdout: string, stderr: string }> {
  const child = spawn(process.execPath, [SERVER, ...args], { env: { ...process.env, PORT: '0', HOST: '127.0.0.1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString() })
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
  // 'close' rather than 'exit': by then everything the process wrote has been read.
  const [code] = await once(child, 'close') as [number | null]
  return { code, stdout, stderr }
}
