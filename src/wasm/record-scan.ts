// AssemblyScript, compiled to WebAssembly by `npm run wasm` (scripts/record-scan-wasm.ts) into
// src/domain/generated/record-scan-wasm.ts. The record-list scan of src/domain/record-list.ts,
// which says what it vouches for; written here because it reads 2.5 times faster than in
// JavaScript (a byte at a time, eight bytes a step inside strings, no checks on each read).
//
// One scan at a time lives in the module: its fields in globals, its open containers and any
// number carried from an earlier piece in memory. save() and restore() move the fields through
// memory, so the JavaScript side can set a scan aside while another reads.
//
// Memory (3 pages, never grown):
//   [0, 64)          the fields, while saved
//   [64, 1088)       the containers open in the record being read: 1 an object, 0 an array
//   [1088, 1344)     what each byte is to the scan (TEXT, SPACE, DIGIT, HEX)
//   [1344, 1600)     1 for the bytes that may follow a backslash, `u` aside
//   [2048, 73728)    the number being read, when it began in an earlier piece
//   [131072, 196608) the piece being read, copied in by the caller

@external("env", "finite")
declare function finiteNumber (ptr: usize, length: i32): bool

const FIELDS: usize = 0
const OBJECTS: usize = 64
const CLASS: usize = 1088
const SHORT_ESCAPE: usize = 1344
const NUMBER: usize = 2048
/** Where and how much of a piece push() reads. */
export const INPUT: usize = 131072
export const PIECE: i32 = 65536
/** A number longer than this is not vouched for when it spans pieces (JSON.parse reads it). */
const MAX_NUMBER_CHARS: i32 = 4096
/** Digits before the point up to which a number without an exponent is surely finite. */
const SURELY_FINITE_DIGITS: i32 = 300
/** As MAX_SCAN_DEPTH in record-list.ts: the containers table holds this many. */
const MAX_SCAN_DEPTH: i32 = 1023

const QUOTE: u32 = 0x22
const BACKSLASH: u32 = 0x5c
const COMMA: u32 = 0x2c
const COLON: u32 = 0x3a
const OPEN_OBJECT: u32 = 0x7b
const CLOSE_OBJECT: u32 = 0x7d
const OPEN_ARRAY: u32 = 0x5b
const CLOSE_ARRAY: u32 = 0x5d
const MINUS: u32 = 0x2d
const PLUS: u32 = 0x2b
const POINT: u32 = 0x2e
const ZERO: u32 = 0x30
const NINE: u32 = 0x39
/** `},{"` read as one little-endian word: one record ends and the next begins with a key. */
const NEXT_RECORD: u32 = 0x227b2c7d

const TEXT: u32 = 1
const SPACE: u32 = 2
const DIGIT: u32 = 4
const HEX: u32 = 8

// Where the scan is; between pieces it may stop in any of them.
// Between tokens, where whitespace may come: all before IN_STRING.
const BEFORE_LIST = 0
const LIST_START = 1
const LIST_NEXT = 2
const AFTER_RECORD = 3
const AFTER_LIST = 4
const OBJECT_START = 5
const KEY = 6
const COLON_NEXT = 7
const VALUE = 8
const ARRAY_START = 9
const AFTER_VALUE = 10
// Inside a token.
const IN_STRING = 11
const ESCAPE = 12
const UNICODE = 13
const NUMBER_SIGN = 14
const AFTER_ZERO = 15
const INTEGER = 16
const POINT_FIRST = 17
const FRACTION = 18
const EXPONENT_FIRST = 19
const EXPONENT_SIGN = 20
const EXPONENT = 21
const WORD = 22
const FAILED = 23

let maxDepth: i32 = 0
let state: i32 = FAILED
let open: i32 = 0
let count: i32 = 0
/** Whether the string being read is a key (a colon follows) or a value. */
let key: bool = false
/** Hex digits still due in a `\u` escape. */
let hex: i32 = 0
/** Bytes of the number being read kept at NUMBER, its integer digits, and whether it has an exponent. */
let numberLength: i32 = 0
let integerDigits: i32 = 0
let exponent: bool = false
/** The word being read (its first byte: t, f or n) and how much of it has been. */
let word: u32 = 0
let wordAt: i32 = 0

/** Fills the tables; once, before anything else. */
export function setup (): void {
  for (let c: u32 = 0; c < 256; c++) {
    let what: u32 = 0
    if (c >= 0x20 && c != QUOTE && c != BACKSLASH) what |= TEXT
    if (c == 0x20 || c == 0x0a || c == 0x0d || c == 0x09) what |= SPACE
    if (c >= ZERO && c <= NINE) what |= DIGIT | HEX
    if ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x66) what |= HEX
    store<u8>(CLASS + c, what)
    store<u8>(SHORT_ESCAPE + c, c == QUOTE || c == BACKSLASH || c == 0x2f || c == 0x62 || c == 0x66 || c == 0x6e || c == 0x72 || c == 0x74 ? 1 : 0)
  }
}

/** Starts a scan of a body within `depth`. */
export function begin (depth: i32): void {
  maxDepth = depth
  open = 0
  count = 0
  state = depth < 2 || depth > MAX_SCAN_DEPTH ? FAILED : BEFORE_LIST
}

/** The record count once every piece was read, or -1. */
export function end (): i32 {
  return state == AFTER_LIST ? count : -1
}

/** Writes the fields to memory, where the caller keeps them with the containers open and the number carried. */
export function save (): void {
  store<i32>(FIELDS, maxDepth)
  store<i32>(FIELDS, state, 4)
  store<i32>(FIELDS, open, 8)
  store<i32>(FIELDS, count, 12)
  store<i32>(FIELDS, key, 16)
  store<i32>(FIELDS, hex, 20)
  store<i32>(FIELDS, numberLength, 24)
  store<i32>(FIELDS, integerDigits, 28)
  store<i32>(FIELDS, exponent, 32)
  store<u32>(FIELDS, word, 36)
  store<i32>(FIELDS, wordAt, 40)
}

/** Reads back the fields save() wrote. */
export function restore (): void {
  maxDepth = load<i32>(FIELDS)
  state = load<i32>(FIELDS, 4)
  open = load<i32>(FIELDS, 8)
  count = load<i32>(FIELDS, 12)
  key = load<i32>(FIELDS, 16) != 0
  hex = load<i32>(FIELDS, 20)
  numberLength = load<i32>(FIELDS, 24)
  integerDigits = load<i32>(FIELDS, 28)
  exponent = load<i32>(FIELDS, 32) != 0
  word = load<u32>(FIELDS, 36)
  wordAt = load<i32>(FIELDS, 40)
}

// @ts-ignore: decorator
@inline function byteAt (at: usize): u32 { return <u32>load<u8>(at) }
// @ts-ignore: decorator
@inline function classOf (c: u32): u32 { return <u32>load<u8>(CLASS + c) }
// @ts-ignore: decorator
@inline function inObject (open: i32): bool { return load<u8>(OBJECTS + <usize>(open - 1)) == 1 }

/** The byte of the word being read at `i`: true, false, null. */
// @ts-ignore: decorator
@inline function wordByte (first: u32, i: i32): u32 {
  if (first == 0x74) return (0x65757274 >>> (<u32>i << 3)) & 0xff
  if (first == 0x6e) return (0x6c6c756e >>> (<u32>i << 3)) & 0xff
  return i == 4 ? 0x65 : (0x736c6166 >>> (<u32>i << 3)) & 0xff
}

/** Whether the number that ends at `to` is finite; only a long one or one with an exponent is converted (by the caller). */
function finite (from: usize, to: usize): bool {
  if (!exponent && integerDigits <= SURELY_FINITE_DIGITS) return true
  const length = <i32>(to - from)
  if (numberLength == 0) return finiteNumber(from, length)
  memory.copy(NUMBER + <usize>numberLength, from, length)
  return finiteNumber(NUMBER, numberLength + length)
}

/** Reads the next `length` bytes of the body (at most PIECE), which the caller has put at INPUT. */
export function push (length: i32): void {
  const end = INPUT + <usize>length
  let at = INPUT
  let s = state
  let o = open
  let k = key
  let n = count
  // Where the number being read began in this piece (its start when it began in an earlier one).
  let numberStart = INPUT
  while (at < end) {
    if (s < IN_STRING) {
      while (at < end && (classOf(byteAt(at)) & SPACE) != 0) at++
      if (at == end) break
    }
    switch (s) {
      case IN_STRING: {
        // Most of a body is strings, in `"key":"value","key":"value"` runs: read straight on
        // through those, back to the switch for anything else.
        while (at < end) {
          // Eight bytes a step while eight remain: the lowest byte flagged is the first that
          // ends the run (a quote, a backslash or a control character).
          while (at + 8 <= end) {
            const w = load<u64>(at)
            const q = w ^ 0x2222222222222222
            const b = w ^ 0x5c5c5c5c5c5c5c5c
            const hit = (((w - 0x2020202020202020) & ~w) | ((q - 0x0101010101010101) & ~q) | ((b - 0x0101010101010101) & ~b)) & 0x8080808080808080
            if (hit != 0) {
              at += <usize>(ctz(hit) >> 3)
              break
            }
            at += 8
          }
          if (at == end) break
          let c = byteAt(at)
          while ((classOf(c) & TEXT) != 0) {
            if (++at == end) break
            c = byteAt(at)
          }
          // The string goes on in the next piece.
          if (at == end) break
          at++
          if (c != QUOTE) {
            s = c == BACKSLASH ? ESCAPE : FAILED
            break
          }
          if (k) {
            if (at == end || byteAt(at) != COLON) {
              s = COLON_NEXT
              break
            }
            at++
            if (at == end || byteAt(at) != QUOTE) {
              s = VALUE
              break
            }
            at++
            k = false
          } else if (at + 1 < end && byteAt(at) == COMMA && byteAt(at + 1) == QUOTE && inObject(o)) {
            at += 2
            k = true
          } else if (o == 1 && at + 3 < end && load<u32>(at) == NEXT_RECORD) {
            at += 4
            n++
            k = true
          } else {
            s = AFTER_VALUE
            break
          }
        }
        break
      }
      case AFTER_VALUE: {
        const c = byteAt(at++)
        const object = inObject(o)
        if (c == COMMA) {
          if (!object) {
            s = VALUE
          } else if (at < end && byteAt(at) == QUOTE) {
            at++
            k = true
            s = IN_STRING
          } else {
            s = KEY
          }
        } else if (c == (object ? CLOSE_OBJECT : CLOSE_ARRAY)) {
          if (--o == 0) {
            n++
            s = AFTER_RECORD
          }
        } else {
          s = FAILED
        }
        break
      }
      case KEY:
      case OBJECT_START: {
        const c = byteAt(at++)
        if (c == QUOTE) {
          k = true
          s = IN_STRING
        } else if (c == CLOSE_OBJECT && s == OBJECT_START) {
          if (--o == 0) {
            n++
            s = AFTER_RECORD
          } else {
            s = AFTER_VALUE
          }
        } else {
          s = FAILED
        }
        break
      }
      case COLON_NEXT: {
        s = byteAt(at++) == COLON ? VALUE : FAILED
        break
      }
      case ARRAY_START:
      case VALUE: {
        const c = byteAt(at)
        if (c == QUOTE) {
          at++
          k = false
          s = IN_STRING
        } else if ((classOf(c) & DIGIT) != 0 || c == MINUS) {
          numberStart = at
          numberLength = 0
          exponent = false
          integerDigits = 0
          if (c == MINUS) {
            at++
            s = NUMBER_SIGN
          } else {
            s = c == ZERO ? NUMBER_SIGN : INTEGER
          }
        } else if (c == OPEN_OBJECT || c == OPEN_ARRAY) {
          at++
          if (o + 2 > maxDepth) {
            s = FAILED
          } else {
            store<u8>(OBJECTS + <usize>o, c == OPEN_OBJECT ? 1 : 0)
            o++
            s = c == OPEN_OBJECT ? OBJECT_START : ARRAY_START
          }
        } else if (c == 0x74 || c == 0x66 || c == 0x6e) {
          at++
          word = c
          wordAt = 1
          s = WORD
        } else if (c == CLOSE_ARRAY && s == ARRAY_START) {
          at++
          o--
          s = AFTER_VALUE
        } else {
          s = FAILED
        }
        break
      }
      case ESCAPE: {
        const c = byteAt(at++)
        if (c == 0x75) {
          hex = 4
          s = UNICODE
        } else {
          s = load<u8>(SHORT_ESCAPE + c) == 1 ? IN_STRING : FAILED
        }
        break
      }
      case UNICODE: {
        if ((classOf(byteAt(at++)) & HEX) == 0) s = FAILED
        else if (--hex == 0) s = IN_STRING
        break
      }
      case NUMBER_SIGN: {
        // After a minus sign, or at a leading zero.
        const c = byteAt(at)
        if (c == ZERO) {
          at++
          integerDigits = 1
          s = AFTER_ZERO
        } else {
          s = (classOf(c) & DIGIT) != 0 ? INTEGER : FAILED
        }
        break
      }
      case INTEGER: {
        const from = at
        while ((classOf(byteAt(at)) & DIGIT) != 0) if (++at == end) break
        integerDigits += <i32>(at - from)
        if (at < end) s = AFTER_ZERO
        break
      }
      case AFTER_ZERO:
      case FRACTION:
      case EXPONENT: {
        // Digits, then the number goes on with a fraction or an exponent, or it is complete.
        if (s != AFTER_ZERO) while ((classOf(byteAt(at)) & DIGIT) != 0) if (++at == end) break
        if (at == end) break
        const c = byteAt(at)
        if (c == POINT && s == AFTER_ZERO) {
          at++
          s = POINT_FIRST
        } else if ((c | 0x20) == 0x65 && s != EXPONENT) {
          at++
          exponent = true
          s = EXPONENT_FIRST
        } else {
          s = finite(numberStart, at) ? AFTER_VALUE : FAILED
        }
        break
      }
      case POINT_FIRST:
      case EXPONENT_SIGN: {
        s = (classOf(byteAt(at)) & DIGIT) != 0 ? (s == POINT_FIRST ? FRACTION : EXPONENT) : FAILED
        break
      }
      case EXPONENT_FIRST: {
        const c = byteAt(at)
        if (c == PLUS || c == MINUS) {
          at++
          s = EXPONENT_SIGN
        } else {
          s = (classOf(c) & DIGIT) != 0 ? EXPONENT : FAILED
        }
        break
      }
      case WORD: {
        const length = word == 0x66 ? 5 : 4
        while (wordAt < length && at < end && byteAt(at) == wordByte(word, wordAt)) {
          wordAt++
          at++
        }
        if (wordAt == length) s = AFTER_VALUE
        else if (at < end) s = FAILED
        break
      }
      case BEFORE_LIST: {
        s = byteAt(at++) == OPEN_ARRAY ? LIST_START : FAILED
        break
      }
      case LIST_START:
      case LIST_NEXT: {
        const c = byteAt(at++)
        if (c == OPEN_OBJECT) {
          store<u8>(OBJECTS, 1)
          o = 1
          s = OBJECT_START
        } else {
          s = c == CLOSE_ARRAY && s == LIST_START ? AFTER_LIST : FAILED
        }
        break
      }
      case AFTER_RECORD: {
        const c = byteAt(at++)
        s = c == COMMA ? LIST_NEXT : c == CLOSE_ARRAY ? AFTER_LIST : FAILED
        break
      }
      case AFTER_LIST: {
        // Only whitespace may follow the list, and it was skipped above.
        s = FAILED
        break
      }
      default:
        // FAILED: nothing more to read.
        at = end
    }
  }
  if (s >= NUMBER_SIGN && s <= EXPONENT) {
    // A number goes on in the next piece: keep what of it this one holds.
    const length = <i32>(end - numberStart)
    if (numberLength + length > MAX_NUMBER_CHARS) {
      s = FAILED
    } else {
      memory.copy(NUMBER + <usize>numberLength, numberStart, length)
      numberLength += length
    }
  }
  state = s
  open = o
  key = k
  count = n
}
