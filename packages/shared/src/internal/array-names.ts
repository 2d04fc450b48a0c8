/**
 * The names a JavaScript Array (or Python's list and `array.array`) has and a shared array has
 * not: `arr.map(f)` was `TypeError: arr.map is not a function`, `arr.size` read `undefined`. Each
 * now throws `ValidationError` saying what to write: the copy `toArray()`, the typed array `view`
 * over the shared memory, `get(i)`, `length`, or, for a name that grows or shrinks an array, that
 * its length is fixed. Read by a dependency (code under `node_modules`) they are absent, as
 * before (see `definePythonNames()`).
 */
import { definePythonNames } from '../python-names.js';

const WHAT = 'A shared array (SharedArray, RawArray) is no JavaScript Array';

// On a typed array too: a copy, or the typed array over the shared memory itself.
const READ = [
  'map',
  'forEach',
  'filter',
  'reduce',
  'reduceRight',
  'some',
  'every',
  'find',
  'findIndex',
  'findLast',
  'findLastIndex',
  'indexOf',
  'lastIndexOf',
  'includes',
  'join',
  'keys',
  'values',
  'entries',
  'toSorted',
  'toReversed',
  'with',
];
// Arrays' only: a copy.
const COPY_ONLY = ['flat', 'flatMap', 'concat', 'toSpliced'];
// Typed arrays' in-place writers: on `view` they write the memory every thread reads.
const IN_PLACE = ['sort', 'reverse', 'fill', 'copyWithin'];
// An array's length changes; a shared array's never does (its memory is allocated once).
const RESIZE = ['push', 'pop', 'shift', 'unshift', 'splice', 'append', 'extend', 'insert', 'remove'];

const read = (name: string) => ({
  message:
    `${WHAT}: it has no ${name}(). Call it on a copy, arr.toArray().${name}(…), or on the typed ` +
    `array over its shared memory, arr.view.${name}(…) (no copy: it reads the items as other ` +
    'threads may be writing them).',
});
const copyOnly = (name: string) => ({
  message: `${WHAT}: it has no ${name}(). Call it on a copy: arr.toArray().${name}(…).`,
});
const inPlace = (name: string) => ({
  message:
    `${WHAT}: it has no ${name}(). arr.view.${name}(…) does it in place, in the shared memory ` +
    `every thread sees (hold the lock meanwhile: await arr.getLock().withLock(() => ` +
    `arr.view.${name}(…))); arr.toArray().${name}(…) does it on a copy.`,
});
const resize = (name: string) => ({
  message:
    `${WHAT}: it has no ${name}(), as its length is fixed (its shared memory is allocated once, ` +
    "as Python's Array's). Store at an index with arr.set(i, value) or arr[i] = value " +
    '(arr.setSlice(start, values) for several; arr.get(-1) reads the last item), make a longer ' +
    'one with new SharedArray(typecode, size), or pass items along with a Queue.',
});

/** Marks `proto` (RawArray's, hence SharedArray's too) with the names above. */
export function defineArrayNames(proto: object): void {
  const names: Record<string, string | { message: string }> = {
    at: { message: `${WHAT}: it has no at(). Write arr.get(i): a negative i counts from the end too.` },
    size: { message: `${WHAT}: it has no size. Its item count is arr.length (Python: len(arr)).` },
    tolist: 'toArray()',
  };
  for (const name of READ) names[name] = read(name);
  for (const name of COPY_ONLY) names[name] = copyOnly(name);
  for (const name of IN_PLACE) names[name] = inPlace(name);
  for (const name of RESIZE) names[name] = resize(name);
  definePythonNames(proto, names);
}
