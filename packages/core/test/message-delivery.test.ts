import { Pool, SerializationError } from '@multiproc/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
import { tasks } from './fixtures/message-tasks.ts';

// The tests of a context share one pool: messages are routed per call, whatever ran before.
describe.each(matrix(import.meta.url))('sendToCaller() delivery (%s)', (context) => {
  let pool: Pool;
  beforeAll(() => {
    pool = new Pool({ processes: 2, context });
  });
  afterAll(async () => {
    await pool.terminate();
  });

  it('every message a synchronous map item sent has reached onMessage when map resolves', async () => {
    for (let round = 0; round < 20; round++) {
      const got: unknown[] = [];
      const seen = await pool
        .map(tasks.item, [1, 2, 3], { onMessage: (m) => got.push(m) })
        .then(() => got.length);
      expect(seen).toBe(3);
    }
  }, 30_000);

  it('every message of a starmap and a mapAsync has reached onMessage when they resolve', async () => {
    for (let round = 0; round < 10; round++) {
      const star: unknown[] = [];
      const seenStar = await pool
        .starmap(tasks.item, [[1], [2], [3], [4]], { chunksize: 1, onMessage: (m) => star.push(m) })
        .then(() => star.length);
      const viaAsync: unknown[] = [];
      const seenAsync = await pool
        .mapAsync(tasks.item, [1, 2, 3, 4, 5], { chunksize: 2, onMessage: (m) => viaAsync.push(m) })
        .then(() => viaAsync.length);
      expect([seenStar, seenAsync]).toEqual([4, 5]);
    }
  }, 30_000);

  it("imap yields a chunk only after that chunk's messages reached onMessage", async () => {
    const got = new Set<unknown>();
    const late: number[] = [];
    for await (const x of pool.imap(tasks.item, [1, 2, 3, 4, 5, 6, 7, 8], {
      chunksize: 2,
      onMessage: (m) => got.add(m),
    })) {
      if (!got.has(`item ${x}`)) late.push(x);
    }
    expect(late).toEqual([]);
  }, 30_000);

  it('a function or symbol given to sendToCaller() throws SerializationError naming message', async () => {
    const onMessage = () => {};
    const fn = await pool.apply(tasks.unclonable, ['function'], { onMessage });
    const sym = await pool.apply(tasks.unclonable, ['symbol'], { onMessage });
    const nested = await pool.apply(tasks.unclonable, ['nested'], { onMessage });
    expect(fn).toEqual({ name: 'SerializationError', code: 'MP_SERIALIZATION', path: 'message', ours: true });
    expect(sym).toMatchObject({ name: 'SerializationError', path: 'message', ours: true });
    expect(nested).toMatchObject({ name: 'SerializationError', path: 'message.list[1].cb', ours: true });
    const thrown = await pool.apply(tasks.sendFunction, [], { onMessage }).catch((e: unknown) => e);
    expect(thrown).toBeInstanceOf(SerializationError);
    expect((thrown as SerializationError).path).toBe('message');
  }, 15_000);

  // Before, messages went by structured clone: the error lost code and details, ours came back as
  // a plain Error, and the URL arrived as {} (Node 20) or was refused (Node 22+).
  it('sendToCaller() values travel as results do: errors keep their class and own fields, a URL stays one', async () => {
    const got: any[] = [];
    expect(await pool.apply(tasks.sendRich, [], { onMessage: (m) => got.push(m) })).toBe(true);
    const [plain, ours, nested] = got;
    expect(plain).toBeInstanceOf(Error);
    expect([plain.message, plain.code, plain.details]).toEqual(['x', 'E1', { a: 1 }]);
    expect(ours).toBeInstanceOf(SerializationError);
    expect([ours.code, ours.path]).toEqual(['MP_SERIALIZATION', 'message.part']);
    expect(nested.list[0]).toBeInstanceOf(TypeError);
    expect(nested.at).toBeInstanceOf(URL);
    expect(nested.at.href).toBe('https://example.org/m');
  }, 15_000);

  it('sendToCaller() returns true for every message it delivers, also in a burst', async () => {
    const got: unknown[] = [];
    const refused = await pool.apply(tasks.burst, [5000], { onMessage: (m) => got.push(m) });
    expect(refused).toBe(0);
    expect(got.length).toBe(5000);
    expect(new Set(got).size).toBe(5000);
  }, 30_000);
});
