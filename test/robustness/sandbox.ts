/**
 * Apps on a worker thread, driven with app.inject() from the test's thread. A request that never
 * answers (a regular expression that backtracks for minutes, say) blocks only the worker, which
 * the watchdog terminates; an exception the app fails to catch (in a timer, for instance) ends
 * the worker, and the test hears about it instead of dying with it.
 */
import { Worker } from 'node:worker_threads'
import type { Config } from '../../src/config.js'

export interface WireRequest {
  method: string
  url: string
  headers: Record<string, string>
  payload?: string | Uint8Array
}

export type SandboxRequest =
  | { id: number, app: string, kind: 'inject', request: WireRequest }
  | { id: number, app: string, kind: 'advance', ms: number }

export type SandboxReply =
  | { id: number, kind: 'ready' | 'done' }
  | { id: number, kind: 'answer', status: number, headers: Record<string, string | string[] | undefined>, body: string }
  | { id: number, kind: 'rejected', error: string }

export type Outcome =
  | { kind: 'answer', status: number, headers: Record<string, string | string[] | undefined>, body: string, ms: number }
  /** inject() itself failed. */
  | { kind: 'rejected', error: string, ms: number }
  /** No answer within the watchdog's time: the worker was terminated. */
  | { kind: 'timeout', ms: number }
  /** The worker died of an exception nobody caught. */
  | { kind: 'crash', error: string, ms: number }
  /** The clock moved. */
  | { kind: 'done', ms: number }

interface Pending { resolve: (outcome: Outcome) => void, started: number, timer: NodeJS.Timeout }

export class Sandbox {
  readonly #configs: Record<string, Partial<Config>>
  #worker: Worker | undefined
  #ready: Promise<void> | undefined
  #nextId = 1
  readonly #pending = new Map<number, Pending>()
  /** An uncaught exception that happened while no request was waiting for an answer. */
  #crash: string | undefined
  /** How many workers were stopped (timeouts and crashes). */
  stops = 0

  constructor (configs: Record<string, Partial<Config>>) {
    this.#configs = configs
  }

  /** Starts the worker if there is none (at first, and after a timeout or a crash). */
  async ensureStarted (): Promise<void> {
    if (this.#ready === undefined) {
      const worker = new Worker(new URL('./sandbox-worker.ts', import.meta.url), { workerData: { configs: this.#configs } })
      this.#worker = worker
      this.#ready = new Promise<void>((resolve, reject) => {
        worker.once('message', () => resolve())
        worker.once('error', reject)
      })
      worker.on('message', (reply: SandboxReply) => this.#settle(reply.id, reply.kind === 'answer'
        ? { kind: 'answer', status: reply.status, headers: reply.headers, body: reply.body, ms: 0 }
        : reply.kind === 'rejected' ? { kind: 'rejected', error: reply.error, ms: 0 } : { kind: 'done', ms: 0 }))
      worker.on('error', (err) => {
        const error = err.stack ?? String(err)
        if (this.#pending.size === 0) this.#crash = error
        for (const id of [...this.#pending.keys()]) this.#settle(id, { kind: 'crash', error, ms: 0 })
        this.#forget(worker)
      })
    }
    await this.#ready
  }

  /** The uncaught exception of a worker that died between requests, once. */
  takeCrash (): string | undefined {
    const crash = this.#crash
    this.#crash = undefined
    return crash
  }

  async inject (app: string, request: WireRequest, timeoutMs: number): Promise<Outcome> {
    return await this.#send({ id: this.#nextId++, app, kind: 'inject', request }, timeoutMs)
  }

  /** Moves the app's ManualClock (app.clock.advance), as a test does in-process. */
  async advance (app: string, ms: number): Promise<Outcome> {
    return await this.#send({ id: this.#nextId++, app, kind: 'advance', ms }, 5000)
  }

  async close (): Promise<void> {
    const worker = this.#worker
    if (worker !== undefined) {
      this.#forget(worker)
      await worker.terminate()
    }
  }

  async #send (message: SandboxRequest, timeoutMs: number): Promise<Outcome> {
    await this.ensureStarted()
    const worker = this.#worker as Worker
    return await new Promise<Outcome>((resolve) => {
      const timer = setTimeout(() => {
        this.#settle(message.id, { kind: 'timeout', ms: 0 })
        this.#forget(worker)
        worker.terminate().catch(() => {})
      }, timeoutMs)
      this.#pending.set(message.id, { resolve, started: performance.now(), timer })
      worker.postMessage(message)
    })
  }

  #settle (id: number, outcome: Outcome): void {
    const pending = this.#pending.get(id)
    if (pending === undefined) return
    this.#pending.delete(id)
    clearTimeout(pending.timer)
    pending.resolve({ ...outcome, ms: Math.round(performance.now() - pending.started) })
  }

  #forget (worker: Worker): void {
    if (this.#worker !== worker) return
    this.#worker = undefined
    this.#ready = undefined
    this.stops += 1
    for (const id of [...this.#pending.keys()]) this.#settle(id, { kind: 'crash', error: 'the worker was stopped', ms: 0 })
  }
}
