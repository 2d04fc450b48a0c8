/**
 * The task set of each `defineTasks()` call: the sorted names of the tasks that one call defined,
 * kept for each reference it returned and for the object it returned. A module usually makes one
 * call, and its set is then all of its tasks; a bundle that holds several task modules makes one
 * call per module under one URL, and only the sets tell those modules apart (`@multiproc/bullmq`
 * names and fingerprints a job's tasks by them). A reference that came from elsewhere (through a
 * queue, a pool call's result) is another object: it has no set here.
 */

/** The names of a call's tasks, sorted; one array per call, so its identity names the call. */
export type TaskSet = readonly string[];

// Per realm, on globalThis as task.ts's registry: this package's entries (and a bundle) may each
// hold a copy of this module, and the copy `defineTasks()` writes to must be the one read here.
const sets: WeakMap<object, TaskSet> = ((globalThis as Record<symbol, unknown>)[
  Symbol.for('multiproc.taskSets')
] ??= new WeakMap()) as WeakMap<object, TaskSet>;

// module URL -> task name -> its call's set: a reference decoded here (a pool call's result, a
// queue's item) is another object than the one its call returned, of the same module and name.
const byName: Map<string, Map<string, TaskSet>> = ((globalThis as Record<symbol, unknown>)[
  Symbol.for('multiproc.taskSetsByName')
] ??= new Map()) as Map<string, Map<string, TaskSet>>;

/**
 * Notes `refs` (what one `defineTasks()` call of the module at `url` returned, and `returned`, the
 * object given back).
 */
export function noteTaskSet(url: string, refs: Readonly<Record<string, object>>, returned: object): void {
  const set: TaskSet = Object.freeze(Object.keys(refs).sort());
  for (const ref of Object.values(refs)) sets.set(ref, set);
  sets.set(returned, set);
  let names = byName.get(url);
  if (names === undefined) byName.set(url, (names = new Map()));
  for (const name of set) names.set(name, set);
}

/**
 * The task set of a task reference, or of the object `defineTasks()` returned, made in this thread,
 * or of a reference decoded here whose module's call ran in this thread; undefined for anything else.
 */
export function taskSetOf(value: unknown): TaskSet | undefined {
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null) return undefined;
  const set = sets.get(value);
  if (set !== undefined || typeof value !== 'function') return set;
  const { module, taskName } = value as { module?: unknown; taskName?: unknown };
  return typeof module === 'string' && typeof taskName === 'string'
    ? byName.get(module)?.get(taskName)
    : undefined;
}
