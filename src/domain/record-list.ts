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
 * needs copying into one buffer. Strings, most of a body, are read four bytes at a time. Nesting is tracked in a table, so no input can overflow the
 * stack.
 */

// Bytes the scan looks for.
const QUOTE = 0x22
const BACKSLASH = 0x5c
const COMMA = 0x2c
const COLON = 0x3a
const OPEN_OBJECT = 0x7b
const CLOSE_OBJECT = 0x7d
const OPEN_ARRAY = 0x5b
const CLOSE_ARRAY = 0x5d
const MINUS = 0x2d
const PLUS = 0x2b
const POINT = 0x2e
const ZERO = 0x30
const NINE = 0x39

/**
 * Digits before the point up to which a number without an exponent is surely finite; longer ones
 * and any with an exponent are converted to be sure.
 */
const SURELY_FINITE_DIGITS = 300
/** A number longer than this is not vouched for (JSON.parse reads it): its text is kept across pieces. */
const MAX_NUMBER_CHARS = 4096
/** Depth limits the scan tracks; a larger one sends every body to JSON.parse. */
export const MAX_SCAN_DEPTH = 1023

/** What a byte is to the scan, one table lookup each. */
const TEXT = 1 // inside a string, as it is
const SPACE = 2 // JSON's four whitespace bytes
const DIGIT = 4
const HEX = 8
const CLASS = new Uint8Array(256).map((_, c) =>
  (c >= 0x20 && c !== QUOTE && c !== BACKSLASH ? TEXT : 0) |
  (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09 ? SPACE : 0) |
  (c >= ZERO && c <= NINE ? DIGIT : 0) |
  ((c >= ZERO && c <= NINE) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x66) ? HEX : 0))
/** 1 for the characters that may follow a backslash other than `u`. */
const SHORT_ESCAPE = new Uint8Array(256).map((_, c) => [QUOTE, BACKSLASH, 0x2f, 0x62, 0x66, 0x6e, 0x72, 0x74].includes(c) ? 1 : 0)

// Where the scan is. Between pieces it may stop in any of them.
const enum At {
  // Between tokens, where whitespace may come: all before String.
  BeforeList, ListStart, ListNext, AfterRecord, AfterList,
  ObjectStart, Key, Colon, Value, ArrayStart, AfterValue,
  // Inside a token.
  String, Escape, Unicode,
  NumberSign, AfterZero, Integer, PointFirst, Fraction, ExponentFirst, ExponentSign, Exponent,
  Word, Failed
}

export class RecordListScanner {
  readonly maxDepth: number
  /** The containers open in the record being read, 1 for an object, 0 for an array. */
  readonly #objects: Uint8Array
  #open = 0
  #count = 0
  #state = At.Failed
  /** Whether the string being read is a key (a colon follows) or a value. */
  #key = false
  /** Hex digits still due in a `\u` escape. */
  #hex = 0
  /** The number being read: its first characters when it began in an earlier piece, its integer digits, and whether it has an exponent. */
  #number = ''
  #integerDigits = 0
  #exponent = false
  /** The word being read (true, false or null) and how much of it has been. */
  #word = ''
  #wordAt = 0

  constructor (maxDepth: number) {
    this.maxDepth = maxDepth
    this.#objects = new Uint8Array(Math.max(0, Math.min(maxDepth, MAX_SCAN_DEPTH + 1)))
    this.reset()
  }

  /** Starts again, for another body. */
  reset (): void {
    this.#open = 0
    this.#count = 0
    this.#state = this.maxDepth < 2 || this.maxDepth > MAX_SCAN_DEPTH ? At.Failed : At.BeforeList
  }

  /** The record count once every piece was read, or -1. */
  end (): number {
    return this.#state === At.AfterList ? this.#count : -1
  }

  /** Reads the next piece of the body. */
  push (bytes: Uint8Array): void {
    const end = bytes.length
    const objects = this.#objects
    let state = this.#state
    let open = this.#open
    let key = this.#key
    let count = this.#count
    const maxDepth = this.maxDepth
    let at = 0
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    // Where the number being read began in this piece (0 when it began in an earlier one).
    let numberStart = 0
    while (at < end) {
      if (state < At.String) {
        // Between tokens: whitespace means nothing.
        while (at < end && (CLASS[bytes[at] as number] as number) & SPACE) at++
        if (at === end) break
      }
      switch (state) {
        case At.String: {
          // Most of a body is strings, in `"key":"value","key":"value"` runs: read straight on
          // through those, back to the switch for anything else.
          // Every read is within the piece: a read past it would slow every later lookup here.
          while (at < end) {
            // Four bytes at a time while four remain: the lowest byte flagged is the first that
            // ends the run (a quote, a backslash or a control character).
            while (at + 4 <= end) {
              const w = view.getInt32(at, true)
              const q = w ^ 0x22222222
              const b = w ^ 0x5c5c5c5c
              const hit = (((w - 0x20202020) & ~w) | ((q - 0x01010101) & ~q) | ((b - 0x01010101) & ~b)) & 0x80808080
              if (hit !== 0) {
                at += (31 - Math.clz32(hit & -hit)) >> 3
                break
              }
              at += 4
            }
            // The string goes on in the next piece.
            if (at === end) break
            let c = bytes[at] as number
            while ((CLASS[c] as number) & TEXT) {
              if (++at === end) break
              c = bytes[at] as number
            }
            // The string goes on in the next piece.
            if (at === end) break
            at++
            if (c !== QUOTE) {
              state = c === BACKSLASH ? At.Escape : At.Failed
              break
            }
            if (key) {
              if (at === end || bytes[at] !== COLON) {
                state = At.Colon
                break
              }
              at++
              if (at === end || bytes[at] !== QUOTE) {
                state = At.Value
                break
              }
              at++
              key = false
            } else if (at + 1 < end && bytes[at] === COMMA && bytes[at + 1] === QUOTE && objects[open - 1] === 1) {
              at += 2
              key = true
            } else if (open === 1 && at + 3 < end && bytes[at] === CLOSE_OBJECT && bytes[at + 1] === COMMA && bytes[at + 2] === OPEN_OBJECT && bytes[at + 3] === QUOTE) {
              // `},{"`: one record ends and the next begins with a key.
              at += 4
              count++
              key = true
            } else {
              state = At.AfterValue
              break
            }
          }
          continue
        }
        case At.AfterValue: {
          const c = bytes[at++] as number
          const inObject = objects[open - 1] === 1
          if (c === COMMA) {
            if (!inObject) {
              state = At.Value
            } else if (at < end && bytes[at] === QUOTE) {
              at++
              key = true
              state = At.String
            } else {
              state = At.Key
            }
          } else if (c === (inObject ? CLOSE_OBJECT : CLOSE_ARRAY)) {
            if (--open === 0) {
              count++
              state = At.AfterRecord
            }
          } else {
            state = At.Failed
          }
          continue
        }
        case At.Key:
        case At.ObjectStart: {
          const c = bytes[at++] as number
          if (c === QUOTE) {
            key = true
            state = At.String
          } else if (c === CLOSE_OBJECT && state === At.ObjectStart) {
            if (--open === 0) {
              count++
              state = At.AfterRecord
            } else {
              state = At.AfterValue
            }
          } else {
            state = At.Failed
          }
          continue
        }
        case At.Colon: {
          state = bytes[at++] === COLON ? At.Value : At.Failed
          continue
        }
        case At.ArrayStart:
        case At.Value: {
          const c = bytes[at] as number
          if (c === QUOTE) {
            at++
            key = false
            state = At.String
          } else if ((CLASS[c] as number) & DIGIT || c === MINUS) {
            numberStart = at
            this.#number = ''
            this.#exponent = false
            this.#integerDigits = 0
            if (c === MINUS) {
              at++
              state = At.NumberSign
            } else {
              state = c === ZERO ? At.NumberSign : At.Integer
            }
          } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
            at++
            if (open + 2 > maxDepth) {
              state = At.Failed
            } else {
              objects[open++] = c === OPEN_OBJECT ? 1 : 0
              state = c === OPEN_OBJECT ? At.ObjectStart : At.ArrayStart
            }
          } else if (c === 0x74 || c === 0x66 || c === 0x6e) {
            at++
            this.#word = c === 0x74 ? 'true' : c === 0x66 ? 'false' : 'null'
            this.#wordAt = 1
            state = At.Word
          } else if (c === CLOSE_ARRAY && state === At.ArrayStart) {
            at++
            open--
            state = At.AfterValue
          } else {
            state = At.Failed
          }
          continue
        }
        case At.Escape: {
          const c = bytes[at++] as number
          if (c === 0x75) {
            this.#hex = 4
            state = At.Unicode
          } else {
            state = SHORT_ESCAPE[c] === 1 ? At.String : At.Failed
          }
          continue
        }
        case At.Unicode: {
          if (!((CLASS[bytes[at++] as number] as number) & HEX)) state = At.Failed
          else if (--this.#hex === 0) state = At.String
          continue
        }
        case At.NumberSign: {
          // After a minus sign, or at a leading zero.
          const c = bytes[at] as number
          if (c === ZERO) {
            at++
            this.#integerDigits = 1
            state = At.AfterZero
          } else {
            state = (CLASS[c] as number) & DIGIT ? At.Integer : At.Failed
          }
          continue
        }
        case At.Integer: {
          const from = at
          while ((CLASS[bytes[at] as number] as number) & DIGIT) if (++at === end) break
          this.#integerDigits += at - from
          if (at < end) state = At.AfterZero
          continue
        }
        case At.AfterZero:
        case At.Fraction:
        case At.Exponent: {
          // Digits, then the number goes on with a fraction or an exponent, or it is complete.
          if (state !== At.AfterZero) while ((CLASS[bytes[at] as number] as number) & DIGIT) if (++at === end) break
          if (at === end) continue
          const c = bytes[at] as number
          if (c === POINT && state === At.AfterZero) {
            at++
            state = At.PointFirst
          } else if ((c | 0x20) === 0x65 && state !== At.Exponent) {
            at++
            this.#exponent = true
            state = At.ExponentFirst
          } else {
            state = this.#finite(bytes, numberStart, at) ? At.AfterValue : At.Failed
          }
          continue
        }
        case At.PointFirst:
        case At.ExponentSign: {
          state = (CLASS[bytes[at] as number] as number) & DIGIT ? (state === At.PointFirst ? At.Fraction : At.Exponent) : At.Failed
          continue
        }
        case At.ExponentFirst: {
          const c = bytes[at] as number
          if (c === PLUS || c === MINUS) {
            at++
            state = At.ExponentSign
          } else {
            state = (CLASS[c] as number) & DIGIT ? At.Exponent : At.Failed
          }
          continue
        }
        case At.Word: {
          const word = this.#word
          let wordAt = this.#wordAt
          while (wordAt < word.length && at < end && bytes[at] === word.charCodeAt(wordAt)) {
            wordAt++
            at++
          }
          this.#wordAt = wordAt
          if (wordAt === word.length) state = At.AfterValue
          else if (at < end) state = At.Failed
          continue
        }
        case At.BeforeList: {
          state = bytes[at++] === OPEN_ARRAY ? At.ListStart : At.Failed
          continue
        }
        case At.ListStart:
        case At.ListNext: {
          const c = bytes[at++] as number
          if (c === OPEN_OBJECT) {
            objects[0] = 1
            open = 1
            state = At.ObjectStart
          } else {
            state = c === CLOSE_ARRAY && state === At.ListStart ? At.AfterList : At.Failed
          }
          continue
        }
        case At.AfterRecord: {
          const c = bytes[at++] as number
          state = c === COMMA ? At.ListNext : c === CLOSE_ARRAY ? At.AfterList : At.Failed
          continue
        }
        case At.AfterList:
          // Only whitespace may follow the list, and it was skipped above.
          state = At.Failed
          continue
        default:
          // Failed: nothing more to read.
          at = end
      }
    }
    if (state >= At.NumberSign && state <= At.Exponent) {
      // A number goes on in the next piece: keep what of it this one holds.
      this.#number += latin1(bytes, numberStart, end)
      if (this.#number.length > MAX_NUMBER_CHARS) state = At.Failed
    }
    this.#state = state
    this.#open = open
    this.#key = key
    this.#count = count
  }

  /** Whether the number that ends at `to` is finite; only a long one or one with an exponent is converted. */
  #finite (bytes: Uint8Array, from: number, to: number): boolean {
    if (!this.#exponent && this.#integerDigits <= SURELY_FINITE_DIGITS) return true
    return Number.isFinite(Number(this.#number + latin1(bytes, from, to)))
  }
}

function latin1 (bytes: Uint8Array, from: number, to: number): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset + from, to - from).toString('latin1')
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
