/**
 * Exported rows as the JSON of data pages. While an export sync runs, its rows are written once
 * as `{"key":"value",…},` into large buffers (Eloqua too converts an export to a file before the
 * sync ends); a page is then a few slices of those buffers, sent as fast as a server sending
 * bytes it already holds. Rows past what was written (the cache budget ran out) are written
 * again for each page that asks for them. Pure TypeScript: the mock's timer drives the writing.
 */
import type { ExportData } from './kinds/exports.js'

/** Bytes per buffer the rows are written into, at most; a page is a slice of a few of them. */
const CHUNK_BYTES = 1024 * 1024
/** The first buffer of an export: small exports take little, big ones double up to CHUNK_BYTES. */
const FIRST_CHUNK_BYTES = 16 * 1024

const EMPTY = Buffer.alloc(0)

/** JSON text written into buffers of a given size, each handed on when full. */
export class JsonWriter {
  #buffer: Buffer
  #length = 0
  /** Where the row being written starts in the current buffer: a row never spans two buffers. */
  #rowStart = 0
  /** The size of the next buffer: it doubles from the first up to `#maxChunkBytes`. */
  #chunkBytes: number
  readonly #maxChunkBytes: number
  readonly full: Buffer[] = []

  constructor (chunkBytes = CHUNK_BYTES, firstChunkBytes = chunkBytes) {
    this.#chunkBytes = firstChunkBytes
    this.#maxChunkBytes = chunkBytes
    this.#buffer = Buffer.allocUnsafe(firstChunkBytes)
  }

  /** Bytes written so far into the current buffer. */
  get length (): number {
    return this.#length
  }

  /** Room for `bytes` more: a full buffer is handed on, and the row being written moves to the next. */
  #reserve (bytes: number): void {
    if (this.#length + bytes <= this.#buffer.length) return
    const partial = this.#length - this.#rowStart
    this.#chunkBytes = Math.min(this.#maxChunkBytes, this.#chunkBytes * 2)
    const next = Buffer.allocUnsafe(Math.max(this.#chunkBytes, partial + bytes))
    this.#buffer.copy(next, 0, this.#rowStart, this.#length)
    this.full.push(this.#buffer.subarray(0, this.#rowStart))
    this.#buffer = next
    this.#length = partial
    this.#rowStart = 0
  }

  /** Bytes already encoded. */
  bytes (bytes: Buffer): void {
    this.#reserve(bytes.length)
    // Key prefixes are short: a loop copies them faster than a native call.
    const buffer = this.#buffer
    const at = this.#length
    for (let i = 0; i < bytes.length; i++) buffer[at + i] = bytes[i] as number
    this.#length = at + bytes.length
  }

  /** A string as a JSON string. */
  string (value: string): void {
    this.#reserve(value.length + 2)
    const buffer = this.#buffer
    let at = this.#length
    buffer[at++] = 0x22
    for (let i = 0; i < value.length; i++) {
      const c = value.charCodeAt(i)
      // Quotes, backslashes, control and non-ASCII characters take JSON.stringify and UTF-8.
      if (c < 0x20 || c === 0x22 || c === 0x5c || c > 0x7e) {
        this.#escaped(value)
        return
      }
      buffer[at++] = c
    }
    buffer[at++] = 0x22
    this.#length = at
  }

  #escaped (value: string): void {
    const text = JSON.stringify(value)
    this.#reserve(Buffer.byteLength(text))
    this.#length += this.#buffer.write(text, this.#length, 'utf8')
  }

  /** Marks the end of a row: the next starts here. */
  endRow (): void {
    this.#rowStart = this.#length
  }

  /** The buffer being written, for reading rows back as they are. */
  get current (): Buffer {
    return this.#buffer
  }

  /** Lets go of the buffer being written, once what it holds has been copied. */
  release (): void {
    this.#buffer = EMPTY
    this.#length = 0
    this.#rowStart = 0
  }

  /** Everything written since the last call, as chunks. */
  take (): Buffer[] {
    this.full.push(this.#buffer.subarray(0, this.#length))
    this.#buffer = Buffer.allocUnsafe(this.#chunkBytes)
    this.#length = 0
    this.#rowStart = 0
    return this.full.splice(0)
  }
}

/** `{"key":` before a row's first value and `,"key":` before the others, encoded once. */
export function keyPrefixes (keys: readonly string[]): Buffer[] {
  return keys.map((key, k) => Buffer.from(`${k === 0 ? '{' : ','}${JSON.stringify(key)}:`))
}

/** Writes row `i` as `{…},`. */
export function writeRow (data: ExportData, i: number, prefixes: readonly Buffer[], out: JsonWriter): void {
  const row = data.row(i)
  for (let k = 0; k < prefixes.length; k++) {
    out.bytes(prefixes[k] as Buffer)
    out.string(row[k] as string)
  }
  out.bytes(CLOSE_ROW)
  out.endRow()
}

const CLOSE_ROW = Buffer.from('},')

/**
 * The rows of one export as JSON, written in order from the first, as far as they have been:
 * rows [0, written) can be read back as slices.
 */
export class JsonRows {
  readonly #data: ExportData
  readonly #prefixes: Buffer[]
  readonly #writer: JsonWriter
  /** The buffers rows were written into, then the one being written. */
  readonly #chunks: Buffer[] = []
  /** For each written row: its buffer, and where it ends in it. */
  #rowChunk: Uint32Array
  #rowEnd: Uint32Array
  #written = 0
  /** Bytes of the filled buffers in #chunks. */
  #filledBytes = 0
  /** Set when the budget ran out: no more rows are written. */
  #stopped = false

  /** The last buffer cut to what it holds, once no more rows are written into it. */
  #sealed: Buffer | undefined

  constructor (data: ExportData) {
    this.#data = data
    this.#writer = new JsonWriter(CHUNK_BYTES, FIRST_CHUNK_BYTES)
    this.#prefixes = keyPrefixes(data.keys)
    this.#rowChunk = new Uint32Array(Math.min(data.count, 1024))
    this.#rowEnd = new Uint32Array(Math.min(data.count, 1024))
  }

  get written (): number {
    return this.#written
  }

  /** Bytes held: the buffers filled, all of the one being written, and the row tables. */
  get bytes (): number {
    return this.#filledBytes + (this.#sealed?.length ?? this.#writer.current.length) + this.#rowChunk.byteLength + this.#rowEnd.byteLength
  }

  /** Whether more rows are to be written. */
  get pending (): boolean {
    return !this.#stopped && this.#written < this.#data.count
  }

  /**
   * Writes rows up to `until` (at most all), unless holding more than `room` bytes; past it, the
   * writing stops for good. Returns the bytes added.
   */
  write (until: number, room: number): number {
    const before = this.bytes
    const end = Math.min(until, this.#data.count)
    while (this.#written < end && !this.#stopped) {
      const i = this.#written
      writeRow(this.#data, i, this.#prefixes, this.#writer)
      // A row that did not fit moved to a new buffer: the filled one is kept.
      if (this.#writer.full.length > 0) {
        for (const filled of this.#writer.full.splice(0)) {
          this.#chunks.push(filled)
          this.#filledBytes += filled.length
        }
      }
      if (this.bytes - before > room) {
        this.#stopped = true
        break
      }
      this.#keep(i, this.#chunks.length, this.#writer.length)
      this.#written = i + 1
    }
    if (!this.pending) this.#seal()
    return this.bytes - before
  }

  /** Writes no more rows: those written stay readable. */
  stop (): void {
    this.#stopped = true
    this.#seal()
  }

  /** Done writing: the last buffer shrinks to the rows it holds, and so do the row tables. */
  #seal (): void {
    // Sealing twice would copy the released (empty) buffer over the last rows.
    if (this.#sealed !== undefined) return
    this.#sealed = Buffer.from(this.#writer.current.subarray(0, this.#writer.length))
    this.#writer.release()
    this.#rowChunk = this.#rowChunk.slice(0, this.#written)
    this.#rowEnd = this.#rowEnd.slice(0, this.#written)
  }

  #keep (i: number, chunk: number, end: number): void {
    if (i === this.#rowEnd.length) {
      const size = Math.min(this.#data.count, this.#rowEnd.length * 2)
      const chunks = new Uint32Array(size)
      const ends = new Uint32Array(size)
      chunks.set(this.#rowChunk)
      ends.set(this.#rowEnd)
      this.#rowChunk = chunks
      this.#rowEnd = ends
    }
    this.#rowChunk[i] = chunk
    this.#rowEnd[i] = end
  }

  /** Rows [from, to) (all written) as slices, each row followed by a comma. */
  slices (from: number, to: number): Buffer[] {
    const slices: Buffer[] = []
    let i = from
    while (i < to) {
      const chunk = this.#rowChunk[i] as number
      const start = i > 0 && this.#rowChunk[i - 1] === chunk ? this.#rowEnd[i - 1] as number : 0
      // The run of rows in the same buffer.
      let last = i
      while (last + 1 < to && this.#rowChunk[last + 1] === chunk) last++
      const buffer = chunk < this.#chunks.length ? this.#chunks[chunk] as Buffer : this.#sealed ?? this.#writer.current
      slices.push(buffer.subarray(start, this.#rowEnd[last]))
      i = last + 1
    }
    return slices
  }
}
