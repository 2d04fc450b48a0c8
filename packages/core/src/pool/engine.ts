/**
 * What one `Pool` runs on: its options checked and resolved, the dispatcher, the tinypool adapter
 * it starts, the admission gate and the caller messages, wired together; and the routing of each
 * call to them, and the stopping of them all. `pool.ts` is the public face (Python's method names,
 * their documentation); this file owns the parts behind it.
 */

import type { EventEmitter } from 'node:events';
import type { TaskSpec } from '../internal/batch.js';
import { assertPermitted } from '../internal/permission.js';
import { type ContextName, parseOptions } from '../options.js';
import { getStartMethod } from '../start-method.js';
import type { TaskRef } from '../task.js';
import { startAdapter } from './adapter-start.js';
import { applyCall } from './apply-call.js';
import { Dispatcher } from './dispatcher.js';
import { type PoolEvents, tell } from './events.js';
import { Gate } from './gate.js';
import { PoolInit } from './init.js';
import type { MapCallPool } from './map-call.js';
import { CallerMessages } from './messages.js';
import {
  type CallOptions,
  type PoolOptions,
  poolOptionsQuick,
  poolOptionsSchema,
  resolvePoolOptions,
} from './options.js';
import type { TinypoolAdapter } from './tinypool.js';
import type { PoolStats } from './types.js';
import type { CallInput } from './util.js';

let poolCounter = 0;

/** The parts of one Pool; `events` is the Pool itself, which emits {@link PoolEvents}. */
export class PoolEngine {
  readonly context: ContextName;
  readonly processes: number;
  readonly gate: Gate;
  readonly #dispatcher: Dispatcher;
  readonly #ready: Promise<TinypoolAdapter>;
  readonly #specs = new WeakMap<TaskRef, TaskSpec>();
  readonly #messages: CallerMessages;

  /** @throws {ValidationError} for bad options, naming the option. */
  constructor(events: EventEmitter<PoolEvents>, options: PoolOptions | null) {
    const opts = parseOptions(poolOptionsSchema, options, 'Pool', poolOptionsQuick);
    const resolved = resolvePoolOptions(opts as PoolOptions);
    this.context = opts.context ?? getStartMethod();
    assertPermitted('a Pool', this.context);
    this.processes = resolved.processes;
    this.#messages = new CallerMessages(this.context === 'thread');
    const poolId = ++poolCounter;
    const init = PoolInit.create(
      (opts.initializer ?? undefined) as TaskRef | undefined,
      opts.initargs,
      this.context,
      poolId,
    );
    this.gate = new Gate(resolved.maxQueue, () => this.#dispatcher.queued);
    this.#dispatcher = new Dispatcher({
      processes: resolved.processes,
      maxTasksPerChild: resolved.maxTasksPerChild,
      init: init?.spec ?? null,
      closedError: () => this.gate.terminatedError(),
      messages: this.context === 'thread' ? this.#messages.name : null,
      messagesSent: (sent) => this.#messages.expect(sent),
      onDrain: () => tell(events, 'drain'),
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
      onBatchStart: () => this.gate.room.wakeOne(),
      onWorkerCreate: (worker) => tell(events, 'workerCreate', worker),
      onWorkerExit: (exit) => {
        if (exit.reason === 'crashed') tell(events, 'crash', exit as PoolEvents['crash'][0]);
        tell(events, 'workerDestroy', exit);
      },
    });
    this.#ready.then(
      (adapter) => this.#dispatcher.attach(adapter),
      // Without its workers' manager the pool can run nothing: no call may wait for it.
      (error) => this.#dispatcher.refuse(error, true),
    );
  }

  /** Counts of workers and tasks right now. */
  stats(): PoolStats {
    const d = this.#dispatcher;
    return { workers: d.workers, busy: d.busy, queued: d.queued, completed: d.completed, failed: d.failed };
  }

  /** Admits a call of an awaited form, then runs it; counted as open for `join()` from now on. */
  admitted(method: string, task: unknown, options: object, input: CallInput, run: () => Promise<unknown>) {
    let started: Promise<unknown>;
    try {
      const room = this.gate.admitting(task, options, method, input);
      started = room ? room.then(run) : run(); // with room: dispatched now, in submission order
    } catch (error) {
      started = Promise.reject(error);
    }
    return this.gate.track(started);
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
    };
  }

  /** `join()` once the gate is closed: every call settled, the workers stopped. */
  async join(): Promise<void> {
    await this.gate.whenSettled();
    await this.#dispatcher.whenIdle();
    const adapter = await this.#ready.catch(() => undefined);
    await adapter?.destroy(this.gate.state === 'closed');
    this.#messages.close();
  }

  /**
   * `terminate()`: closes the gate, fails every pending call and stops the workers at once.
   * `disposed`: called by `[Symbol.asyncDispose]` (the messages then say so), unless terminated before.
   */
  async terminate(disposed = false): Promise<void> {
    if (disposed && this.gate.state !== 'terminated') this.gate.disposed = true;
    this.gate.close('terminated');
    this.#dispatcher.terminate();
    const adapter = await this.#ready.catch(() => undefined);
    await adapter?.destroy();
    this.#messages.close();
  }
}
