/**
 * The state behind one copy of a `Queue` or `JoinableQueue` (queue.ts holds the public class and
 * its documentation): the copy's handle and whether the copy is closed, what the handle's put and
 * get results mean to the caller (Python's errors, the schema check), and how the copy is encoded
 * for another thread or process.
 */

import {
  addCallerFrames,
  ClosedError,
  type EncodeContext,
  type Encoded,
  type Keeper,
  ProcessError,
  secondsHint,
} from '@multiproc/shared';
import { EOFError, QueueEmptyError, QueueFullError } from '../errors.js';
import type { TimeoutOptions } from '../queue-options.js';
import { closedHere } from './closed-here.js';
import { forget } from './finalize.js';
import { unreachedHome } from './net/os-errors.js';
import { EOF, TIMEOUT } from './protocol/item.js';
import type { QueueData } from './queue-copy.js';
import { queueName } from './queue-name.js';
import { ioTurn } from './ready.js';
import { ReceiveOrder } from './receive-order.js';
import type { GetResult, Handle, PutResult } from './runtime/handle.js';
import { keeperOf } from './runtime/keeper.js';
import { STUCK } from './runtime/waiter.js';
import {
  assertSyncSchema,
  asyncSchemaError,
  checkTimeout,
  type Schema,
  schemaToData,
  validate,
} from './schema.js';
import { fromItem, toItem } from './serialize.js';
import { GET_HEADER } from './wait-stack.js';
import { waitsForever } from './waits-forever.js';

const BLOCK = { block: true };
const DONE: Promise<void> = Promise.resolve();

/** One queue copy's state; `owner` is the public object (its `[queueName]` names it in errors). */
export class QueueState<T> {
  readonly #owner: { readonly [queueName]: string };
  readonly #h: Handle;
  readonly #maxsize: number;
  readonly #schema: Schema<T> | undefined;
  readonly #joinable: boolean;
  #closed = false;
  #joinCancelled = false;
  #closing: Promise<void> | null = null;
  readonly #order = new ReceiveOrder();
  /** Gets that take their place after an ioTurn(): later gets queue behind them (#getEnded). */
  #behind = 0;

  constructor(
    owner: { readonly [queueName]: string },
    h: Handle,
    maxsize: number,
    schema: Schema<T> | null | undefined,
    joinable: boolean,
  ) {
    this.#owner = owner;
    this.#h = h;
    this.#maxsize = maxsize;
    this.#schema = schema ?? undefined;
    this.#joinable = joinable;
  }

  get #name(): string {
    return this.#owner[queueName];
  }

  // This copy never reached its home: this side's own condition (EMFILE), not the home's end.
  #unreached(): Error | null {
    return unreachedHome(this.#h, this.#name);
  }

  /** The error of a wait that ended because this copy was closed meanwhile, or null. */
  closedWhileWaiting(what: string): ClosedError | null {
    return this.#closed ? new ClosedError(`This ${this.#name} was closed while ${what} waited.`) : null;
  }

  /** The handle. @throws {ClosedError} after close(). */
  get handle(): Handle {
    if (this.#closed) throw closedHere(`This ${this.#name}`);
    return this.#h;
  }

  put(value: T, options: TimeoutOptions | undefined): Promise<void> {
    let r: PutResult | Promise<PutResult>;
    let timeout: number | undefined;
    try {
      const h = this.handle;
      timeout = options === undefined ? undefined : checkTimeout(options, `${this.#name}.put()`, BLOCK);
      r = h.put(toItem(value), timeout);
    } catch (err) {
      return Promise.reject(err);
    }
    // The common case (admitted, or on its way) allocates no promise: a put loop is the hot path.
    return r === true ? DONE : this.#putEnded(r, timeout);
  }

  async #putEnded(result: PutResult | Promise<PutResult>, timeout: number | undefined): Promise<void> {
    const r = result instanceof Promise ? await result : result;
    if (r === true) return;
    if (this.#closed) throw new ClosedError(`This ${this.#name} was closed while put() waited.`);
    if (r === EOF)
      throw this.#unreached() ?? new EOFError('Cannot put: the process that owns this queue has exited.');
    if (r === STUCK) throw waitsForever(`${this.#name}.put()`);
    throw new QueueFullError(
      timeout
        ? `The queue stayed full (maxsize ${this.#maxsize}) for ${timeout} ms.${secondsHint(timeout)}`
        : 'The queue is full: use put() without block: false to wait for room.',
    );
  }

  putNowait(value: T): void {
    const r = this.handle.putNowait(toItem(value));
    if (r === EOF)
      throw this.#unreached() ?? new EOFError('Cannot put: the process that owns this queue has exited.');
    if (!r)
      throw new QueueFullError(`The queue is full (maxsize ${this.#maxsize}): use put() to wait for room.`);
  }

  // Not an async method: a get whose item is here already (a consumer working through what it
  // read ahead: the hot path) then costs one settled promise, not an async function's frame too.
  get(options: TimeoutOptions | undefined): Promise<T> {
    let r: GetResult | Promise<GetResult>;
    let timeout: number | undefined;
    try {
      const h = this.handle;
      timeout = options === undefined ? undefined : checkTimeout(options, `${this.#name}.get()`, BLOCK);
      // An earlier get({ block: false }) looks again after an ioTurn(): this get takes its item after.
      if (this.#behind > 0) return this.#getEnded(TIMEOUT, timeout, true);
      r = h.get(timeout);
      if (!(r instanceof Promise) && (r !== TIMEOUT || timeout !== 0))
        return Promise.resolve(this.#value(r, timeout));
    } catch (err) {
      return Promise.reject(err);
    }
    return this.#getEnded(r, timeout);
  }

  // A get that waited: its error gains the frames of the code that awaited it (wait-stack.ts).
  async #getEnded(result: GetResult | Promise<GetResult>, timeout: number | undefined, behind = false) {
    try {
      let r = result instanceof Promise ? await result : result;
      if (behind || (r === TIMEOUT && timeout === 0 && !(result instanceof Promise))) {
        // None at once: once more after the loop read what arrived (a busy get loop makes progress).
        // Gets made meanwhile wait their turn (setImmediate keeps order): none takes an item before.
        this.#behind++;
        let again: GetResult | Promise<GetResult>;
        try {
          await ioTurn();
          again = this.handle.get(behind ? timeout : 0);
        } finally {
          this.#behind--;
        }
        r = again instanceof Promise ? await again : again;
      }
      return this.#value(r, timeout);
    } catch (err) {
      addCallerFrames(err, GET_HEADER, this.#getEnded);
      throw err;
    }
  }

  getNowait(): T {
    assertSyncSchema(this.#schema, `${this.#name}.getNowait()`);
    const value = this.#value(this.handle.getNowait() ?? TIMEOUT, 0, true);
    if (!(value instanceof Promise)) return value;
    // The schema showed an asynchronous step only now, on an item already taken: it is handed over
    // unchecked on the error rather than lost (later calls refuse before taking anything).
    value.catch(() => {});
    const taken = this.#taken;
    this.#taken = undefined;
    throw asyncSchemaError(`${this.#name}.getNowait()`, taken);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    forget(this.#owner);
    this.#closing = this.#h.close();
  }

  async joinThread(): Promise<void> {
    if (!this.#closing) throw new ProcessError('joinThread() is for a closed queue: call close() first.');
    if (!this.#joinCancelled) await this.#closing;
  }

  cancelJoinThread(): void {
    this.#joinCancelled = true;
  }

  /** A copy for another thread or process, of codec type `type`. */
  encode(ctx: EncodeContext, type: () => string): Encoded {
    if (this.#closed) throw closedHere(`Cannot send ${ctx.path}: the queue`);
    return this.#encoded(this.#h, ctx, type);
  }

  /** Copies made later, after this copy may have closed (a pool's initargs). */
  keep(ctx: EncodeContext, type: () => string): Keeper {
    if (this.#closed) throw closedHere(`Cannot send ${ctx.path}: the queue`);
    return keeperOf(this.#h.keep(), (h, c) => this.#encoded(h, c, type));
  }

  #encoded(h: Pick<Handle, 'encode'>, ctx: EncodeContext, type: () => string): Encoded {
    const schema = schemaToData(this.#schema, ctx.path); // first: encoding the handle reserves a copy
    const data: QueueData = { h: h.encode(ctx), maxsize: this.#maxsize, schema };
    return { type: type(), data };
  }

  /** The value getNowait() took, before its check (what an async schema's first one hands over). */
  #taken: unknown;

  #value(r: GetResult, timeout: number | undefined, nowait = false): T | Promise<T> {
    // An earlier get() waits for a load: this one settles after it (receive-order.ts), getNowait() at once.
    if (nowait || !this.#order.busy) return this.#received(r, timeout, nowait);
    return this.#order.addFrom(() => this.#received(r, timeout, false));
  }

  #received(r: GetResult, timeout: number | undefined, nowait: boolean): T | Promise<T> {
    if (r === TIMEOUT) {
      throw new QueueEmptyError(
        timeout
          ? `The queue stayed empty for ${timeout} ms.${secondsHint(timeout)}`
          : 'The queue is empty: use get() to wait for an item.',
      );
    }
    if (r === EOF) {
      if (this.#closed) throw new ClosedError('The queue was closed while waiting.');
      const unreached = this.#unreached();
      if (unreached) throw unreached;
      throw new EOFError(
        this.#h.homeLost?.()
          ? `The ${this.#name} was created in a worker that ended without running its exit hooks (it was ` +
              'terminated, killed or crashed): the items it still held, if any, were never sent and are lost ' +
              "(as with Python's queue of a killed child). Create the queue in the reading process and pass " +
              'it to the worker to keep what the worker put.'
          : 'The process that owns this queue has exited.',
      );
    }
    if (r === STUCK) throw waitsForever(`${this.#name}.get()`);
    // A get() that can wait loads what the value needs first (a task reference's module: Python's
    // unpickling imports it); getNowait() hands the value over as decoded.
    const value = fromItem(r, !nowait);
    if (value instanceof Promise) {
      // A load that fails consumes the item as a refused schema check does (the error is the
      // loader's: ProcessError naming the module).
      const loaded = value.then(
        (v) => this.#checked(v, false),
        (err: unknown) => Promise.reject(this.#refused(err)),
      );
      return this.#order.add(loaded);
    }
    return this.#checked(value, nowait);
  }

  #checked(value: unknown, nowait: boolean): T | Promise<T> {
    if (!this.#schema) return value as T;
    let checked: T | Promise<T>;
    try {
      checked = validate(this.#schema, value, `${this.#name} item`);
    } catch (err) {
      throw this.#refused(err);
    }
    if (!(checked instanceof Promise)) return checked;
    if (nowait)
      this.#taken = value; // handed over on getNowait()'s error: received, its task owed
    else checked = checked.catch((err: unknown) => Promise.reject(this.#refused(err)));
    return checked;
  }

  // An item the schema refused is consumed but never received: a JoinableQueue marks its task done
  // here, so that join() does not wait for a taskDone() its getter has no item to call for.
  #refused(err: unknown): unknown {
    if (this.#joinable) this.#h.taskDone();
    return err;
  }
}
