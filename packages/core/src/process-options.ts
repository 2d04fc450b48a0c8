/**
 * The options of `Process`: their type with each one's documentation, the zod schema that checks
 * them, and the quick check that spares the usual options a load of zod (see `parseOptions`).
 */
import {
  CONTEXT_NAMES,
  type ContextLike,
  type ContextName,
  contextSchema,
  lazySchema,
  optional,
  type QuickCheck,
  taskRefSchema,
} from './options.js';
import { type ArgsOption, isTaskRef, type TaskArgList, type TaskFunction, type TaskRef } from './task.js';

/** Options of {@link Process}. */
export interface ProcessOptions<F extends TaskFunction = TaskFunction> {
  /**
   * The function to run, a task reference from `defineTasks()`. Required: Python's other way, a
   * subclass that overrides `run()`, cannot work here, since a method cannot cross to a worker.
   */
  target: TaskRef<F>;
  /**
   * The target's arguments, type-checked against the target's parameters like a pool call's; sent by
   * structured clone (multiproc objects by the codec protocol). @default []
   */
  args?: TaskArgList<F> | undefined;
  /** A name for logs and `currentProcess().name`; `''` gives the default too (Python: `name or ...`). @default 'Process-N' */
  name?: string | null | undefined;
  /**
   * A daemon is ended when its parent exits, and does not keep the program alive: a child process
   * gets SIGTERM, then SIGKILL after 1 s, as Python's exit function `terminate()`s daemonic
   * children; a thread is ended as `terminate()` ends it. @default false
   */
  daemon?: boolean | null | undefined;
  /** `'thread'` (worker_threads) or `'process'` (child_process.fork), or a context from `getContext()`. @default getStartMethod() */
  context?: ContextName | ContextLike | null | undefined;
}

/**
 * What `new Process()` takes: {@link ProcessOptions} with `args` required when the target has a
 * required parameter (`new Process({ target: tasks.square })` is a type error, as Python's
 * `Process(target=square).start()` fails with `TypeError`).
 */
export type CheckedProcessOptions<F extends TaskFunction = TaskFunction> = ProcessOptions<F> &
  ArgsOption<F, 'args'>;

export const processOptionsSchema = lazySchema((z) =>
  z
    .object({
      target: taskRefSchema(z),
      args: z.array(z.unknown()).optional(),
      name: z.string().optional(),
      daemon: z.boolean().optional(),
      context: contextSchema(z).optional(),
    })
    .strict(),
);

/** The usual Process options, checked without zod (see `parseOptions`). */
export const processOptionsQuick: QuickCheck = {
  target: isTaskRef,
  args: optional(Array.isArray),
  name: optional((v) => typeof v === 'string'),
  daemon: optional((v) => typeof v === 'boolean'),
  context: optional((v) => (CONTEXT_NAMES as readonly unknown[]).includes(v)),
};
