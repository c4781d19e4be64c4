/**
 * Wildcard matching of text a client sends, in time linear in that text: list `q` values with
 * `*`, and fault-rule path templates with `{param}` and `*`. No regular expression is built from
 * client input, so no pattern can make a match take exponential (or polynomial-in-input) time.
 */

/**
 * `*` stands for any run of characters; everything else is literal; case is ignored. Leftmost
 * greedy placement of the pieces between stars is exact for star-only patterns.
 */
export function starMatcher (pattern: string): (text: string) => boolean {
  const pieces = pattern.toLowerCase().split('*')
  const first = pieces[0] as string
  if (pieces.length === 1) return (text) => text.toLowerCase() === first
  const last = pieces[pieces.length - 1] as string
  const middle = pieces.slice(1, -1).filter((piece) => piece !== '')
  return (raw) => {
    const text = raw.toLowerCase()
    const end = text.length - last.length
    if (end < first.length || !text.startsWith(first) || !text.endsWith(last)) return false
    let at = first.length
    for (const piece of middle) {
      const found = text.indexOf(piece, at)
      if (found < 0 || found + piece.length > end) return false
      at = found + piece.length
    }
    return true
  }
}

const LITERAL = 0
/** One character other than `/`: the first of a `{param}`. */
const SEGMENT_CHAR = 1
/** Any number of characters other than `/`: the rest of a `{param}`. */
const SEGMENT_REST = 2
/** Any number of any characters: `*`. */
const ANYTHING = 3

/**
 * A path template such as `/api/bulk/2.0/customObjects/{parentId}/syncActions/*`: `{name}` is one
 * non-empty segment, `*` any rest (slashes included), the rest literal. Matched by simulating
 * its automaton over the path, so the cost is at most path length × template length.
 */
export class PathPattern {
  readonly #kinds: number[] = []
  readonly #chars: number[] = []
  /** Generation marks for the state sets, so no set is allocated per character. */
  readonly #seen: Int32Array
  #generation = 0

  constructor (template: string) {
    for (let i = 0; i < template.length; i++) {
      const c = template[i] as string
      const close = c === '{' ? template.indexOf('}', i) : -1
      if (c === '*') {
        this.#push(ANYTHING)
      } else if (close > i + 1 && !template.slice(i, close).includes('/')) {
        this.#push(SEGMENT_CHAR)
        this.#push(SEGMENT_REST)
        i = close
      } else {
        this.#push(LITERAL, template.charCodeAt(i))
      }
    }
    this.#seen = new Int32Array(this.#kinds.length + 1)
  }

  matches (path: string): boolean {
    const accept = this.#kinds.length
    let current: number[] = []
    this.#generation += 1
    this.#add(current, 0)
    for (let i = 0; i < path.length && current.length > 0; i++) {
      const c = path.charCodeAt(i)
      const slash = c === 0x2f
      const next: number[] = []
      this.#generation += 1
      for (const state of current) {
        switch (this.#kinds[state]) {
          case LITERAL: if (this.#chars[state] === c) this.#add(next, state + 1); break
          case SEGMENT_CHAR: if (!slash) this.#add(next, state + 1); break
          case SEGMENT_REST: if (!slash) this.#add(next, state); break
          case ANYTHING: this.#add(next, state); break
        }
      }
      current = next
    }
    return current.includes(accept)
  }

  #push (kind: number, char = 0): void {
    this.#kinds.push(kind)
    this.#chars.push(char)
  }

  /** Adds a state and, past any run of repeating states, the ones it may skip to. */
  #add (set: number[], state: number): void {
    let s = state
    while (this.#seen[s] !== this.#generation) {
      this.#seen[s] = this.#generation
      set.push(s)
      const kind = this.#kinds[s]
      if (kind !== SEGMENT_REST && kind !== ANYTHING) return
      s++
    }
  }
}
