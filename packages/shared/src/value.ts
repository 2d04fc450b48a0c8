/**
 * `Value` / `RawValue`: one number (or bigint) in shared memory, typed by a Python typecode.
 *
 * Memory: one SharedArrayBuffer of 8 bytes; the item sits at offset 0. A synchronized `Value`
 * also carries a `Lock` (its own 16-byte buffer, or the lock given as `{ lock }`).
 */

import { refuseStructuredClone } from './clone-guard.js';
import { type EncodeContext, type Encoded, encodeSymbol, registerCodec } from './codec.js';
import { ValidationError } from './errors.js';
import { tooManyArguments } from './internal/arity.js';
import { inspectSymbol, reprContents, showContents } from './internal/inspect.js';
import { assertThreadTarget } from './internal/shared-codec.js';
import {
  allocate,
  checkValue,
  specOf,
  type Typecode,
  type TypecodeArray,
  type TypecodeValue,
} from './internal/typecodes.js';
import { Lock } from './lock.js';
import { readOptions } from './options.js';
import { definePythonNames } from './python-names.js';
import { RLock } from './rlock.js';

export type { Typecode, TypecodeArray, TypecodeValue } from './internal/typecodes.js';

/** Options of `new Value()` and `new SharedArray()`. */
export interface SynchronizedOptions {
  /**
   * The lock to carry: `true` for a new `Lock`, a `Lock`/`RLock` to share one, `false` for the raw
   * form (no `getLock()`).
   * @default true
   */
  lock?: boolean | Lock | RLock | null | undefined;
}

/**
 * The type parameter of the options of every `Value()`/`Array()` factory (this package's, the
 * thread and process contexts'): anything with an optional `lock`. One constraint for all, so a
 * call on a `Context` that may be either kind resolves (TypeScript unites the signatures of a
 * union of functions when their type parameters are the same); each factory's `options`
 * parameter is `O &` its own options type, which checks the `lock` given.
 */
export interface LockChoice {
  /** The lock option as given: each factory's own options type says what it accepts. */
  readonly lock?: unknown;
}

/**
 * What a `Value()`/`Array()` factory returns for options of type `O`: `Raw` for `{ lock: false }`
 * (Python returns the raw object for `lock=False`), `Synced` for `true`, a lock, `null` or no
 * `lock`, and either for a `lock` typed `boolean`.
 */
export type LockedResult<O, Raw, Synced> = O extends RawChoice
  ? Raw
  : O extends LockedChoice | null | undefined
    ? Synced
    : Raw | Synced;

/** Options that ask for the raw form (see {@link LockedResult}). */
export interface RawChoice {
  /** `false`: no lock. */
  readonly lock: false;
}

/** Options that ask for a lock (see {@link LockedResult}). */
export interface LockedChoice {
  /** `true`, `null` or left out: a new lock; an object: that lock. */
  readonly lock?: true | object | null | undefined;
}

const SYNCHRONIZED_KEYS = ['lock'];

/** Resolves the `lock` option of `what`, refusing unknown options. @internal */
export function lockFrom(options: SynchronizedOptions | undefined, what: string): Lock | RLock | undefined {
  // `lock: null` (Python's `lock=None`) is a new lock, as when it is left out.
  const { lock: option } = readOptions(options, SYNCHRONIZED_KEYS, what);
  if (option === undefined || option === true) return new Lock();
  if (option === false) return undefined;
  if (option instanceof Lock || option instanceof RLock) return option;
  throw new ValidationError('The lock option must be true, false, a Lock or an RLock.');
}

let adopting: SharedArrayBuffer | undefined;

/**
 * One typed number in shared memory, without a lock. Mirrors Python's
 * `multiprocessing.RawValue`. Reads and writes of one item are single loads/stores; a
 * read-modify-write such as `+= 1` needs a lock (use {@link Value}).
 * @example
 * const rv = new RawValue('d', 1.5);
 * rv.value *= 2; // 3
 */
export class RawValue<C extends Typecode = Typecode> {
  readonly #typecode: C;
  readonly #view: { [index: number]: TypecodeValue<C> };
  readonly #spec: ReturnType<typeof specOf>;

  /**
   * @param typecode one of `b B h H i I l L q Q f d`.
   * @param value the initial value.
   * @default 0 (or 0n for `q`/`Q`)
   * @throws {ValidationError} for a bad typecode or a value that does not fit it.
   */
  constructor(typecode: C, value?: TypecodeValue<C>) {
    if (arguments.length > 2)
      throw tooManyArguments(
        'new RawValue()',
        arguments.length,
        'a typecode and an optional value',
        "a RawValue has no lock (nor has Python's RawValue a lock argument): use new Value(typecode, value, { lock }) for one with a lock",
      );
    const spec = specOf(typecode);
    this.#typecode = typecode;
    this.#spec = spec;
    refuseStructuredClone(this, 'a RawValue');
    const sab = adopting ?? allocate(spec, 1, typecode);
    this.#view = spec.make(sab, 1) as never;
    if (adopting === undefined && value !== undefined) this.value = value;
  }

  /** The typecode. */
  get typecode(): C {
    return this.#typecode;
  }

  /** The shared value. @throws {ValidationError} on set, for a value that does not fit the typecode. */
  get value(): TypecodeValue<C> {
    return this.#view[0]!;
  }
  /** Writes the value; throws `ValidationError` when it does not fit the typecode. */
  set value(v: TypecodeValue<C>) {
    checkValue(this.#spec, this.#typecode, v);
    this.#view[0] = v;
  }

  /**
   * The value, as `.value` reads it. The process context's and a manager's `Value` read with
   * `await v.get()` (Python's `ValueProxy.get()`), so `await v.get()` works in both contexts, as
   * `SharedArray`'s `get(i)` and `slice()` do.
   * @throws {ValidationError} when given an argument.
   * @example
   * const v = new Value('i', 5);
   * console.log(v.get()); // 5
   */
  get(): TypecodeValue<C> {
    if (arguments.length > 0)
      throw tooManyArguments(`${kindOf(this)}.get()`, arguments.length, 'no argument');
    return this.#view[0]!;
  }

  /**
   * Writes the value, as `.value = x` does (the process context's and a manager's `Value` write
   * with `await v.set(x)`, Python's `ValueProxy.set()`). Like `.value`, it does not take the lock:
   * a read-modify-write needs `getLock()`.
   * @throws {ValidationError} for a value that does not fit the typecode, or not one argument.
   * @example
   * const v = new Value('d', 1.5);
   * v.set(2.5);
   * console.log(v.value); // 2.5
   */
  set(value: TypecodeValue<C>): void {
    if (arguments.length !== 1) {
      const hint = arguments.length === 0 ? 'pass the value to write' : undefined;
      throw tooManyArguments(`${kindOf(this)}.set()`, arguments.length, 'one value', hint);
    }
    this.value = value;
  }

  /** The one-item typed array over the shared memory. */
  get view(): TypecodeArray<C> {
    return this.#view as never;
  }

  /** The value, for `JSON.stringify()` (a bigint is not JSON: `q`/`Q` give its decimal string). */
  toJSON(): number | string {
    const v = this.value;
    return typeof v === 'bigint' ? v.toString() : v;
  }

  /**
   * The typecode and the value, in the style of the primitives' reprs: `<Value('i', 5)>`,
   * `<RawValue('q', 5n)>`. Python: `repr(v)` (`<Synchronized wrapper for c_int(5)>`).
   * @throws Nothing.
   * @example
   * import { Value } from '@multiproc/shared';
   * console.log(String(new Value('i', 5))); // <Value('i', 5)>
   */
  toString(): string {
    return reprContents(this instanceof SynchronizedValue ? 'Value' : 'RawValue', this.#typecode, this.value);
  }

  /**
   * `String(v)`, `` `${v}` `` and `'x' + v` give {@link toString}'s repr. Arithmetic and comparisons
   * that want a number (`v > 3`, `v * 2`, `+v`, `Math.max(v, 1)`) throw instead of reading `NaN`,
   * which would make `while (v < 10)` silently false: Python's `v < 10` raises `TypeError` too.
   * @throws {ValidationError} when a number is wanted, saying to read `.value`.
   * @example
   * const v = new Value('i', 5);
   * console.log(v.value > 3, `${v}`); // true <Value('i', 5)>
   */
  [Symbol.toPrimitive](hint: 'string' | 'number' | 'default'): string {
    if (hint === 'number') {
      const name = kindOf(this);
      throw new ValidationError(
        `A ${name} is not a number: read its value (v.value > 3, v.value * 2), as Python's ` +
          `v.value. Comparing or computing with the ${name} itself would give NaN (Python: TypeError).`,
      );
    }
    return this.toString();
  }

  /** What `console.log()` shows: the typecode and the value, e.g. `Value('i', 5)`. */
  [inspectSymbol](_depth: number, options: unknown, inspect?: (v: unknown, o?: unknown) => string): string {
    const name = this instanceof SynchronizedValue ? 'Value' : 'RawValue';
    return showContents(name, this.#typecode, this.value, options, inspect);
  }

  /** Sends the value to a worker thread; it keeps working there on the same memory. */
  [encodeSymbol](ctx: EncodeContext): Encoded {
    assertThreadTarget(ctx, this instanceof SynchronizedValue ? 'Value' : 'RawValue');
    return {
      type: 'multiproc.RawValue',
      data: { typecode: this.#typecode, sab: (this.view as Int8Array).buffer },
    };
  }
}

/**
 * A typed number in shared memory with a lock. Mirrors Python's `multiprocessing.Value`. Unlike
 * Python, `.value` does not take the lock on each get and set (one aligned load or store is
 * indivisible already, and the hot path stays lock-free); wrap `+= 1` in `getLock()` to make the
 * read-modify-write atomic, as in Python. With `{ lock: false }` the constructor returns a
 * {@link RawValue}.
 * @example
 * const v = new Value('i', 0);
 * v.getLock().acquireSync();
 * v.value += 1;
 * v.getLock().release();
 */
export class SynchronizedValue<C extends Typecode = Typecode> extends RawValue<C> {
  readonly #lock: Lock | RLock;

  /** Use `new Value(typecode, value, { lock })`. @internal */
  constructor(typecode: C, value: TypecodeValue<C> | undefined, lock: Lock | RLock) {
    super(typecode, value);
    this.#lock = lock;
    refuseStructuredClone(this, 'a Value');
  }

  /** The lock that guards this value. Python: `get_lock()`. */
  getLock(): Lock | RLock {
    if (arguments.length > 0) throw tooManyArguments('Value.getLock()', arguments.length, 'no argument');
    return this.#lock;
  }

  /**
   * The value without its lock: a {@link RawValue} over the same shared memory, so a write through
   * either is seen by both. Python: `get_obj()`.
   * @returns a new `RawValue` on each call (each one reads and writes the same memory).
   * @throws Nothing.
   * @example
   * const v = new Value('i', 1);
   * v.getObj().value = 5;
   * console.log(v.value); // 5
   */
  getObj(): RawValue<C> {
    if (arguments.length > 0) throw tooManyArguments('Value.getObj()', arguments.length, 'no argument');
    return adopt((this.view as Int8Array).buffer as SharedArrayBuffer, () => new RawValue(this.typecode));
  }

  /** Sends the value and its lock to a worker thread. */
  override [encodeSymbol](ctx: EncodeContext): Encoded {
    const { data } = super[encodeSymbol](ctx) as { data: object };
    return { type: 'multiproc.Value', data: { ...data, lock: this.#lock } };
  }
}

function kindOf(v: RawValue): string {
  return v instanceof SynchronizedValue ? 'Value' : 'RawValue';
}

definePythonNames(RawValue.prototype, {
  get_obj: 'value',
  get_lock: {
    message:
      'A raw value has no lock (Python: AttributeError): use new Value(typecode, value) for one with a lock, or a separate Lock.',
  },
});
definePythonNames(SynchronizedValue.prototype, { get_lock: 'getLock()', get_obj: 'getObj()' });

/**
 * The constructor of {@link Value}: `{ lock: false }` gives a {@link RawValue}, typed so (see
 * {@link LockedResult}).
 */
export interface ValueConstructor {
  new <C extends Typecode, const O extends LockChoice | undefined = undefined>(
    typecode: C,
    value?: TypecodeValue<C>,
    options?: O & SynchronizedOptions,
  ): LockedResult<O, RawValue<C>, SynchronizedValue<C>>;
  /** The prototype of the values it makes. */
  readonly prototype: SynchronizedValue;
}

/** A value with a lock (see {@link SynchronizedValue}). Mirrors Python's `multiprocessing.Value`. */
export type Value<C extends Typecode = Typecode> = SynchronizedValue<C>;
/**
 * Creates a typed shared number with a lock. Mirrors Python's `multiprocessing.Value`.
 * @throws {ValidationError} for a bad typecode, value or `lock`, or an unknown option (`lok`).
 * @example
 * const v = new Value('i', 0);
 * await v.getLock().withLock(() => { v.value += 1; });
 */
export const Value: ValueConstructor = function Value<C extends Typecode>(
  typecode: C,
  value?: TypecodeValue<C>,
  options?: SynchronizedOptions,
) {
  if (arguments.length > 3)
    throw tooManyArguments(
      'new Value()',
      arguments.length,
      'a typecode, an optional value and optional options ({ lock })',
    );
  const lock = lockFrom(options, 'new Value()');
  return lock === undefined ? new RawValue(typecode, value) : new SynchronizedValue(typecode, value, lock);
} as unknown as ValueConstructor;
// So that `x instanceof Value` holds for every synchronized value.
(Value as unknown as { prototype: unknown }).prototype = SynchronizedValue.prototype;

type ValueData = { typecode: Typecode; sab: SharedArrayBuffer; lock?: Lock | RLock };
function adopt<T>(sab: SharedArrayBuffer, make: () => T): T {
  adopting = sab;
  try {
    return make();
  } finally {
    adopting = undefined;
  }
}
registerCodec('multiproc.RawValue', (d: ValueData) => adopt(d.sab, () => new RawValue(d.typecode)));
registerCodec('multiproc.Value', (d: ValueData) =>
  adopt(d.sab, () => new SynchronizedValue(d.typecode, undefined, d.lock!)),
);
