/** The codec's depth limit, apart so every module of it can import it without a cycle. */

/**
 * How many containers deep a sent value may nest (arrays, objects, Maps, Sets, errors), counting
 * the value itself as 1. V8's deserializer recurses once per level and overflows the receiver's
 * stack: measured on Node 20/22/24 with default stacks, a main thread (a forked child's too) reads
 * ~1550-1900 levels of plain objects and ~2100-2500 of errors, a worker thread ~6300. Deeper
 * values are refused at the sender, as Python's pickle refuses them with RecursionError (its
 * default recursion limit is also 1000).
 */
export const MAX_NESTING = 1000;
