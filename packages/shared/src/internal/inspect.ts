/**
 * How `console.log()` and `util.inspect()` show shared objects: by their contents, like
 * `Value('i', 5)`, instead of an empty-looking object (their state lives in private fields).
 */

/** Node's `util.inspect.custom`, reached without importing `node:util` (this package runs in browsers). */
export const inspectSymbol: unique symbol = Symbol.for('nodejs.util.inspect.custom') as never;

type Inspect = (value: unknown, options?: unknown) => string;

/** Formats `Name('typecode', contents)`, with Node's `inspect` for the contents when given. */
export function showContents(
  name: string,
  typecode: string,
  contents: unknown,
  options: unknown,
  inspect: Inspect | undefined,
): string {
  const shown = inspect
    ? inspect(contents, options)
    : JSON.stringify(contents, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v));
  return `${name}('${typecode}', ${shown})`;
}
