/**
 * How `console.log()` and `util.inspect()` show a Pool, a Process or an AsyncResult: by their
 * state, like Python's reprs (`<Pool state=RUN pool_size=2>`), instead of an empty-looking object
 * or an EventEmitter's internals (their state lives in private fields).
 */

/**
 * Node's `util.inspect.custom`, reached without importing `node:util`, so that importing the
 * package stays as cheap as it is.
 */
export const inspectSymbol: unique symbol = Symbol.for('nodejs.util.inspect.custom') as never;

/** Node's `inspect`, as it passes it to an `[inspectSymbol]` method (the third argument). */
export type Inspect = (value: unknown, options?: unknown) => string;

/** `Name { key: value, ... }`, with Node's `inspect` for the fields when given. */
export function showFields(
  name: string,
  fields: Record<string, unknown>,
  options: unknown,
  inspect: Inspect | undefined,
): string {
  if (inspect) return `${name} ${inspect(fields, options)}`;
  const shown = Object.entries(fields).map(([k, v]) => `${k}: ${typeof v === 'string' ? `'${v}'` : v}`);
  return `${name} { ${shown.join(', ')} }`;
}
