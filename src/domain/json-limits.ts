/**
 * Bounds on parsed JSON bodies. V8 parses any nesting depth without trouble, but every later
 * recursive step (describing a value, serializing state, String() of an array) would overflow
 * the stack on a value nested thousands deep, so such bodies are refused where they arrive.
 * Numbers too large for a double (`1e400`) parse as Infinity and would later read as null, so
 * they are refused too. The walk is iterative, allocates nothing per flat record, and stops at
 * the first problem.
 */
const NOT_FINITE = 'Numbers must be finite (at most about 1.8e308).'

/** What is wrong with a parsed JSON value, as a failure constraint; undefined when nothing is. */
export function jsonProblem (value: unknown, maxDepth: number): string | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? undefined : NOT_FINITE
  if (value === null || typeof value !== 'object') return undefined
  // Containers still to look at, each with its depth (the body itself is depth 1).
  const pending: Array<object> = [value]
  const depths: number[] = [1]
  while (pending.length > 0) {
    const container = pending.pop() as Record<string, unknown> | unknown[]
    const depth = depths.pop() as number
    if (depth > maxDepth) return `Must not nest arrays and objects more than ${maxDepth} levels deep.`
    if (Array.isArray(container)) {
      for (let i = 0; i < container.length; i++) if (!visit(container[i], depth)) return NOT_FINITE
    } else {
      for (const key in container) if (!visit((container as Record<string, unknown>)[key], depth)) return NOT_FINITE
    }
  }
  return undefined

  // Queues a child container; false for a number that is not finite.
  function visit (child: unknown, depth: number): boolean {
    if (typeof child === 'object' && child !== null) {
      pending.push(child)
      depths.push(depth + 1)
      return true
    }
    return typeof child !== 'number' || Number.isFinite(child)
  }
}

// Bytes the record-list scan looks for.
const QUOTE = 0x22
const BACKSLASH = 0x5c
const COMMA = 0x2c
const COLON = 0x3a
const OPEN_OBJECT = 0x7b
const CLOSE_OBJECT = 0x7d
const OPEN_ARRAY = 0x5b
const CLOSE_ARRAY = 0x5d
const MINUS = 0x2d
const ZERO = 0x30

/**
 * Digits before the point up to which a number without an exponent is surely finite; longer ones
 * and any with an exponent are converted to be sure.
 */
const SURELY_FINITE_DIGITS = 300

/** 1 for the bytes a string holds as they are: not a quote, a backslash or a control character. */
const PLAIN = new Uint8Array(256).map((_, c) => c >= 0x20 && c !== QUOTE && c !== BACKSLASH ? 1 : 0)

/** The containers open in the record being scanned; the scan is synchronous, so one serves all calls. */
const openContainers = new Uint8Array(1024)

/**
 * How many records a JSON upload holds, read from its bytes without building them: the count
 * when the body is exactly what JSON.parse would read as an array of objects within `maxDepth`
 * and with finite numbers (what jsonProblem and the upload schemas accept), -1 for anything
 * else. The bytes must be UTF-8 already checked: bytes of 0x80 and above are taken as text
 * inside strings. The scan is linear and allocates nothing; a -1 sends the body to JSON.parse,
 * which says precisely what is wrong (or reads a body the scan does not vouch for, such as a
 * single object). Uploads are read this way because parsing them costs several times more CPU
 * and memory, and the records are kept as bytes, never as objects.
 */
export function countRecordList (bytes: Uint8Array, maxDepth: number): number {
  const end = bytes.length
  if (maxDepth < 2 || maxDepth >= openContainers.length) return -1
  let at = skipSpace(bytes, 0, end)
  if (bytes[at] !== OPEN_ARRAY) return -1
  at = skipSpace(bytes, at + 1, end)
  if (bytes[at] === CLOSE_ARRAY) return skipSpace(bytes, at + 1, end) === end ? 0 : -1
  let count = 0
  for (;;) {
    if (bytes[at] !== OPEN_OBJECT) return -1
    at = skipValue(bytes, at, end, maxDepth)
    if (at < 0) return -1
    count++
    at = skipSpace(bytes, at, end)
    if (bytes[at] === COMMA) at = skipSpace(bytes, at + 1, end)
    else if (bytes[at] === CLOSE_ARRAY) return skipSpace(bytes, at + 1, end) === end ? count : -1
    else return -1
  }
}

function skipSpace (bytes: Uint8Array, at: number, end: number): number {
  // Most tokens follow one another directly: one test, no loop.
  if ((bytes[at] as number) > 0x20) return at
  while (at < end) {
    const c = bytes[at]
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break
    at++
  }
  return at
}

/**
 * Past one record (an object at depth 2) starting at `at`: the index after it, or -1. Iterative,
 * with its open containers in `openContainers`, so no input can overflow the stack.
 */
function skipValue (bytes: Uint8Array, at: number, end: number, maxDepth: number): number {
  let open = 0
  for (;;) {
    // At the start of a value.
    let c = bytes[at]
    if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      if (2 + open > maxDepth) return -1
      at = skipSpace(bytes, at + 1, end)
      if (bytes[at] === (c === OPEN_OBJECT ? CLOSE_OBJECT : CLOSE_ARRAY)) {
        at++
      } else {
        openContainers[open++] = c
        if (c === OPEN_OBJECT) at = skipKey(bytes, at, end)
        if (at < 0) return -1
        continue
      }
    } else if (c === QUOTE) at = skipString(bytes, at, end)
    else if (c === MINUS || (c !== undefined && c >= ZERO && c <= ZERO + 9)) at = skipNumber(bytes, at, end)
    else if (c === 0x74) at = skipWord(bytes, at, 'true')
    else if (c === 0x66) at = skipWord(bytes, at, 'false')
    else if (c === 0x6e) at = skipWord(bytes, at, 'null')
    else return -1
    if (at < 0) return -1
    // After a value: close what ends here, then the next value of the container.
    for (;;) {
      if (open === 0) return at
      at = skipSpace(bytes, at, end)
      c = bytes[at]
      const container = openContainers[open - 1]
      if (c === COMMA) {
        at = skipSpace(bytes, at + 1, end)
        if (container === OPEN_OBJECT) at = skipKey(bytes, at, end)
        if (at < 0) return -1
        break
      }
      if (c !== (container === OPEN_OBJECT ? CLOSE_OBJECT : CLOSE_ARRAY)) return -1
      open--
      at++
    }
  }
}

/** Past `"key" :` and the space after it, or -1. */
function skipKey (bytes: Uint8Array, at: number, end: number): number {
  if (bytes[at] !== QUOTE) return -1
  at = skipString(bytes, at, end)
  if (at < 0) return -1
  at = skipSpace(bytes, at, end)
  return bytes[at] === COLON ? skipSpace(bytes, at + 1, end) : -1
}

function skipString (bytes: Uint8Array, at: number, end: number): number {
  at++
  for (;;) {
    // Past the end, bytes[at] is undefined and the loop stops too.
    while (PLAIN[bytes[at] as number] === 1) at++
    if (at >= end) return -1
    const c = bytes[at] as number
    if (c === QUOTE) return at + 1
    if (c === BACKSLASH) {
      const escaped = bytes[at + 1]
      if (escaped === 0x75) {
        if (!isHex(bytes[at + 2]) || !isHex(bytes[at + 3]) || !isHex(bytes[at + 4]) || !isHex(bytes[at + 5])) return -1
        at += 6
      } else if (escaped === QUOTE || escaped === BACKSLASH || escaped === 0x2f || escaped === 0x62 || escaped === 0x66 || escaped === 0x6e || escaped === 0x72 || escaped === 0x74) {
        at += 2
      } else {
        return -1
      }
    } else {
      return -1
    }
  }
}

function isHex (c: number | undefined): boolean {
  if (c === undefined) return false
  const lower = c | 0x20
  return (c >= ZERO && c <= ZERO + 9) || (lower >= 0x61 && lower <= 0x66)
}

function skipDigits (bytes: Uint8Array, at: number, end: number): number {
  while (at < end && (bytes[at] as number) >= ZERO && (bytes[at] as number) <= ZERO + 9) at++
  return at
}

/** Past a number as JSON writes one (`-?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?`) that is finite, or -1. */
function skipNumber (bytes: Uint8Array, at: number, end: number): number {
  const start = at
  if (bytes[at] === MINUS) at++
  const integer = at
  const first = bytes[at]
  if (first === ZERO) at++
  else if (first !== undefined && first > ZERO && first <= ZERO + 9) at = skipDigits(bytes, at + 1, end)
  else return -1
  const integerDigits = at - integer
  if (bytes[at] === 0x2e) {
    const fraction = skipDigits(bytes, at + 1, end)
    if (fraction === at + 1) return -1
    at = fraction
  }
  let exponent = false
  if (bytes[at] === 0x65 || bytes[at] === 0x45) {
    exponent = true
    at++
    if (bytes[at] === 0x2b || bytes[at] === MINUS) at++
    const digits = skipDigits(bytes, at, end)
    if (digits === at) return -1
    at = digits
  }
  if ((exponent || integerDigits > SURELY_FINITE_DIGITS) && !Number.isFinite(Number(Buffer.from(bytes.buffer, bytes.byteOffset + start, at - start).toString('latin1')))) return -1
  return at
}

function skipWord (bytes: Uint8Array, at: number, word: string): number {
  for (let i = 1; i < word.length; i++) if (bytes[at + i] !== word.charCodeAt(i)) return -1
  return at + word.length
}
