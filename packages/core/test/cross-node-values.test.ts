// Values cross between Node versions (a @multiproc/bullmq client and its workers may run different
// Nodes; Scaling out guide): a newer Node sends classes an older one lacks, SuppressedError and
// Float16Array (Node 24) to Node 20 and 22. fixtures/cross-node/node24.json holds such values as
// Node 24 encodes them (make.mjs); they are decoded here in a Node that lacks those classes
// (without-new-classes.mjs deletes them, as Node 20 and 22 lack them). A rebuilt error keeps its
// name, message, stack and fields; a Float16Array is refused by a named SerializationError. Before,
// `new globalThis.SuppressedError` threw a TypeError that left a bullmq call pending forever.
import { deserialize, serialize } from 'node:v8';
import { ERRORS_AS_VALUES } from '@multiproc/core/internal';
import { decodeValue, encodeValue } from '@multiproc/shared';
import { describe, expect, it } from 'vitest';
import { fixture, runProgram } from './helpers.ts';

const inner = { ctor: 'Error', name: 'Error', message: 'inner', stack: 'Error: inner' };
const sup = { ctor: 'TypeError', name: 'TypeError', message: 'sup', stack: 'TypeError: sup' };
const suppressed = (message: string) => ({
  ctor: 'Error',
  name: 'SuppressedError',
  message,
  stack: `SuppressedError: ${message}`,
  error: inner,
  suppressed: sup,
});
const noFloat16 = (n: number) => ({
  ctor: 'SerializationError',
  name: 'SerializationError',
  message: expect.stringMatching(
    new RegExp(
      `^Received a Float16Array \\(${n} items?\\), but this runtime \\(Node ${process.version}\\) has no Float16Array class`,
    ),
  ),
  stack: expect.any(String),
  path: 'value',
});

describe('values of a newer Node decoded where their classes are missing', () => {
  it('errors come back faithful, a Float16Array as a named SerializationError, nothing throws past the decoder', {
    timeout: 30_000,
  }, async ({ expect }) => {
    const { stdout, stderr, code } = await runProgram('cross-node/decode-missing.mjs', [], {}, 20_000, [
      '--import',
      fixture('cross-node/without-new-classes.mjs'),
    ]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const out = JSON.parse(stdout);
    expect(out.missing).toBe('undefinedundefinedundefined');
    expect(out['value.suppressed']).toEqual(suppressed('as value'));
    expect(out['thrown.suppressed']).toEqual(suppressed('thrown'));
    expect(out['thrown.suppressedCause']).toEqual({
      ctor: 'Error',
      name: 'Error',
      message: 'outer',
      stack: 'Error: outer',
      cause: suppressed('nested'),
    });
    expect(out['thrown.aggregate']).toEqual({
      ctor: 'Error',
      name: 'AggregateError',
      message: 'agg',
      stack: 'AggregateError: agg',
      errors: [{ ctor: 'RangeError', name: 'RangeError', message: 'r', stack: 'RangeError: r' }],
    });
    expect(out['thrown.dom']).toEqual({
      ctor: 'Error',
      name: 'AbortError',
      message: 'gone',
      stack: 'AbortError: gone',
    });
    // A value: the decoder throws (the receiver reports it, as bullmq's pool and worker do).
    expect(out['value.float16']).toEqual({ threw: noFloat16(3) });
    // Thrown, or in a thrown error's cause: the call still fails, with the refusal in its place.
    expect(out['thrown.float16Thrown']).toEqual(noFloat16(1));
    expect(out['thrown.float16Cause']).toMatchObject({
      name: 'Error',
      message: 'outer',
      cause: noFloat16(1),
    });
  });

  it.skipIf(typeof (globalThis as any).Float16Array !== 'function')(
    'a Float16Array (small, big, in an error) still reaches a process of the same Node as itself',
    ({ expect }) => {
      const F16 = (globalThis as any).Float16Array;
      const small = new F16([1.5, -2.25, 65504]);
      const big = new F16(40_000).fill(0.5); // past the size that is copied out of the message
      const value = { small, big, e: new Error('x', { cause: { f: new F16([3]) } }) };
      const sent = encodeValue(value, 'process', 'value', ERRORS_AS_VALUES);
      expect(sent.encoded).toBe(true);
      const back = decodeValue(deserialize(serialize(sent.value)), 'process') as typeof value;
      expect(back.small).toBeInstanceOf(F16);
      expect([...back.small]).toEqual([1.5, -2.25, 65504]);
      expect(back.big).toBeInstanceOf(F16);
      expect(back.big.length).toBe(40_000);
      expect(back.big[39_999]).toBe(0.5);
      expect((back.e.cause as { f: unknown }).f).toEqual(new F16([3]));
    },
  );
});
