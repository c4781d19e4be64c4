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
  let stderr = ''
  child.stderr?.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
  const url = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      lines.push(line)
      const match = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(line)
      if (match?.[1] !== undefined) resolve(match[1])
    })
    exit.then(({ code }) => reject(new Error(`server exited with ${code}: ${stderr}`)), reject)
  })
  return { url, child, lines, exit }
}

/** Runs the command to completion and collects what it printed. */
export async function runCommand (args: string[], env: Record<string, string> = {}): Promise<{ code: number | null, stdout: string, stderr: string }> {
  const child = spawn(process.execPath, [SERVER, ...args], { env: { ...process.env, PORT: '0', HOST: '127.0.0.1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString() })
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
  const [code] = await once(child, 'exit') as [number | null]
  return { code, stdout, stderr }
}
