/**
 * The options of a manager list's `sort()` (list-proxy.ts), read at the call: a key function
 * cannot reach the manager, so it is refused here with what to do instead.
 */
import { unknownOption, ValidationError } from '@multiproc/shared';

/** Options of {@link ListProxy.sort}. Python: `sort(*, key=None, reverse=False)`. */
export interface ListSortOptions {
  /** Largest first (equal items keep their order). @default false */
  reverse?: boolean | undefined;
}

/** `sort()`'s argument as the `reverse` flag: `true`/`false` (the positional form) or the options. */
export function sortReverse(options: unknown): boolean {
  if (options === undefined || typeof options === 'boolean') return options === true;
  if (typeof options === 'object' && options !== null) {
    const { reverse, ...rest } = options as Record<string, unknown>;
    if ('key' in rest) {
      throw new ValidationError(
        'list.sort(): a key function cannot be sent to the manager. Sort a copy instead: ' +
          'const items = await l.copy(); items.sort(compare); await l.clear(); await l.extend(items).',
      );
    }
    const unknown = Object.keys(rest);
    if (unknown.length > 0) throw unknownOption(unknown[0]!, ['reverse'], 'list.sort()');
    if (reverse === undefined || typeof reverse === 'boolean') return reverse === true;
    throw new ValidationError(`list.sort(): reverse must be a boolean, got ${typeof reverse}.`);
  }
  throw new ValidationError(
    `list.sort(): expected { reverse?: boolean } or a boolean, got ${typeof options}.`,
  );
}
