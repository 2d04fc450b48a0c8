/**
 * What one `Pool` runs on: its options checked and resolved, the dispatcher, the tinypool adapter
 * it starts, the admission gate and the caller messages, wired together; and the routing of each
 * call to them, and the stopping of them all. `pool.ts` is the public face (Python's method names,
 * their documentation); this file owns the parts behind it.
 */

import type { EventEmitter } from 'node:events';
import { ValidationError } from '@multiproc/shared';
import type { TaskSpec } from '../internal/batch.js';
import { assertPermitted } from '../internal/permission.js';
import { type ContextName, parseOptions } from '../options.js';
import { getStartMethod } from '../start-method.js';
import type { TaskRef } from '../task.js';
import { missedTaskOption } from '../task-miss.js';
import { startAdapter } from './adapter-start.js';
import { applyCall } from './apply-call.js';
import { Dispatcher } from './dispatcher.js';
import { type PoolEvents, tell } from './events.js';
import { Gate } from './gate.js';
import { giveWeight, takeWeight } from './gc-weight.js';
import { PoolInit } from './init.js';
import { ItemKeeps } from './item-keeps.js';
import { whileHeld } from './keep-alive.js';
import { collectAll, type MapCallPool, timeoutMessage } from './map-call.js';
import { CallerMessages } from './messages.js';
import { poolOpened, poolStopped, poolTerminating } from './open-pools.js';
import {
  type CallOptions,
  type MapOptions,
  type PoolOptions,
  poolOptionsQuick,
  poolOptionsSchema,
  resolvePoolOptions,
} from './options.js';
import { checkResourceLimits } from './resource-limits.js';
import { closeUnstarted, inputAtCall } from './stream-input.js';
import type { TinypoolAdapter } from './tinypool.js';
import type { PoolStats } from './types.js';
import { beginCall, type CallInput } from './util.js';

let poolCounter = 0;

/**
 * The parts of one Pool; `owner` is the Pool itself, which emits {@link PoolEvents}. The engine
 * holds it weakly: the workers' handlers reach the engine, and a Pool its program dropped without
 * `close()`/`terminate()` must still be collected, which terminates its workers (`pool.ts`), as
 * Python's `Pool.__del__` does. A pending call keeps its Pool alive (`pool.ts`).
 */
export class PoolEngine {
  readonly context: ContextName;
  readonly processes: number;
  readonly gate: Gate;
  readonly #dispatcher: Dispatcher;
  readonly #ready: Promise<TinypoolAdapter>;
  #closed: () => void = () => {};
  /** Resolves once no worker is starting (`TinypoolAdapter.startWorkers`). */
  #started: () => Promise<void> = () => Promise.resolve();
  /** The workers started at once (`minProcesses`), counted as starting until tinypool has loaded. */
  #loading: number;
  readonly #specs = new WeakMap<TaskRef, TaskSpec>();
  readonly #messages: CallerMessages;
  /** What its workers cost, told to V8 (`gc-weight.ts`); given back once they have stopped. */
  #weight: ArrayBuffer | undefined;

  /** @throws {ValidationError} for bad options, naming the option. */
  constructor(owner: WeakRef<EventEmitter<PoolEvents>>, options: PoolOptions | null) {
    const emit = <K extends keyof PoolEvents>(event: K, ...args: PoolEvents[K]) => {
      const pool = owner.deref();
      if (pool) tell(pool, event, ...args);
    };
    // `initializer: tasks.initt` reads undefined, which is "no initializer" to the schema.
    const missed = missedTaskOption(options, 'initializer');
    if (missed !== undefined) {
      throw new ValidationError(
        `Invalid option 'initializer' for Pool: it was given undefined. ${missed} ` +
          'Write new Pool({ initializer: tasks.name, initargs: [...] }), or leave initializer out for none.',
      );
    }
    const opts = parseOptions(poolOptionsSchema, options, 'Pool', poolOptionsQuick, ['idleTimeout']);
    const resolved = resolvePoolOptions(opts as PoolOptions);
    this.context = opts.context ?? getStartMethod();
    assertPermitted('a Pool', this.context);
    checkResourceLimits(opts.resourceLimits, this.context);
    this.processes = resolved.processes;
    this.#loading = resolved.minProcesses;
    this.#messages = new CallerMessages(this.context === 'thread');
    const poolId = ++poolCounter;
    const init = PoolInit.create(
      (opts.initializer ?? undefined) as TaskRef | undefined,
      opts.initargs,
      this.context,
      poolId,
    );
    // A job a free worker will take (the pool posts it a turn later, or the worker is starting)
    // is not waiting: without this a burst of …Async calls on an idle pool overflowed maxQueue.
    this.gate = new Gate(resolved.maxQueue, () => {
      const free = Math.max(0, this.processes - this.#dispatcher.busy);
      return Math.max(0, this.#dispatcher.queued - free);
    });
    this.#dispatcher = new Dispatcher({
      processes: resolved.processes,
      maxTasksPerChild: resolved.maxTasksPerChild,
      init: init?.spec ?? null,
      closedError: () => this.gate.terminatedError(),
      messages: this.context === 'thread' ? this.#messages.name : null,
      messagesSent: (sent) => this.#messages.expect(sent),
      onDrain: () => emit('drain'),
      onRoom: () => this.gate.room.wakeOne(),
    });
    this.#ready = startAdapter({
      ...resolved,
      context: this.context,
      resourceLimits: opts.resourceLimits,
      poolId,
      init,
      onCallerMessage: (message) => this.#messages.sink.postMessage(message),
      onNoWorkers: (error) => this.#dispatcher.refuse(error),
      onBatchStart: (flight) => {
        this.#dispatcher.started(flight);
        this.gate.room.wakeOne();
      },
      onWorkerCreate: (worker) => emit('workerCreate', worker),
      onWorkerExit: (exit) => {
        if (exit.reason === 'crashed') emit('crash', exit as PoolEvents['crash'][0]);
        emit('workerDestroy', exit);
      },
    });
    // Once the pool is closed and its calls have settled, no worker is started to replace one.
    const closed = new Promise<void>((resolve) => {
      this.#closed = resolve;
    }).then(() => this.gate.whenSettled());
    this.#ready.then(
      (adapter) => {
        this.#loading = 0; // from now on its slots count them
        // What was submitted before the pool was ready goes first: it starts the first workers.
        this.#dispatcher.attach(adapter);
        const idle = closed.then(() => this.#dispatcher.whenIdle());
        this.#started = adapter.startWorkers(this.#dispatcher.startWorkers, idle);
      },
      // Without its workers' manager the pool can run nothing: no call may wait for it.
      (error) => {
        this.#loading = 0;
        this.#dispatcher.refuse(() => error, true);
      },
    );
    this.#weight = takeWeight();
    poolOpened(this);
  }

  /** `close()`: no more calls; those made still run. */
  close(): void {
    this.gate.close('closed');
    this.#closed();
  }

  /** Counts of workers and tasks right now. */
  stats(): PoolStats {
    const d = this.#dispatcher;
    // Until tinypool has loaded (the pool's first async step) the workers started at once are not
    // made yet: they count as starting, as Python's Pool() has started its processes when it returns.
    const coming = this.gate.state === 'terminated' ? 0 : this.#loading;
    const { alive, starting } = d.workers;
    const tasks = { busy: d.busy, queued: d.queued, completed: d.completed, failed: d.failed };
    return { workers: alive + coming, starting: starting + coming, ...tasks };
  }

  /**
   * Admits a call of an awaited form, then runs it (given the ms it waited for room in the queue);
   * counted as open for `join()` from now on; `unrun` is told when it ended before it ran.
   */
  admitted(
    method: string,
    task: TaskRef,
    options: CallOptions,
    input: CallInput,
    run: (waitedMs: number) => Promise<unknown>,
    unrun?: () => void,
  ) {
    let started: Promise<unknown>;
    try {
      const room = this.gate.admitting(task, options, method, input);
      // With room: dispatched now, in submission order. Ended while it waited (`unrun`): never run.
      started = room
        ? this.#untilRoom(room, method, task, options).then(run, (error: unknown) => {
            unrun?.();
            throw error;
          })
        : run(0);
    } catch (error) {
      started = Promise.reject(error);
    }
    return this.gate.track(started);
  }

  /**
   * Waits for room in the queue (`maxQueue`) under the call's signal and timeout, which count from
   * submission as an `apply`'s do: an abort or the deadline ends the wait, and the call with it
   * (it never runs); the room it is then woken for goes to the next call. Resolves with the ms
   * it waited, which its timeout has left less of.
   */
  #untilRoom(room: Promise<void>, method: string, task: TaskRef, options: CallOptions): Promise<number> {
    const submittedAt = performance.now();
    return new Promise((resolve, reject) => {
      let ended = false;
      const { signal, timeout } = options;
      const hold = beginCall(
        { signal, timeout },
        this.#messages,
        (error) => {
          ended = true;
          reject(error);
        },
        false,
        timeoutMessage(method, false, this.spec(task)),
      );
      if (hold.aborted) {
        ended = true;
        reject(hold.aborted);
      }
      room.then(
        () => {
          if (ended) return this.gate.room.wakeOne();
          ended = true;
          hold.dispose();
          resolve(performance.now() - submittedAt);
        },
        (error: unknown) => {
          if (ended) return;
          ended = true;
          hold.dispose();
          reject(error);
        },
      );
    });
  }

  /**
   * Runs one `map`/`starmap` call once admitted. An array's items take their copies of queues and
   * pipe ends now (item-keeps.ts), before any wait for room, as `apply`'s arguments do.
   */
  mapCall(method: string, task: TaskRef, options: MapOptions, input: unknown, star: boolean) {
    // Taken now: the call may wait for room (maxQueue) before it reads its input.
    const iterable = inputAtCall(input);
    const keeps = ItemKeeps.atCall(this.context, iterable);
    const run = (waitedMs: number) =>
      collectAll(this.mapPool(), this.spec(task), iterable, options, star, keeps, waitedMs);
    // Ended while it waited for room: the input it was handed is closed as its stream would have
    // closed it, before the call rejects.
    const call = this.admitted(method, task, options, { iterable }, run, () => closeUnstarted(iterable));
    call.catch(() => keeps.end()); // never run: what it took goes back (a run ends it itself)
    return call;
  }

  /** One spec object per task ref, so a batch's task table dedupes by identity. */
  spec(task: TaskRef): TaskSpec {
    let spec = this.#specs.get(task);
    if (!spec) {
      spec = { module: task.module, taskName: task.taskName };
      this.#specs.set(task, spec);
    }
    return spec;
  }

  /**
   * Runs one `apply` call; `room`: the wait for room in the queue (`Gate.admitting`), after
   * which the call is queued. Its arguments are taken now either way.
   */
  call(task: TaskRef, args: unknown[], options: CallOptions, room?: Promise<void>): Promise<unknown> {
    const pool = { dispatcher: this.#dispatcher, messages: this.#messages, context: this.context };
    return applyCall(pool, this.spec(task), args, options, () => this.gate.room.wakeOne(), room);
  }

  /**
   * `apply`: checks the call and takes its arguments now (the copies of its queues and pipe ends
   * are the call's from this moment, whatever the caller closes next), then waits for room.
   */
  apply(task: TaskRef, args: unknown[], options: CallOptions): Promise<unknown> {
    let room: Promise<void> | undefined;
    try {
      room = this.gate.admitting(task, options, 'apply', { args });
    } catch (error) {
      return this.gate.track(Promise.reject(error));
    }
    return this.gate.track(this.call(task, args, options, room));
  }

  /** What a `map`/`starmap`/`imap` call needs of the pool. */
  mapPool(): MapCallPool {
    return {
      dispatcher: this.#dispatcher,
      messages: this.#messages,
      context: this.context,
      processes: this.processes,
      reading: (readAll) => this.gate.reading(readAll),
      afterTerminate: (error) => this.gate.afterTerminate(error),
    };
  }

  /** Set once `join()` ended or `terminate()` began: the workers are stopped or stopping. */
  #stopped = false;

  /** The Pool was collected (`pool.ts`): its workers are terminated unless they were stopped. */
  dropped(): void {
    if (!this.#stopped) this.terminate().catch(() => {});
  }

  /** `join()` once the gate is closed: every call settled, the workers stopped. */
  async join(): Promise<void> {
    await this.gate.whenSettled();
    // Held: a batch given up (an `imap` left with `break`, a call timed out) still runs to its item's
    // end, and it holds the program no more (`Dispatcher.#checkIdle`): join() waits for it, as Python.
    await whileHeld(this.#dispatcher.whenIdle());
    const adapter = await this.#ready.catch(() => undefined);
    // The workers' initializers (`Dispatcher.startWorkers`), a worker still starting's included, run to their end.
    await whileHeld(this.#dispatcher.whenIdle());
    await whileHeld(this.#started().then(() => this.#dispatcher.whenIdle()));
    await adapter?.destroy(this.gate.state === 'closed');
    this.#stopped = true;
    poolStopped(this);
    this.#messages.close();
    this.#unweigh();
  }

  /**
   * `terminate()`: closes the gate, fails every pending call and stops the workers at once.
   * `disposed`: called by `[Symbol.asyncDispose]` (the messages then say so), unless terminated before.
   */
  terminate(disposed = false): Promise<void> {
    if (disposed && this.gate.state !== 'terminated') this.gate.disposed = true;
    this.#stopped = true;
    const done = this.#stop();
    poolTerminating(this, done);
    // The calls it fails reject once it has resolved (Gate.afterTerminate); set before they do.
    const gate = this.gate;
    gate.terminating = gate.terminating ? Promise.all([gate.terminating, done]).then(() => {}) : done;
    return done;
  }

  async #stop(): Promise<void> {
    this.gate.close('terminated');
    this.#dispatcher.terminate();
    const adapter = await this.#ready.catch(() => undefined);
    if (await adapter?.destroy()) this.#dispatcher.abandon();
    this.#messages.close();
    this.#unweigh();
  }

  #unweigh(): void {
    giveWeight(this.#weight);
    this.#weight = undefined;
  }
}
