/**
 * What a call given `undefined` for its task says in JavaScript, where no type check catches a
 * task name that `defineTasks()` never defined (`pool.apply(tasks.sqare, [2])`): the object
 * `defineTasks()` returns notes a read of a name it lacks, until the current turn of the event
 * loop ends, and the call's `ValidationError` names it, the module's tasks and the nearest one.
 * The note changes nothing else: the read still gives `undefined` (so `then` stays undefined and
 * the object can be awaited), and keys, `in`, spreading, JSON and `util.inspect` see the frozen
 * object itself.
 */
import { spellingOf } from '@multiproc/shared';

/** A name read from a `defineTasks()` object that defines no such task. */
interface TaskMiss {
  readonly name: string;
  readonly module: string;
  readonly names: readonly string[];
}

// Per realm, on globalThis: task.ts (which makes the objects) is copied into several bundles.
const MISS_KEY = Symbol.for('multiproc.taskMiss');
const slot = globalThis as { [MISS_KEY]?: TaskMiss | undefined };

/** `refs` (what `defineTasks()` made for `module`), noting each read of a name it lacks. */
export function notingMisses<T extends object>(refs: T, module: string): T {
  return new Proxy(refs, {
    get(target, key, receiver) {
      if (typeof key === 'string' && !(key in target)) {
        const miss: TaskMiss = { name: key, module, names: Object.keys(target) };
        slot[MISS_KEY] = miss;
        // Only a call made in the same turn can be the one given that read's `undefined`.
        queueMicrotask(() => {
          if (slot[MISS_KEY] === miss) slot[MISS_KEY] = undefined;
        });
      }
      return Reflect.get(target, key, receiver);
    },
  });
}

/** What a call given `undefined` as its task says when no read of a missing name was noted. */
export const UNDEFINED_TASK =
  'A task reference read by a name that defineTasks() did not define is undefined: check that the name is in that defineTasks() call.';

/**
 * For the message of a call given `undefined` as its task: the name read just before from a
 * `defineTasks()` object that lacks it, that module's tasks and the nearest name; `undefined`
 * when no such read was noted in this turn.
 */
export function undefinedTaskHint(): string | undefined {
  const miss = slot[MISS_KEY];
  if (miss === undefined) return undefined;
  const file = miss.module.slice(miss.module.lastIndexOf('/') + 1);
  const near = spellingOf(miss.name, miss.names);
  const listed = miss.names.length > 10 ? `${miss.names.slice(0, 10).join(', ')}, …` : miss.names.join(', ');
  return (
    `tasks.${miss.name} is not a task: defineTasks() in ${file} defines ${listed || 'none'}.` +
    (near === undefined
      ? ' Check the name, or add it to that defineTasks() call.'
      : ` Did you mean tasks.${near}?`)
  );
}

/**
 * The message for an options object whose task option `key` (`initializer`) was given explicitly
 * as `undefined` right after a read of a name `defineTasks()` did not define, as in
 * `new Pool({ initializer: tasks.initt })`: that `undefined` is a typo's, not "no initializer".
 * `undefined` when the key is missing, holds something else, or no such read was noted in this
 * turn (an explicit `initializer: undefined` of the program's own stays valid).
 */
export function missedTaskOption(options: unknown, key: string): string | undefined {
  if (typeof options !== 'object' || options === null || !Object.hasOwn(options, key)) return undefined;
  const descriptor = Object.getOwnPropertyDescriptor(options, key);
  if (descriptor === undefined || !('value' in descriptor) || descriptor.value !== undefined)
    return undefined;
  return undefinedTaskHint();
}
