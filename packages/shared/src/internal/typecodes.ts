/**
 * Python's array/ctypes typecodes and how each maps onto a typed array. `l`/`L` are 32-bit (as
 * on Windows and in the contract), `q`/`Q` hold bigints.
 */
import { ValidationError } from '../errors.js';
import { describeValue } from '../options.js';
import { notIsolated } from './browser-limits.js';

/** A Python typecode. */
export type Typecode = 'b' | 'B' | 'h' | 'H' | 'i' | 'I' | 'l' | 'L' | 'q' | 'Q' | 'f' | 'd';
/** The JavaScript type a typecode holds: `bigint` for `q`/`Q`, `number` otherwise. */
export type TypecodeValue<C extends Typecode> = C extends 'q' | 'Q' ? bigint : number;
/** The typed array a typecode is stored in. */
export type TypecodeArray<C extends Typecode> = C extends 'b'
  ? Int8Array
  : C extends 'B'
    ? Uint8Array
    : C extends 'h'
      ? Int16Array
      : C extends 'H'
        ? Uint16Array
        : C extends 'i' | 'l'
          ? Int32Array
          : C extends 'I' | 'L'
            ? Uint32Array
            : C extends 'q'
              ? BigInt64Array
              : C extends 'Q'
                ? BigUint64Array
                : C extends 'f'
                  ? Float32Array
                  : Float64Array;

type AnyTypedArray =
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array
  | Float32Array
  | Float64Array;

interface Spec {
  readonly make: (sab: SharedArrayBuffer, length: number) => AnyTypedArray;
  readonly bytes: number;
  readonly kind: 'int' | 'bigint' | 'float';
  readonly min: number | bigint;
  readonly max: number | bigint;
}

const int = (
  T: { new (b: SharedArrayBuffer, o: number, l: number): AnyTypedArray },
  bytes: number,
  signed: boolean,
): Spec => ({
  make: (sab, length) => new T(sab, 0, length),
  bytes,
  kind: 'int',
  min: signed ? -(2 ** (bytes * 8 - 1)) : 0,
  max: signed ? 2 ** (bytes * 8 - 1) - 1 : 2 ** (bytes * 8) - 1,
});

const SPECS: Record<Typecode, Spec> = {
  b: int(Int8Array, 1, true),
  B: int(Uint8Array, 1, false),
  h: int(Int16Array, 2, true),
  H: int(Uint16Array, 2, false),
  i: int(Int32Array, 4, true),
  I: int(Uint32Array, 4, false),
  l: int(Int32Array, 4, true),
  L: int(Uint32Array, 4, false),
  q: {
    make: (s, l) => new BigInt64Array(s, 0, l),
    bytes: 8,
    kind: 'bigint',
    min: -(2n ** 63n),
    max: 2n ** 63n - 1n,
  },
  Q: { make: (s, l) => new BigUint64Array(s, 0, l), bytes: 8, kind: 'bigint', min: 0n, max: 2n ** 64n - 1n },
  f: { make: (s, l) => new Float32Array(s, 0, l), bytes: 4, kind: 'float', min: 0, max: 0 },
  d: { make: (s, l) => new Float64Array(s, 0, l), bytes: 8, kind: 'float', min: 0, max: 0 },
};

/** Python's typecodes for characters, which hold no number, and what to use instead. */
const PYTHON_CHAR_HINTS: Record<string, string> = {
  c: ` ('c', Python's one-byte char, is not one: keep bytes in 'B', as new SharedArray('B', Buffer.from('text'))).`,
  u:
    ` ('u', Python's wide char, is not one: keep text in a Manager's Namespace or dict, or its UTF-8 bytes` +
    ` in a SharedArray('B')).`,
};

/**
 * The names a Python or C programmer may give for a typecode: ctypes' (`Value(c_int)` in Python),
 * typed arrays' element types and C's. Each maps to the typecode holding the same numbers here
 * (`long` is 32-bit in 'l', as on Windows and in the contract; `c_bool` holds 0 and 1).
 */
const TYPE_NAME_HINTS = new Map<string, Typecode>(
  (
    [
      ['b', 'c_byte c_int8 int8'],
      ['B', 'c_ubyte c_uint8 uint8 c_bool bool'],
      ['h', 'c_short c_int16 int16 short'],
      ['H', 'c_ushort c_uint16 uint16'],
      ['i', 'c_int c_int32 int32 int'],
      ['I', 'c_uint c_uint32 uint32'],
      ['l', 'c_long long'],
      ['L', 'c_ulong'],
      ['q', 'c_longlong c_int64 int64 bigint'],
      ['Q', 'c_ulonglong c_uint64 uint64'],
      ['f', 'c_float float32'],
      ['d', 'c_double float64 double float number'],
    ] as const
  ).flatMap(([code, names]) => names.split(' ').map((name) => [name, code] as const)),
);

/** The typecode whose items a typed array class holds, by the class's name. */
const TYPED_ARRAY_CODES: Record<string, Typecode> = {
  Int8Array: 'b',
  Uint8Array: 'B',
  Uint8ClampedArray: 'B',
  Int16Array: 'h',
  Uint16Array: 'H',
  Int32Array: 'i',
  Uint32Array: 'I',
  BigInt64Array: 'q',
  BigUint64Array: 'Q',
  Float32Array: 'f',
  Float64Array: 'd',
};

/** A hint for a typed array class given as a typecode: `Int32Array is 'i'`. */
function typedArrayHint(T: { name?: unknown }): string {
  const name =
    typeof T.name === 'string' && Object.hasOwn(TYPED_ARRAY_CODES, T.name) ? T.name : 'Float64Array';
  return `${name} is '${TYPED_ARRAY_CODES[name]}'`;
}

/** Looks up a typecode. @throws {ValidationError} for anything but `b B h H i I l L q Q f d`. */
export function specOf(typecode: unknown): Spec {
  const spec =
    typeof typecode === 'string' && Object.hasOwn(SPECS, typecode) ? SPECS[typecode as Typecode] : undefined;
  if (spec === undefined) {
    const hint =
      typeof typecode === 'function'
        ? ` (a typed array class is not a typecode: ${typedArrayHint(typecode)}).`
        : typeof typecode === 'string' && Object.hasOwn(PYTHON_CHAR_HINTS, typecode)
          ? PYTHON_CHAR_HINTS[typecode]
          : typeof typecode === 'string' && TYPE_NAME_HINTS.has(typecode.toLowerCase())
            ? ` ('${TYPE_NAME_HINTS.get(typecode.toLowerCase())}' holds what '${typecode}' names).`
            : '.';
    throw new ValidationError(
      `Unknown typecode: got ${describeValue(typecode)}; use one of the strings b B h H i I l L q Q f d${hint}`,
    );
  }
  return spec;
}

/** Checks that `value` fits `typecode`. @throws {ValidationError} naming the value and the range. */
export function checkValue(spec: Spec, typecode: string, value: unknown): void {
  if (spec.kind === 'float') {
    // A finite number past float32's range would become Infinity in 'f' (Python's ctypes does
    // that silently; the contract says a value that does not fit throws). ±Infinity and NaN fit.
    if (
      typeof value === 'number' &&
      (spec.bytes === 8 || !Number.isFinite(value) || Number.isFinite(Math.fround(value)))
    )
      return;
  } else if (spec.kind === 'bigint') {
    if (typeof value === 'bigint' && value >= (spec.min as bigint) && value <= (spec.max as bigint)) return;
  } else if (
    Number.isInteger(value) &&
    (value as number) >= (spec.min as number) &&
    (value as number) <= (spec.max as number)
  ) {
    return;
  }
  const want =
    spec.kind === 'float'
      ? spec.bytes === 8
        ? 'a number'
        : 'a number within ±3.4028234663852886e38 (float32), or ±Infinity, or NaN'
      : spec.kind === 'bigint'
        ? `a bigint from ${spec.min}n to ${spec.max}n`
        : `an integer from ${spec.min} to ${spec.max}`;
  throw new ValidationError(`Typecode '${typecode}' holds ${want}; got ${describeValue(value)}.`);
}

/**
 * The error for an Array's second argument that is neither a size nor an iterable object of
 * values: it names the value and the forms taken (a string is iterable, but its characters are not
 * numbers: as Python's `Array('i', 'abc')`, it is refused).
 */
export function notSizeOrValues(given: unknown): ValidationError {
  const hint =
    typeof given === 'string'
      ? /^\s*\d+\s*$/.test(given)
        ? ` For a size of ${given.trim()} pass the number ${given.trim()}.`
        : " A string is not taken as values: for text, keep its bytes (new SharedArray('B', Buffer.from(text)))."
      : typeof given === 'bigint'
        ? ` Give the size as a number: ${given}n is a bigint.`
        : typeof given === 'object' && given !== null
          ? ' A plain object is not iterable: pass Object.values(obj) for its values.'
          : '';
  return new ValidationError(
    `Array needs a size (a whole number of items, such as 10) or its initial values (an array, a typed array or another iterable), got ${describeValue(given)}.${hint}`,
  );
}

/** The most bytes a SharedArrayBuffer may hold (2**53-1, less the rounding to 8). */
const MAX_BYTES = Number.MAX_SAFE_INTEGER - 7;

/**
 * Allocates shared memory for `length` items of `spec`.
 * @throws {ValidationError} when that is above the most a SharedArrayBuffer holds, or when the
 *   memory cannot be had (Node's plain `RangeError` as its cause).
 */
export function allocate(spec: Spec, length: number, typecode: string): SharedArrayBuffer {
  // At least 8 bytes so an empty array still has a distinct buffer; rounded to 8 for alignment.
  const bytes = Math.max(8, Math.ceil((length * spec.bytes) / 8) * 8);
  const what = `An Array of ${length} items of typecode '${typecode}' (${bytes} bytes)`;
  if (!(bytes <= MAX_BYTES)) {
    const most = Math.floor(MAX_BYTES / spec.bytes);
    throw new ValidationError(
      `${what} is above the most shared memory holds: at most ${most} items of '${typecode}' (2**53-1 bytes).`,
    );
  }
  if (typeof SharedArrayBuffer !== 'function') throw notIsolated();
  try {
    return new SharedArrayBuffer(bytes);
  } catch (cause) {
    throw new ValidationError(
      `${what} could not be allocated: this machine cannot give that much shared memory now. Use a smaller size.`,
      { cause },
    );
  }
}
