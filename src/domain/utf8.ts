/**
 * Whether a body that arrives in pieces is well-formed UTF-8, without joining the pieces: each
 * is checked by Node's own `isUtf8`, except the few bytes of a character that a piece boundary
 * cuts, which are checked together once the rest of the character arrives.
 */
import { isUtf8 } from 'node:buffer'

/** How many bytes the character that `lead` begins takes; 1 for a byte no character begins with (isUtf8 refuses it). */
function sequenceLength (lead: number): number {
  if (lead >= 0xc2 && lead <= 0xdf) return 2
  if (lead >= 0xe0 && lead <= 0xef) return 3
  if (lead >= 0xf0 && lead <= 0xf4) return 4
  return 1
}

const NOTHING = Buffer.alloc(0)

export class Utf8Check {
  #valid = true
  /** The start of a character cut by the end of the last piece (at most 3 bytes), or empty. */
  #cut: Buffer = NOTHING

  push (piece: Uint8Array): void {
    if (!this.#valid || piece.length === 0) return
    let from = 0
    if (this.#cut.length > 0) {
      const missing = sequenceLength(this.#cut[0] as number) - this.#cut.length
      if (piece.length < missing) {
        this.#cut = Buffer.concat([this.#cut, piece])
        return
      }
      if (!isUtf8(Buffer.concat([this.#cut, piece.subarray(0, missing)]))) {
        this.#valid = false
        return
      }
      from = missing
    }
    const to = piece.length - cutAtEnd(piece, from)
    if (!isUtf8(piece.subarray(from, to))) this.#valid = false
    this.#cut = to === piece.length ? NOTHING : Buffer.from(piece.subarray(to))
  }

  /** Whether everything pushed was well-formed UTF-8, with no character left unfinished. */
  end (): boolean {
    return this.#valid && this.#cut.length === 0
  }
}

/**
 * How many bytes at the end of `piece` (after `from`) begin a character the piece does not finish:
 * 0 to 3. Bytes that could never form a character are left in, for isUtf8 to refuse.
 */
function cutAtEnd (piece: Uint8Array, from: number): number {
  const length = piece.length
  for (let back = 1; back <= 3 && length - back >= from; back++) {
    const c = piece[length - back] as number
    // A continuation byte: look further back for the byte that began the character.
    if ((c & 0xc0) === 0x80) continue
    return c >= 0xc0 && sequenceLength(c) > back ? back : 0
  }
  return 0
}
