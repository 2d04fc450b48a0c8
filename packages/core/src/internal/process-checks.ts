/**
 * Checks a `Process` makes before it starts a worker: the target it was given, and that its start
 * message can cross to a child process.
 */
import { describeValue, spellingOf, ValidationError } from '@multiproc/shared';
import { UNDEFINED_TASK, undefinedTaskHint } from '../task-miss.js';
import { refusedAt } from './clone-refusal.js';
import type { StartMessage } from './runner.js';

/** A Process needs a task reference: Python's `run()` override cannot reach a worker. */
export function checkTarget(self: object, options: unknown): void {
  const run = (self as { run?: unknown }).run;
  const target = (options as { target?: unknown } | undefined)?.target;
  if (typeof run === 'function') {
    throw new ValidationError(
      `${self.constructor.name} overrides run(), which cannot run in a worker: a method cannot cross to another thread or process. ` +
        'Move the body of run() into a function registered with defineTasks(import.meta.url, { work }) and pass { target: tasks.work, args } to the Process constructor.',
    );
  }
  if (options === undefined || options === null) {
    throw new ValidationError(
      `new Process() needs its options, got ${describeValue(options)}: options are an object with a target. ` +
        'Register the function with defineTasks(import.meta.url, { work }) and write new Process({ target: tasks.work, args: [...] }).',
    );
  }
  // A bare task (Python's positional target) and any other non-object are left to the options
  // parser, which names the spelling or says options are an object.
  if (target === undefined && typeof options === 'object' && !Array.isArray(options)) {
    // A misspelt target (`tagret`, `Target`) is named, with its right spelling.
    const slip = Object.keys(options).find(
      (key) => key !== 'target' && spellingOf(key, ['target']) === 'target',
    );
    const named =
      slip !== undefined
        ? ` It was given '${slip}': did you mean target?`
        : Object.hasOwn(options, 'target')
          ? ` It was given undefined. ${undefinedTaskHint() ?? UNDEFINED_TASK}`
          : '';
    throw new ValidationError(
      `Invalid option 'target' for Process: a Process needs a target.${named} Register the function with ` +
        'defineTasks(import.meta.url, { work }) and pass { target: tasks.work, args }.',
    );
  }
}

/**
 * The value assigned to a `Process`'s `name` (a string) or `daemon` (a boolean), checked.
 * @throws {ValidationError} for another type (Python: an `AssertionError` for the name).
 */
export function checkedSetting<T extends string | boolean>(what: 'name' | 'daemon', value: T): T {
  if (what === 'name' && typeof value !== 'string') {
    throw new ValidationError(
      `Process name must be a string, got ${describeValue(value)} (Python: name must be a string).`,
    );
  }
  if (what === 'daemon' && typeof value !== 'boolean') {
    throw new ValidationError(`Process daemon must be true or false, got ${describeValue(value)}.`);
  }
  return value;
}

/** @throws {SerializationError} naming the Proxy among `args` (the user's), cause a `DataCloneError`. */
export function assertSerializable(message: StartMessage, args: unknown): void {
  try {
    // node:v8 only when a child process is started (not at import: issue #18).
    process.getBuiltinModule('node:v8').serialize(message);
  } catch (err) {
    throw refusedAt(
      args,
      'args',
      err,
      'Only structured-cloneable values (and multiproc objects) can be sent to a child process.',
    );
  }
}
