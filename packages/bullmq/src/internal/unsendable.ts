/**
 * The errors for a value that cannot travel through Redis, worded as the local pool words them
 * (`@multiproc/core`, `'process'` context): the same class, path and cause, the same first
 * sentence (`Cannot send args[0]: it is a function.`), and core's own advice wherever it also
 * holds across machines. Only where core's advice names something that works on one machine only
 * (a task reference, the `'thread'` context, a Manager, a Pipe) does the advice say what to do
 * instead through Redis, for that kind of value.
 */
import { ContextError, SerializationError } from '@multiproc/core';
import {
  Barrier,
  BoundedSemaphore,
  ByteChannel,
  Condition,
  Event,
  Lock,
  RawArray,
  RawValue,
  RLock,
  refusedPart,
  Semaphore,
  SynchronizedArray,
  SynchronizedValue,
  withArticle,
} from '@multiproc/shared';

/** How a value is named after `it is`, as core's codec names it. */
function describe(value: unknown): string {
  if (typeof value === 'function') return `a function${value.name ? ` (${value.name})` : ''}`;
  if (typeof value === 'symbol') return `a symbol (${String(value.description ?? '')})`;
  return withArticle(className(value) ?? 'object');
}

/**
 * The public name of `value`'s class: the bundler renames a class it must tell apart from another
 * of the same name (ipc's `Connection`, a Pipe end, is `_Connection` at run time).
 */
function className(value: unknown): string | undefined {
  const name = (value as { constructor?: { name?: string } })?.constructor?.name;
  return name ? name.replace(/^_+(?=[A-Z])/, '') : undefined;
}

/** Whether `path` names a task's return value (`result`, `result.a`, `result[3]`), as core tells. */
const isResult = (path: string): boolean => /^result(?:$|[.[])/.test(path);

/** Core's advice for a value structured clone refuses: it holds across machines too. */
const CLONEABLE_ONLY = 'Only structured-cloneable values (and multiproc objects) can be sent.';
const RETURN_CLONEABLE = 'A task can return only structured-cloneable values (and multiproc objects).';

/**
 * A function (a task reference among them), a symbol, a `MessagePort` or a multiproc object that
 * owns a resource of this machine (a `Queue`, a `Pipe` end) at `path`.
 */
export function unsendable(path: string, value: unknown, taskRef = false): SerializationError {
  let hint: string;
  if (taskRef) {
    hint =
      'A task reference cannot travel through Redis to another machine: pass its name and pick ' +
      'the task inside the task function.';
  } else if (typeof value === 'function') {
    hint = isResult(path)
      ? 'A function cannot travel through Redis to another machine: return data (plain values) from ' +
        'the task instead, and call the function inside the task.'
      : 'A function cannot travel through Redis to another machine: pass data (a name, say) and pick ' +
        'the function inside the task instead.';
  } else if (typeof value === 'symbol') {
    hint = isResult(path) ? RETURN_CLONEABLE : CLONEABLE_ONLY;
  } else {
    const what = className(value) ?? 'It';
    const one = what === 'Connection' ? 'A Connection (a Pipe end)' : capitalArticle(what);
    hint =
      `${what === 'MessagePort' ? 'A MessagePort only connects threads of one process' : `${one} only connects processes of one machine`}: ` +
      'it cannot travel through Redis to another machine. Send the values themselves, and return ' +
      "the task's values as its result (imap streams them back one by one).";
  }
  return new SerializationError(path, `Cannot send ${path}: it is ${describe(value)}. ${hint}`);
}

/**
 * v8's serializer refused what the codec let through (a Proxy, which the codec reads like its
 * target, or an engine object such as a generator), sent at `path`: core's message and, as its cause, the `DataCloneError` structured
 * clone throws for `value` (v8's serializer throws a plain `Error` with the same sentence).
 */
export function unclonable(root: string, value: unknown, error: unknown): SerializationError {
  // Named at the Proxy or engine object in it where there is one (`args[0].inner`), in core's words.
  const found = refusedPart(value, root);
  const path = found?.path ?? root;
  const what = found === undefined ? '' : `it is ${found.what}, which structured clone cannot copy: `;
  let cause = error;
  try {
    structuredClone(value);
  } catch (cloneError) {
    if ((cloneError as Error)?.name === 'DataCloneError') cause = cloneError;
  }
  // The platform's sentence ends with its own period ("... could not be cloned.").
  const why = String((cause as Error)?.message ?? cause).replace(/\.+$/, '');
  // Core says no more for a result (its worker's answer), and gives its advice for arguments.
  const hint = isResult(path) ? '' : ` ${CLONEABLE_ONLY}`;
  return new SerializationError(path, `Cannot send ${path}: ${what}${why}.${hint}`, { cause });
}

/** What a kind of shared object is for, which says what to use instead across machines. */
type SharedKind = 'lock' | 'signal' | 'data' | 'bytes';

// Subclasses before their base classes: the first match names the value, as its own encoder names
// it to core (a SynchronizedArray is a SharedArray, a SynchronizedValue a Value).
const SHARED_CLASSES: ReadonlyArray<
  readonly [abstract new (...args: never[]) => object, string, SharedKind]
> = [
  [BoundedSemaphore, 'BoundedSemaphore', 'lock'],
  [Semaphore, 'Semaphore', 'lock'],
  [RLock, 'RLock', 'lock'],
  [Lock, 'Lock', 'lock'],
  [Condition, 'Condition', 'signal'],
  [Event, 'Event', 'signal'],
  [Barrier, 'Barrier', 'signal'],
  [SynchronizedArray, 'SharedArray', 'data'],
  [RawArray, 'RawArray', 'data'],
  [SynchronizedValue, 'Value', 'data'],
  [RawValue, 'RawValue', 'data'],
  [ByteChannel, 'ByteChannel', 'bytes'],
];

/** `a Lock` as the start of a sentence: `A Lock`, `An RLock`. */
const capitalArticle = (name: string) => withArticle(name).replace(/^a/, 'A');

/** What to use instead of a shared object of class `name` when the work is on other machines. */
function sharedAdvice(name: string, kind: SharedKind): string {
  const one = capitalArticle(name);
  switch (kind) {
    case 'lock':
      return (
        `${one} cannot cross machines: to keep workers on several machines apart, take a lock in ` +
        `Redis itself (SET key token NX PX <ms>, or the redlock package); ${withArticle(name)} made ` +
        'inside the task guards only the threads of that worker.'
      );
    case 'signal':
      return (
        `${one} cannot cross machines: coordinate the workers through ` +
        'Redis itself (a key they poll, or pub/sub), or split the work into steps the caller awaits ' +
        '(one pool call per step).'
      );
    case 'data':
      return (
        `${one} cannot cross machines: send a copy of ` +
        `${name.endsWith('Array') ? 'its values (Array.from(array.view))' : 'its value (value.value)'} and ` +
        'return the new values as the result of the task.'
      );
    case 'bytes':
      return (
        'A ByteChannel cannot cross machines: send the bytes themselves (a Uint8Array) and return ' +
        "the task's bytes as its result."
      );
  }
}

/**
 * Shared memory at `path`: a multiproc shared object (a `Lock`, a `SharedArray`) named by its class
 * with what to use across machines, as core names it for a child process; or a `SharedArrayBuffer`
 * or a view of one, whose values can be sent as a copy.
 */
export function sharedMemory(path: string, value: unknown): ContextError | SerializationError {
  // As core says it: a result that cannot come back is a SerializationError naming its path.
  const error = (message: string) =>
    /^result(?:$|[.[])/.test(path) ? new SerializationError(path, message) : new ContextError(message);
  const found = sharedClassOf(value);
  if (found) {
    const [, name, kind] = found;
    return error(
      `Cannot send ${path} (${withArticle(name)}) through Redis to another machine: it lives in ` +
        `shared memory, which only threads of one process can share. ${sharedAdvice(name, kind)}`,
    );
  }
  return error(
    `Cannot send ${path} through Redis to another machine: it is backed by a SharedArrayBuffer, and ` +
      'shared memory cannot cross a process boundary. Send a copy of its values (for example ' +
      'Array.from(view)) instead, and return the new values as the result of the task.',
  );
}

/** The entry of {@link SHARED_CLASSES} `value` is an instance of, if any. */
export function sharedClassOf(value: unknown): (typeof SHARED_CLASSES)[number] | undefined {
  return SHARED_CLASSES.find(([c]) => value instanceof c);
}

/**
 * How many containers may hold an object that is sent, as in the local pool (its codec's limit):
 * a deeper value would overflow the receiving worker's stack as it is rebuilt.
 */
export const MAX_NESTING = 1000;

/**
 * A value nested deeper than {@link MAX_NESTING} levels, met at `path` (thousands of characters
 * long): its error names the part as the program wrote it (a thrown value's fields under `error`,
 * not under the record's `props`) and its message shows the path with each run of one step said
 * once with its count, so that what was left out of the message, and where, is plain.
 */
export function tooDeep(path: string): SerializationError {
  const written = path.replace(/^error((?:\.cause)*)\.(?:props|thrown)(?=[.[]|$)/, 'error$1');
  const what = written.startsWith('error')
    ? 'thrown value'
    : written.startsWith('result')
      ? 'result'
      : 'value';
  const receiver = what === 'value' ? 'worker' : 'pool';
  return new SerializationError(
    written,
    `Cannot send ${shortPath(written)}: the ${what} is nested more than ${MAX_NESTING} levels deep, which ` +
      `the ${receiver} cannot rebuild (its stack would overflow). Flatten it (for example a list of ` +
      'nodes with parent indexes) or send it as a string you parse on the other side.',
  );
}

/**
 * `path` for a message: a step repeated 4 times or more in a row (`.n.n.n…`) is written three
 * times, then `…` and how many times it came in all (`error.n.n.n… (.n 1001 times)`); a path still
 * longer than 160 characters keeps its first and last 60, saying how many steps were left out.
 */
export function shortPath(path: string): string {
  const steps = path.match(/\.[^.[]+|\[[^\]]*\]|^[^.[]+/g) ?? [path];
  let out = '';
  for (let i = 0; i < steps.length; ) {
    let n = 1;
    while (steps[i + n] === steps[i]) n++;
    const step = steps[i]!;
    out += n < 4 ? step.repeat(n) : `${step.repeat(3)}… (${step} ${n} times)`;
    i += n;
  }
  if (out.length <= 160) return out;
  const cut = out.slice(60, -60).match(/\.[^.[]+|\[[^\]]*\]/g)?.length ?? 0;
  return `${out.slice(0, 60)}… (${cut} steps left out) …${out.slice(-60)}`;
}
