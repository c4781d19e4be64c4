/**
 * How many records a JSON upload holds, read from its bytes as they arrive, without building
 * them. The count is that of the body exactly when JSON.parse would read it as an array of
 * objects within `maxDepth` and with finite numbers (what jsonProblem and the upload schemas
 * accept), and -1 for anything else: a -1 sends the body to JSON.parse, which says precisely what
 * is wrong (or reads a body the scan does not vouch for, such as a single object). Uploads are
 * read this way because parsing them costs several times more CPU and memory, and the records
 * are kept as bytes, never as objects.
 *
 * The bytes must be UTF-8, checked apart (see utf8.ts): bytes of 0x80 and above are taken as text
 * inside strings. The scan is one pass, linear, allocates nothing per record and resumes at any
 * byte, so a body is read piece by piece while it is still in the processor's cache, and never
 * needs joining into one buffer. It runs as WebAssembly (src/wasm/record-scan.ts, where the scan
 * itself is), 2.5 times faster than the same scan in JavaScript: each piece is copied into the
 * module's memory and read there. Nesting is tracked in a table, so no input can overflow the
 * stack.
 */
import { RECORD_SCAN_WASM } from './generated/record-scan-wasm.js'

/** Depth limits the scan tracks; a larger one sends every body to JSON.parse. */
export const MAX_SCAN_DEPTH = 1023

/** What of the WebAssembly API the scan uses (TypeScript's Node types do not declare it). */
interface WebAssemblyApi {
  Module: new (bytes: Uint8Array) => object
  Instance: new (module: object, imports: Record<string, Record<string, unknown>>) => { exports: object }
}
const { Module, Instance } = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly

/** The module's exports (src/wasm/record-scan.ts). */
interface RecordScan {
  memory: { buffer: ArrayBuffer }
  INPUT: { value: number }
  PIECE: { value: number }
  setup: () => void
  begin: (maxDepth: number) => void
  push: (length: number) => void
  end: () => number
  save: () => void
  restore: () => void
}

/** Where the module keeps a scan's fields, open containers and carried number (see record-scan.ts). */
const FIELDS_BYTES = 64
const OPEN_AT = 4 * 2
const NUMBER_LENGTH_AT = 4 * 6
const OBJECTS = 64
const NUMBER = 2048

interface Engine { scan: RecordScan, heap: Uint8Array, fields: Int32Array, input: number, piece: number }

let engine: Engine | undefined

/** The module, instantiated on first use: a mock that takes no JSON upload never compiles it. */
function recordScan (): Engine {
  if (engine !== undefined) return engine
  let heap = new Uint8Array(0)
  const module = new Module(Buffer.from(RECORD_SCAN_WASM, 'base64'))
  const instance = new Instance(module, {
    // A long number, or one with an exponent: finite as JSON.parse would read it.
    env: { finite: (at: number, length: number) => Number.isFinite(Number(Buffer.from(heap.buffer, at, length).toString('latin1'))) }
  })
  const scan = instance.exports as unknown as RecordScan
  scan.setup()
  heap = new Uint8Array(scan.memory.buffer)
  engine = { scan, heap, fields: new Int32Array(scan.memory.buffer, 0, FIELDS_BYTES / 4), input: scan.INPUT.value, piece: scan.PIECE.value }
  return engine
}

/** The scan the module holds now; others keep theirs aside until they read again. */
let current: RecordListScanner | undefined

export class RecordListScanner {
  readonly maxDepth: number
  /** This scan's part of the module's memory while another scan holds it. */
  #aside: Uint8Array | undefined

  constructor (maxDepth: number) {
    this.maxDepth = maxDepth
    this.reset()
  }

  /** Takes the module, setting aside the scan that held it. */
  #take (): Engine {
    const taken = recordScan()
    if (current === this) return taken
    if (current !== undefined) current.#aside = setAside(taken)
    if (this.#aside !== undefined) bringBack(taken, this.#aside)
    this.#aside = undefined
    current = this
    return taken
  }

  /** Starts again, for another body. */
  reset (): void {
    this.#take().scan.begin(this.maxDepth)
  }

  /** The record count once every piece was read, or -1. */
  end (): number {
    return this.#take().scan.end()
  }

  /** Reads the next piece of the body. */
  push (bytes: Uint8Array): void {
    const { scan, heap, input, piece } = this.#take()
    for (let from = 0; from < bytes.length; from += piece) {
      const part = from === 0 && bytes.length <= piece ? bytes : bytes.subarray(from, from + piece)
      heap.set(part, input)
      scan.push(part.length)
    }
  }
}

/** A copy of the scan the module holds: its fields, the containers open and the number carried. */
function setAside ({ scan, heap, fields }: Engine): Uint8Array {
  scan.save()
  const open = fields[OPEN_AT / 4] as number
  const numberLength = fields[NUMBER_LENGTH_AT / 4] as number
  const aside = new Uint8Array(FIELDS_BYTES + open + numberLength)
  aside.set(heap.subarray(0, FIELDS_BYTES))
  aside.set(heap.subarray(OBJECTS, OBJECTS + open), FIELDS_BYTES)
  aside.set(heap.subarray(NUMBER, NUMBER + numberLength), FIELDS_BYTES + open)
  return aside
}

function bringBack ({ scan, heap, fields }: Engine, aside: Uint8Array): void {
  heap.set(aside.subarray(0, FIELDS_BYTES))
  const open = fields[OPEN_AT / 4] as number
  heap.set(aside.subarray(FIELDS_BYTES, FIELDS_BYTES + open), OBJECTS)
  heap.set(aside.subarray(FIELDS_BYTES + open), NUMBER)
  scan.restore()
}

/** The scanner countRecordList reuses: it reads a whole body in one call, so one serves all. */
let shared: RecordListScanner | undefined

/** The record count of a whole body (see RecordListScanner), or -1. */
export function countRecordList (bytes: Uint8Array, maxDepth: number): number {
  if (shared?.maxDepth === maxDepth) shared.reset()
  else shared = new RecordListScanner(maxDepth)
  shared.push(bytes)
  return shared.end()
}
