/**
 * A cheap guess of how many bytes a value takes once serialized, made before the serializing: the
 * worker keeps a job's lock for that long first (encoding a 64 MiB result blocks the event loop,
 * and with it BullMQ's lock renewals, for a fifth of a second on a quiet machine and seconds on a
 * loaded one). Binary data and strings count in full; a long array is measured on a sample of its
 * items and scaled; the walk stops after {@link NODE_BUDGET} values, so guessing stays far cheaper
 * than the encoding it precedes.
 */

const NODE_BUDGET = 10_000;
/** Items of one array measured before the rest is taken to be like them. */
const ARRAY_SAMPLE = 64;
/** What a number, a boolean or a small object's own overhead takes, about. */
const SMALL = 8;

export function roughSize(value: unknown): number {
  const budget = { left: NODE_BUDGET };
  return measure(value, budget, new Set());
}

function measure(value: unknown, budget: { left: number }, seen: Set<object>): number {
  if (budget.left-- <= 0) return SMALL;
  if (typeof value === 'string') return value.length;
  if (value === null || typeof value !== 'object') return SMALL;
  if (ArrayBuffer.isView(value)) return value.byteLength;
  if (value instanceof ArrayBuffer || value instanceof SharedArrayBuffer) return value.byteLength;
  if (seen.has(value)) return SMALL;
  seen.add(value);
  if (Array.isArray(value)) return sampled(value, value.length, budget, seen);
  if (value instanceof Map) return sampled(first(value.entries()), value.size, budget, seen);
  if (value instanceof Set) return sampled(first(value.values()), value.size, budget, seen);
  let size = SMALL;
  for (const key of Object.keys(value)) {
    size += key.length + measure((value as Record<string, unknown>)[key], budget, seen);
    if (budget.left <= 0) break;
  }
  return size;
}

/** The size of `count` items, measured on up to {@link ARRAY_SAMPLE} of them and scaled. */
function sampled(items: readonly unknown[], count: number, budget: { left: number }, seen: Set<object>) {
  const n = Math.min(items.length, ARRAY_SAMPLE);
  if (n === 0) return SMALL;
  const step = items.length / n;
  let size = 0;
  for (let i = 0; i < n; i++) size += measure(items[Math.floor(i * step)], budget, seen);
  return SMALL + Math.ceil((size / n) * count);
}

function first<T>(items: Iterator<T>): T[] {
  const out: T[] = [];
  for (let next = items.next(); !next.done && out.length < ARRAY_SAMPLE; next = items.next())
    out.push(next.value);
  return out;
}
