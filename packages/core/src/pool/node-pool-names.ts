/**
 * What piscina, tinypool and workerpool call the things `Pool` has under other names, so that
 * code moved from them meets an error that says what to write here, not only "unknown option".
 * (Their names were read from their published option types: piscina 5, tinypool 2, workerpool 10.)
 */

/** Options of their pool constructors, and what to write instead in `new Pool()`. */
const POOL_OPTIONS: Readonly<Record<string, string>> = {
  maxThreads: "piscina's and tinypool's maxThreads is processes here: new Pool({ processes: 4 }).",
  minThreads: "piscina's and tinypool's minThreads is minProcesses here.",
  maxWorkers: "workerpool's maxWorkers is processes here: new Pool({ processes: 4 }).",
  minWorkers: "workerpool's minWorkers is minProcesses here.",
  maxQueueSize: "workerpool's maxQueueSize is maxQueue here.",
  runtime: "tinypool's runtime is context here: 'worker_threads' is 'thread', 'child_process' is 'process'.",
  workerType: "workerpool's workerType is context here: 'thread' or 'process'.",
  isolateWorkers: "tinypool's isolateWorkers is maxTasksPerChild: 1 here (a new worker for every task).",
  filename:
    'A pool is not bound to one file here: every call names its task. In that file write ' +
    'export const tasks = defineTasks(import.meta.url, { work }), import tasks from it, and call ' +
    'pool.apply(tasks.work, [arg]).',
  workerData:
    "For data every worker starts with (piscina's and tinypool's workerData), pass an initializer and initargs: " +
    'the initializer keeps them in a module variable for the tasks.',
  concurrentTasksPerWorker:
    "A worker runs one task at a time here (piscina's and tinypool's concurrentTasksPerWorker: 1); for more at once, raise processes.",
  env: "Workers inherit the program's process.env here (no per-pool setting).",
  argv: "Workers inherit the program's process.argv here (no per-pool setting).",
  execArgv: "Workers inherit the program's Node flags here (no per-pool setting).",
  name:
    "piscina's and tinypool's name picks the function of their filename: here each call names its task " +
    '(pool.apply(tasks.fn, [arg])), so one pool runs any function of any module.',
  workerThreadOpts:
    "workerpool's workerThreadOpts are options of their own here: resourceLimits: { ... } directly, and " +
    'for workerData an initializer and initargs.',
  forkArgs: "Workers inherit the program's process.argv here (workerpool's forkArgs; no per-pool setting).",
  forkOpts:
    "Workers inherit the program's process.env, working directory and Node flags here (workerpool's " +
    'forkOpts; no per-pool setting).',
  closeTimeout:
    "piscina's close() waits for running tasks up to closeTimeout; here call close(), then await join(), " +
    'and to bound the wait call terminate() when your own timer fires.',
  onCreateWorker: "Listen to the pool's 'workerCreate' event instead (workerpool's onCreateWorker).",
  onTerminateWorker: "Listen to the pool's 'workerDestroy' event instead (workerpool's onTerminateWorker).",
  maxMemoryLimitBeforeRecycle:
    "tinypool's maxMemoryLimitBeforeRecycle is not provided: cap each worker's heap with resourceLimits: " +
    '{ maxOldGenerationSizeMb } (a task past it fails with WorkerCrashedError), or replace workers ' +
    'with maxTasksPerChild.',
  teardown: "There is no teardown task here (tinypool's teardown): a task that needs one runs it itself.",
  terminateTimeout:
    "terminate() stops every worker at once here (tinypool's terminateTimeout is not needed).",
  workerTerminateTimeout:
    "terminate() stops every worker at once here (workerpool's workerTerminateTimeout is not needed).",
  queueStrategy: "Calls run in the order they were made here (workerpool's queueStrategy 'fifo' only).",
  taskQueue:
    "Calls run in the order they were made here (piscina's taskQueue is not pluggable); maxQueue bounds it.",
  recordTiming:
    "No run or wait time histograms are kept here (piscina's recordTiming): pool.stats() counts workers and tasks.",
  workerHistogram:
    "No histograms are kept here (piscina's workerHistogram): pool.stats() counts workers and tasks.",
  useAtomics: 'There is no useAtomics here: workers wait for work without blocking their event loop.',
  atomics: 'There is no atomics option here: workers wait for work without blocking their event loop.',
  niceIncrement: "Workers run at the program's priority here (piscina's niceIncrement is not provided).",
  emitStdStreams:
    "What workers print goes to the program's stdout and stderr here (workerpool's emitStdStreams).",
};

/** Options of their `run()`/`exec()` calls, and what to write instead in a pool call. */
const CALL_OPTIONS: Readonly<Record<string, string>> = {
  transferList:
    "To move a buffer instead of copying it (piscina's and tinypool's transferList), wrap it in " +
    'move() among the arguments: pool.apply(task, [move(buffer)]).',
  transfer:
    "To move a buffer instead of copying it (workerpool's transfer), wrap it in move() among the " +
    'arguments: pool.apply(task, [move(buffer)]).',
  name: "The task reference names the function (piscina's and tinypool's name): pass tasks.name first.",
  filename: "The task reference names its module (piscina's and tinypool's filename): pass tasks.name first.",
  on: "A task sends with sendToCaller() and the call receives with onMessage (workerpool's on).",
};

/**
 * Members of their pools that `Pool` has under another name or not at all: reading one on a `Pool`
 * throws `ValidationError` with this message (`definePythonNames()`), instead of meeting
 * `TypeError: pool.destroy is not a function`, or `undefined`.
 */
export function poolMembers(): Readonly<Record<string, { readonly message: string }>> {
  // Made when a Pool class is first defined, not at import (issue #18).
  POOL_MEMBERS ??= members();
  return POOL_MEMBERS;
}

let POOL_MEMBERS: Readonly<Record<string, { readonly message: string }>> | undefined;

const members = (): Readonly<Record<string, { readonly message: string }>> => ({
  run: {
    message:
      "piscina's and tinypool's run() is apply() here: await pool.apply(tasks.fn, [arg]), with tasks from " +
      'defineTasks() in the worker file; map() runs many items.',
  },
  exec: {
    message:
      "workerpool's exec('fn', [a, b]) is apply() here: await pool.apply(tasks.fn, [a, b]), with tasks from " +
      'defineTasks() in the worker file; map() runs many items.',
  },
  destroy: {
    message:
      "piscina's and tinypool's destroy() is terminate() here: await pool.terminate(). To let queued work " +
      'finish first: pool.close(); await pool.join().',
  },
  threads: {
    message: "piscina's and tinypool's threads: the number of workers is pool.stats().workers here.",
  },
  queueSize: { message: "piscina's and tinypool's queueSize is pool.stats().queued here." },
  completed: { message: "piscina's and tinypool's completed is pool.stats().completed here." },
  needsDrain: {
    message:
      'There is no needsDrain here: past maxQueue, applyAsync() throws QueueFullError at once (pause then), ' +
      'and apply() waits for room; the guide From piscina, tinypool or workerpool shows the pattern.',
  },
  proxy: {
    message:
      "workerpool's proxy() is not needed here: import tasks from the worker file (defineTasks()) and call " +
      'pool.apply(tasks.fn, [a, b]), typed.',
  },
  cancelPendingTasks: {
    message:
      "tinypool's cancelPendingTasks() is not provided: pass each call a signal and abort it, or " +
      'await pool.terminate() to reject every pending call.',
  },
  recycleWorkers: {
    message:
      "tinypool's recycleWorkers() is not provided: maxTasksPerChild replaces a worker after that many tasks.",
  },
  maxThreads: {
    message: "piscina's and tinypool's maxThreads is pool.processes here (the number of workers).",
  },
  minThreads: {
    message:
      "piscina's and tinypool's minThreads is the minProcesses option here; pool.stats().workers counts the workers alive.",
  },
  options: {
    message:
      "piscina's and tinypool's options are read one by one here: pool.processes, and pool.stats() for the counts.",
  },
  taskQueue: { message: "workerpool's taskQueue: the number of calls waiting is pool.stats().queued here." },
  ...Object.fromEntries(
    ['utilization', 'duration', 'waitTime', 'runTime', 'histogram'].map((name) => [
      name,
      {
        message:
          `piscina's ${name} is not kept here: pool.stats() counts workers and tasks (busy, queued, completed, ` +
          'failed); to time a task, time its call (performance.now() around await pool.apply(...)).',
      },
    ]),
  ),
});

/** The hint for an option of another Node pool given to `new Pool()`, or `''`. */
export function nodePoolOptionHint(key: string): string {
  return Object.hasOwn(POOL_OPTIONS, key) ? POOL_OPTIONS[key]! : '';
}

/** The hint for an option of another Node pool's `run()`/`exec()` given to a pool call, or `''`. */
export function nodeCallOptionHint(key: string): string {
  return Object.hasOwn(CALL_OPTIONS, key) ? CALL_OPTIONS[key]! : '';
}

// The words a property shorthand (`{ default }`) cannot be: `export default function () {}` is
// named `default`, the name a function moved from a piscina worker file most often has.
const reserved = (): Set<string> =>
  new Set(
    (
      'break case catch class const continue debugger default delete do else enum export extends false ' +
      'finally for function if import in instanceof new null return super switch this throw true try ' +
      'typeof var void while with'
    ).split(' '),
  );
let RESERVED: Set<string> | undefined;

/**
 * How a function named `name` is written in `defineTasks(url, { ... })` in a message: `square`
 * (shorthand), or `default: yourFunction` when the name is a reserved word, which a shorthand
 * cannot be.
 */
export function taskEntry(name: string): string {
  RESERVED ??= reserved();
  return RESERVED.has(name) ? `${name}: yourFunction` : name;
}

/** Whether a string given as a task looks like a file (piscina's `filename`), not a task's name. */
export function looksLikeFile(value: string): boolean {
  return /[\\/]|^file:|\.[cm]?[jt]sx?$/.test(value);
}
