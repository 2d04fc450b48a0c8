/**
 * The containers a manager serves: Namespace, Value, Array, Queue, JoinableQueue (the dict in
 * served-dict.ts, the list in served-list.ts). Values live here; a proxy's read returns a copy
 * (mutating it changes nothing here).
 */
import { describeValue, RawArray, RawValue, type Typecode, ValidationError } from '@multiproc/shared';
import { EOFError, QueueEmptyError, QueueFullError } from '../../errors.js';
import { Deque } from '../deque.js';
import { namedEntries } from './items.js';
import { entriesOf } from './referent.js';
import { dispatch, MAY_LEASE, type Served } from './served-sync.js';
import { type Owner, WaitList, type WireTimeout } from './wait-list.js';
import { notExposed } from './wire.js';

/** Serves any object's own methods by name (`BaseManager.register()` factories, collections). */
export class ServedObject implements Served {
  readonly target: object;
  /** What its proxies carry besides the reference (fixed at creation: an Array's length). */
  readonly refFields?: Record<string, unknown>;
  constructor(target: object, refFields?: Record<string, unknown>) {
    this.target = target;
    if (refFields) this.refFields = refFields;
  }
  get referent(): object {
    return this.target;
  }
  invoke(method: string, args: unknown[]): unknown {
    // A lease offer (a dict or Lock proxy's call of tag LEASE) means nothing to a registered object.
    if (args.length > 0 && args[args.length - 1] === MAY_LEASE) args.pop();
    const exposed = this.refFields?.exposed as string[] | undefined;
    if (exposed !== undefined && !exposed.includes(method)) throw notExposed(method, exposed);
    const fn = (this.target as Record<string, unknown>)[method];
    if (
      method === 'constructor' ||
      typeof fn !== 'function' ||
      (exposed === undefined && method.startsWith('_'))
    ) {
      throw new TypeError(`The managed object has no public method '${method}'.`);
    }
    return (fn as (...a: unknown[]) => unknown).apply(this.target, args);
  }
}

function checkName(name: unknown, where: string): string {
  if (typeof name === 'string') return name;
  throw new TypeError(
    `${where}: attribute name must be a string, got ${name === null ? 'null' : typeof name}.`,
  );
}

/** Python's `Namespace`: named attributes. */
export class ManagedNamespace {
  // No prototype: `get('constructor')` or `set('__proto__', v)` are names like any other.
  readonly #o: Record<string, unknown> = Object.create(null);
  constructor(init?: unknown) {
    const where = 'manager.Namespace()';
    const entries = init == null ? [] : (entriesOf(init, where) ?? namedEntries(init));
    if (entries === undefined) {
      throw new ValidationError(
        `${where}: expected a plain object of names and values (Python's Namespace(**attrs)), a Map ` +
          `with string keys, or a Namespace or dict proxy, got ${describeValue(init)}.`,
      );
    }
    for (const [k] of entries) checkName(k, where);
    for (const [k, v] of entries) this.#o[k as string] = v;
  }
  get(name: string): unknown {
    return this.#o[checkName(name, 'Namespace.get()')];
  }
  set(name: string, v: unknown): void {
    this.#o[checkName(name, 'Namespace.set()')] = v;
  }
  delete(name: string): boolean {
    const key = checkName(name, 'Namespace.delete()');
    if (!Object.hasOwn(this.#o, key)) return false;
    return delete this.#o[key];
  }
  copy(): Record<string, unknown> {
    return { ...this.#o };
  }
}

/** Python's `Value(typecode, v)`: the shared package's RawValue checks typecodes and ranges. */
export class ManagedValue {
  readonly #v: RawValue;
  constructor(typecode: Typecode, v?: number | bigint) {
    this.#v = new RawValue(typecode, v as never);
  }
  get(): number | bigint {
    return this.#v.value;
  }
  set(v: number | bigint): void {
    this.#v.value = v as never;
  }
}

/** Python's `Array(typecode, seq)`. */
export class ManagedArray {
  readonly #a: RawArray;
  constructor(typecode: Typecode, init: number | readonly (number | bigint)[]) {
    this.#a = new RawArray(typecode, init as never);
  }
  get(i: number): number | bigint {
    return this.#a.get(i);
  }
  set(i: number, v: number | bigint): void {
    this.#a.set(i, v as never);
  }
  len(): number {
    return this.#a.length;
  }
  copy(): (number | bigint)[] {
    return this.#a.toArray();
  }
  slice(start?: number, end?: number): (number | bigint)[] {
    return this.#a.slice(start, end);
  }
  setSlice(start: number, values: readonly (number | bigint)[]): void {
    if (!Array.isArray(values))
      throw new ValidationError('Array.setSlice(start, values): values must be an array.');
    this.#a.setSlice(start, values as never);
  }
}

const QUEUE_METHODS = new Set(['put', 'get', 'qsize', 'empty', 'full', 'taskDone', 'join']);

/** Python's `queue.Queue` / joinable queue as a manager serves it; waiters leave with their owner. */
export class ServedQueue implements Served {
  readonly #items = new Deque<unknown>();
  readonly #maxsize: number;
  readonly #getters = new WaitList<unknown>();
  readonly #putters = new WaitList<boolean>();
  readonly #joiners = new WaitList<void>();
  #unfinished = 0;
  // The class the user holds ('Queue' or 'JoinableQueue'), for messages.
  readonly #name: string;

  constructor(maxsize = 0, name = 'Queue') {
    this.#maxsize = maxsize;
    this.#name = name;
  }

  invoke(method: string, args: unknown[], owner: Owner): unknown {
    return dispatch(this, QUEUE_METHODS, method, owner, args);
  }

  // Answered at once when there is room, so its answer goes before the next call's (call-start.ts).
  put(owner: Owner, v: unknown, timeoutMs: WireTimeout): void | Promise<void> {
    if (this.#full()) return this.#putWhenRoom(owner, v, timeoutMs);
    this.#add(v);
  }

  async #putWhenRoom(owner: Owner, v: unknown, timeoutMs: WireTimeout): Promise<void> {
    while (this.#full()) {
      if (timeoutMs === 0 || !(await this.#putters.wait(owner, timeoutMs, () => false))) {
        throw new QueueFullError(`The queue is full (maxsize ${this.#maxsize}): use put() to wait for room.`);
      }
    }
    this.#add(v);
  }

  #full(): boolean {
    return this.#maxsize > 0 && this.#items.length >= this.#maxsize;
  }

  #add(v: unknown): void {
    this.#unfinished++;
    if (!this.#getters.wake(v)) this.#items.push(v);
  }

  get(owner: Owner, timeoutMs: WireTimeout): unknown {
    if (this.#items.length > 0) {
      const v = this.#items.shift();
      this.#putters.wake(true);
      return v;
    }
    if (timeoutMs === 0) throw new QueueEmptyError('The queue is empty: use get() to wait for an item.');
    const none = Symbol('timeout');
    return this.#getters
      .wait(owner, timeoutMs, () => none)
      .then((v) => {
        if (v === none) throw new QueueEmptyError(`No item arrived within ${timeoutMs} ms.`);
        return v;
      });
  }

  qsize(_owner: Owner): number {
    return this.#items.length;
  }

  empty(_owner: Owner): boolean {
    return this.#items.length === 0;
  }

  full(_owner: Owner): boolean {
    return this.#full();
  }

  taskDone(_owner: Owner): void {
    if (this.#unfinished === 0)
      throw new ValidationError('taskDone() called more times than there were items.');
    if (--this.#unfinished === 0) this.#joiners.wakeAll(undefined);
  }

  join(owner: Owner): void | Promise<void> {
    if (this.#unfinished === 0) return;
    return this.#joiners.wait(owner, -1, () => undefined);
  }

  abandonWaits(): number {
    const why = (method: string, what: string) =>
      new EOFError(
        `${this.#name}.${method}() would wait forever: no other thread or process uses this manager and ` +
          `nothing else left in the program could ${what}. Start the producer or consumer first ` +
          '(keep its Process alive), or give a timeout.',
      );
    return (
      this.#getters.abandon(why('get', 'put an item')) +
      this.#putters.abandon(why('put', 'take an item')) +
      this.#joiners.abandon(why('join', 'call taskDone()'))
    );
  }

  ownerGone(owner: Owner): void {
    this.#getters.dropOwner(owner);
    this.#putters.dropOwner(owner);
    this.#joiners.dropOwner(owner);
  }
}
