/**
 * A pool call given in the wrong shape (`pool.map(items, task)`, a plain function for the task,
 * the task where the options go, options where the arguments go): a `ValidationError` that says
 * which argument was wrong and shows the call's right shape, instead of "Invalid option 'task'".
 */
import { describeValue, ValidationError } from '@multiproc/shared';
import { isTaskRef } from '../task.js';
import { UNDEFINED_TASK, undefinedTaskHint } from '../task-miss.js';
import { looksLikeFile, taskEntry } from './node-pool-names.js';

/** Each submitting method's call, as a user writes it. */
const SHAPES: Readonly<Record<string, string>> = {
  apply: 'pool.apply(task, [arg1, arg2], { timeout })',
  applyAsync: 'pool.applyAsync(task, [arg1, arg2], { callback })',
  map: 'pool.map(task, items, { chunksize })',
  mapAsync: 'pool.mapAsync(task, items, { callback })',
  starmap: 'pool.starmap(task, [[a, b], [c, d]], { chunksize })',
  starmapAsync: 'pool.starmapAsync(task, [[a, b], [c, d]], { callback })',
  imap: 'pool.imap(task, items, { chunksize })',
  imapUnordered: 'pool.imapUnordered(task, items, { chunksize })',
};

/** How `method` is written, with every argument in its place. */
export const callShape = (method: string): string => SHAPES[method] ?? `pool.${method}(task, ...)`;

/** How a task reference is shown: `the task reference tasks.square`. */
const taskName = (ref: unknown): string => `tasks.${(ref as { name?: string }).name || 'name'}`;

/** Whether `value` is what `defineTasks()` returned (an object of task references), not one of them. */
function isTaskTable(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const values = Object.values(value);
  return values.length > 0 && values.every(isTaskRef);
}

/**
 * The error for a `task` that is not a task reference: the contract's `ValidationError` naming
 * `task`, with what the value looks like it was meant as and the right call.
 * @param second - the call's second argument (its argument list or input).
 */
export function badTask(method: string, task: unknown, second: unknown): ValidationError {
  const shape = callShape(method);
  const start = `Pool.${method}(): task (the first argument) must be a task reference made by defineTasks(import.meta.url, { ... }), got ${describeValue(task)}.`;
  let hint: string;
  if (isTaskRef(second)) {
    const what = method.startsWith('apply') ? 'its argument list' : 'the items';
    hint = `The task comes first, then ${what} (as in Python): write ${shape.replace('task', taskName(second))}.`;
  } else if (typeof task === 'function') {
    const name = /^[A-Za-z_$][\w$]*$/.test(task.name) ? task.name : 'fn';
    hint =
      'A worker cannot receive a function: define it at the top level of a module, ' +
      `export const tasks = defineTasks(import.meta.url, { ${taskEntry(name)} }), and pass tasks.${name}: ` +
      `${shape.replace('task', `tasks.${name}`)}.`;
  } else if (isTaskTable(task)) {
    const first = Object.keys(task)[0]!;
    hint = `That is an object of task references (what defineTasks() returns): pass one of them: ${shape.replace('task', `tasks.${first}`)}.`;
  } else if (typeof task === 'string' && looksLikeFile(task)) {
    // piscina's and tinypool's pools run a file's export; here a call names its task.
    hint =
      'A pool runs task references, not files: in that file write export const tasks = ' +
      'defineTasks(import.meta.url, { work }) (a default export too: { default: work }), import tasks ' +
      `from it and pass one: ${shape.replace('task', 'tasks.work')}.`;
  } else if (typeof task === 'string') {
    const ref = /^[A-Za-z_$][\w$]*$/.test(task) ? `tasks.${task}` : `tasks[${JSON.stringify(task)}]`;
    hint = `A task is passed by reference, not by name: pass ${ref} from defineTasks(): ${shape.replace('task', ref)}.`;
  } else if (task === undefined && (second !== undefined || undefinedTaskHint() !== undefined)) {
    // `pool.map(tasks.sqare, items)`: a name defineTasks() did not define (JavaScript: no type check).
    hint = `${undefinedTaskHint() ?? UNDEFINED_TASK} Write ${shape}.`;
  } else {
    hint = `Write ${shape}.`;
  }
  return new ValidationError(`${start} ${hint}`);
}

/** What to add to "args must be an array": `pool.apply(task, { timeout })` gave options in their place. */
export function argsHint(method: string, args: unknown, optionNames: readonly string[]): string {
  if (isTaskRef(args)) {
    return ` A task reference (${taskName(args)}) goes first: write ${callShape(method)}.`;
  }
  if (looksLikeOptions(args, optionNames)) {
    return ` Options come third, after the argument list (empty for none): write pool.${method}(task, [], ${optionsText(args)}).`;
  }
  return ` Write pool.${method}(task, [arg]), or ${callShape(method)}.`;
}

/** What to add to "the input must be an iterable": options or a task in the input's place. */
export function inputHint(method: string, input: unknown, optionNames: readonly string[]): string {
  if (isTaskRef(input)) {
    return ` A task reference (${taskName(input)}) goes first, the items second: write ${callShape(method)}.`;
  }
  if (looksLikeOptions(input, optionNames)) {
    return ` Options come third, after the items: write ${callShape(method).replace(/\{ \w+ \}/, optionsText(input))}.`;
  }
  if (isPlainObject(input)) {
    // Python's `pool.map(f, d)` iterates a dict's keys; a JavaScript object is not iterable.
    const shape = callShape(method);
    const keys = shape.includes('items') ? `: ${shape.replace('items', 'Object.keys(obj)')}` : '';
    return ` A plain object is not iterable (Python iterates a dict's keys): pass Object.keys(obj), Object.values(obj) or Object.entries(obj)${keys}.`;
  }
  return ` Write ${callShape(method)}.`;
}

function isPlainObject(value: unknown): value is object {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** What to add to "options are an object": a task reference, or a callback, where the options go. */
export function optionsHint(method: string, options: unknown, optionNames: readonly string[]): string {
  if (isTaskRef(options)) {
    return ` That is a task reference (${taskName(options)}): the task comes first, the options third: write ${callShape(method)}.`;
  }
  if (typeof options !== 'function') return '';
  if (optionNames.includes('callback')) {
    return ` To have it called with the result, pass it as an option: pool.${method}(task, ${method.startsWith('apply') ? '[arg]' : 'items'}, { callback: ${options.name || 'fn'} }).`;
  }
  const async =
    method === 'apply' ? 'applyAsync' : method === 'map' || method === 'starmap' ? `${method}Async` : '';
  return async
    ? ` Pool.${method}() takes no callback: await its result, or use ${async}(..., { callback }).`
    : ' It takes no callback: read the results in the loop.';
}

/** Whether `value` is a plain object whose every key is an option of the method (`{ timeout: 100 }`). */
function looksLikeOptions(value: unknown, optionNames: readonly string[]): value is object {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return false;
  const keys = Object.keys(value);
  return keys.length > 0 && keys.every((key) => optionNames.includes(key));
}

/** `{ timeout: 100 }`, for a message (values that are not plain shown by their kind). */
function optionsText(options: object): string {
  const parts = Object.entries(options).map(([key, value]) => {
    const shown = typeof value === 'number' || typeof value === 'boolean' ? String(value) : key;
    return shown === key ? key : `${key}: ${shown}`;
  });
  return `{ ${parts.join(', ')} }`;
}
