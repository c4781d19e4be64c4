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
