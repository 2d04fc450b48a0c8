/**
 * One table of cases for both pools: each case runs against the local `Pool` of `@multiproc/core`
 * and against the BullMQ `Pool`, and must observe the same thing on both (and what it expects).
 */

import { expect } from 'vitest';
import {
  type Case,
  closed,
  collect,
  count,
  describeError,
  outcome,
  range,
  rangeError,
  sync,
} from './case-helpers.js';
import { tasks } from './fixtures/tasks.mjs';

export type { AnyPool, Case } from './case-helpers.js';

export const CASES: Case[] = [
  { name: 'apply returns the result', run: (p) => p.apply(tasks.square, [7]), expected: 49 },
  { name: 'apply passes every argument', run: (p) => p.apply(tasks.add, [2, 40]), expected: 42 },
  {
    name: 'apply of a task returning nothing',
    run: (p) => outcome(p.apply(tasks.none)),
    expected: { ok: true, value: undefined },
  },
  {
    name: 'structured-clone values travel as they are',
    run: (p) => p.apply(tasks.rich, [5]),
    expected: { map: new Map([[5, 'x']]), date: new Date(0), big: 10n ** 20n, bytes: new Uint8Array([5]) },
  },
  {
    name: 'applyAsync: AsyncResult get, ready, successful and callback',
    async run(p) {
      let called: unknown;
      const r = p.applyAsync(tasks.square, [9], { callback: (v) => (called = v) });
      const value = await r.get(10_000);
      return { value, ready: r.ready(), successful: r.successful(), called, waited: await r.wait() };
    },
    expected: { value: 81, ready: true, successful: true, called: 81, waited: true },
  },
  {
    name: 'applyAsync: errorCallback and successful() false',
    async run(p) {
      let reported: unknown;
      const r = p.applyAsync(tasks.failAt, [3, 3], { errorCallback: (e) => (reported = describeError(e)) });
      const got = await outcome(r);
      return { got, reported, successful: r.successful() };
    },
    expected: {
      got: { ok: false, error: rangeError('bad item 3') },
      reported: rangeError('bad item 3'),
      successful: false,
    },
  },
  {
    name: 'map keeps input order',
    run: (p) => p.map(tasks.square, range(100)),
    expected: range(100).map((x) => x * x),
  },
  { name: 'map of an empty input', run: (p) => p.map(tasks.square, []), expected: [] },
  {
    name: 'map with chunksize 1 and 7',
    run: async (p) => [
      await p.map(tasks.square, range(20), { chunksize: 1 }),
      await p.map(tasks.square, range(20), { chunksize: 7 }),
    ],
    expected: [range(20).map((x) => x * x), range(20).map((x) => x * x)],
  },
  {
    name: 'map of an async generator',
    async run(p) {
      async function* gen() {
        for (let i = 0; i < 30; i++) yield i;
      }
      return p.map(tasks.square, gen());
    },
    expected: range(30).map((x) => x * x),
  },
  {
    name: 'map reports progress per chunk',
    async run(p) {
      const seen: [number, number | undefined][] = [];
      await p.map(tasks.square, range(40), {
        chunksize: 10,
        onProgress: (done, total) => seen.push([done, total]),
      });
      return seen.at(-1);
    },
    expected: [40, 40],
  },
  {
    name: 'map fails with the first failing item in input order',
    run: (p) => outcome(p.map(tasks.failAt, count(50), { chunksize: 5 }).then(() => 'no error')),
    expected: { ok: false, error: rangeError('bad item 3') },
  },
  {
    name: 'mapAsync resolves to the list',
    run: (p) => p.mapAsync(tasks.square, [1, 2, 3]).get(),
    expected: [1, 4, 9],
  },
  {
    name: 'starmap spreads argument lists',
    run: (p) =>
      p.starmap(tasks.add, [
        [1, 2],
        [3, 4],
        [5, 6],
      ]),
    expected: [3, 7, 11],
  },
  { name: 'starmapAsync', run: (p) => p.starmapAsync(tasks.add, [[10, 1]]).get(), expected: [11] },
  {
    name: 'imap yields in input order',
    run: (p) => collect(p.imap(tasks.square, count(40))),
    expected: { values: range(40).map((x) => x * x) },
  },
  {
    name: 'imap leaves an endless input early and stops reading it',
    async run(p) {
      let ended = false;
      const got = await collect(
        p.imap(
          tasks.square,
          count(Number.POSITIVE_INFINITY, () => (ended = true)),
        ),
        5,
      );
      return { ...got, ended };
    },
    expected: { values: [0, 1, 4, 9, 16], ended: true },
  },
  {
    name: 'imapUnordered yields every result',
    run: async (p) => (await collect(p.imapUnordered(tasks.square, count(25)))).values.sort((a, b) => a - b),
    expected: range(25).map((x) => x * x),
  },
  {
    name: 'imap yields the results before a failed item, then its error',
    run: async (p) => [
      await collect(p.imap(tasks.failAt, range(8), { chunksize: 8 })),
      await collect(p.imap(tasks.failAt, count(8), { chunksize: 2 })),
    ],
    expected: [
      { values: [0, 10, 20], error: rangeError('bad item 3') },
      { values: [0, 10, 20], error: rangeError('bad item 3') },
    ],
  },
  {
    name: 'an input iterable that throws fails the call with that very error',
    async run(p) {
      const boom = new Error('input broke');
      function* bad() {
        yield 1;
        yield 2;
        throw boom;
      }
      try {
        await p.map(tasks.square, bad());
        return 'no error';
      } catch (error) {
        return { same: error === boom };
      }
    },
    expected: { same: true },
  },
  {
    name: 'a TypeError comes back with its cause and fields',
    run: (p) => outcome(p.apply(tasks.typeError)),
    expected: {
      ok: false,
      error: {
        class: 'TypeError',
        name: 'TypeError',
        message: 'no such thing',
        processError: false,
        cause: { class: 'Error', name: 'Error', message: 'the cause', processError: false },
        extra: 42,
      },
    },
  },
  {
    name: "a task's error whose field holds one part that cannot be sent: that part alone is named, the rest arrives",
    run: async (p) => {
      const error = (await p.apply(tasks.throwPartlyUnsendable).then(
        () => null,
        (e: unknown) => e,
      )) as any;
      const named = (part: any) => `${part?.constructor?.name} ${part?.path}`;
      const { request } = error;
      return {
        message: error.message,
        url: request.url,
        transform: named(request.transform),
        list: [request.list[0], named(request.list[1])],
      };
    },
    expected: {
      message: 'x',
      url: 'u',
      transform: 'SerializationError error.request.transform',
      list: [1, 'SerializationError error.request.list[1]'],
    },
  },
  {
    name: "a task's error named like ours is not our class",
    localGap: "core rebuilds a task's Error named 'ValidationError' as its own ValidationError",
    run: (p) => outcome(p.apply(tasks.customError)),
    expected: {
      ok: false,
      error: {
        class: 'Error',
        name: 'ValidationError',
        message: 'custom failure',
        processError: false,
        detail: 'kept',
      },
    },
  },
  {
    name: 'an AggregateError keeps its errors',
    localGap: 'core rebuilds an AggregateError as an Error without its errors',
    run: (p) => outcome(p.apply(tasks.aggregate)),
    expected: {
      ok: false,
      error: {
        class: 'AggregateError',
        name: 'AggregateError',
        message: 'many',
        processError: false,
        errors: [
          { class: 'TypeError', name: 'TypeError', message: 'one', processError: false },
          rangeError('two'),
        ],
      },
    },
  },
  {
    name: 'a worker that exits mid-task: WorkerCrashedError, and the pool goes on',
    async run(p) {
      const crashed = (await outcome(p.apply(tasks.exit, [3]))) as { error: Record<string, unknown> };
      const { class: cls, exitCode, processError } = crashed.error;
      return { cls, exitCode, processError, after: await p.apply(tasks.square, [4]) };
    },
    expected: { cls: 'WorkerCrashedError', exitCode: 3, processError: true, after: 16 },
  },
  {
    name: 'timeout rejects with TimeoutError',
    run: async (p) => ((await outcome(p.apply(tasks.sleep, [30_000], { timeout: 200 }))) as any).error.class,
    expected: 'TimeoutError',
  },
  {
    name: 'an abort rejects with AbortError, the reason as cause',
    async run(p) {
      const controller = new AbortController();
      const call = outcome(p.apply(tasks.sleep, [30_000], { signal: controller.signal }));
      setTimeout(() => controller.abort('stop it'), 100);
      const { error } = (await call) as { error: Record<string, unknown> };
      return { name: error.name, cause: error.cause };
    },
    expected: { name: 'AbortError', cause: 'stop it' },
  },
  {
    name: 'a bad task: ValidationError (a Promise method rejects, an ...Async one throws)',
    run: async (p) => {
      const { error } = (await outcome(p.apply((() => 1) as any))) as any;
      const { threw } = sync(() => p.applyAsync('square' as any)) as any;
      return { apply: [error.class, error.code], applyAsync: [threw.class, threw.code] };
    },
    expected: {
      apply: ['ValidationError', 'MP_VALIDATION'],
      applyAsync: ['ValidationError', 'MP_VALIDATION'],
    },
  },
  {
    name: 'bad input or options: the same ValidationError (message, cause); non-Promise methods throw at once',
    async run(p) {
      const bad = 5 as never;
      return {
        map: await outcome(p.map(tasks.square, bad)),
        mapNull: await outcome(p.map(tasks.square, null as never)),
        starmap: await outcome(p.starmap(tasks.add, bad)),
        mapAsync: sync(() => p.mapAsync(tasks.square, bad)),
        imap: sync(() => p.imap(tasks.square, bad)),
        imapUnordered: sync(() => p.imapUnordered(tasks.square, bad)),
        options: await outcome(p.apply(tasks.square, [1], 'x' as never)),
        args: await outcome(p.apply(tasks.square, 1 as never)),
        chunksize: await outcome(p.map(tasks.square, [1], { chunksize: 0 })),
        timeout: await outcome(p.apply(tasks.square, [1], { timeout: -1 })),
        inflight: sync(() => p.imap(tasks.square, [1], { inflight: 1.5 })),
      };
    },
    expected: Object.fromEntries([
      ...['map', 'mapNull', 'starmap', 'options', 'args', 'chunksize'].map((k) => [
        k,
        { ok: false, error: expect.objectContaining({ class: 'ValidationError' }) },
      ]),
      // A negative timeout is a deadline already passed (Python: it does not wait), not bad input.
      ['timeout', { ok: false, error: expect.objectContaining({ class: 'TimeoutError' }) }],
      ...['mapAsync', 'imap', 'imapUnordered', 'inflight'].map((k) => [
        k,
        { threw: expect.objectContaining({ class: 'ValidationError' }) },
      ]),
    ]),
  },
  {
    name: 'a stray argument is refused, not ignored (Python raises TypeError): the same ValidationError',
    async run(p) {
      const q = p as any;
      const cb = () => {};
      return {
        apply: await outcome(q.apply(tasks.square, [1], {}, 'x')),
        map: await outcome(q.map(tasks.square, [1], {}, 2)),
        starmap: await outcome(q.starmap(tasks.add, [[1, 2]], {}, 2)),
        join: await outcome(q.join(1000)),
        applyAsync: sync(() => q.applyAsync(tasks.square, [1], {}, cb)),
        mapAsync: sync(() => q.mapAsync(tasks.square, [1], {}, cb)),
        imap: sync(() => q.imap(tasks.square, [1], {}, 1)),
        close: sync(() => q.close(true)),
        stats: sync(() => q.stats(1)),
        stillRuns: await q.apply(tasks.square, [3]),
      };
    },
    expected: {
      ...Object.fromEntries(
        ['apply', 'map', 'starmap', 'join'].map((k) => [
          k,
          { ok: false, error: expect.objectContaining({ class: 'ValidationError', code: 'MP_VALIDATION' }) },
        ]),
      ),
      ...Object.fromEntries(
        ['applyAsync', 'mapAsync', 'imap', 'close', 'stats'].map((k) => [
          k,
          { threw: expect.objectContaining({ class: 'ValidationError', code: 'MP_VALIDATION' }) },
        ]),
      ),
      stillRuns: 9,
    },
  },
  {
    name: 'an argument that cannot be sent: SerializationError naming its path',
    run: async (p) => {
      const { error } = (await outcome(p.apply(tasks.echo, [{ cb: () => 1 }]))) as any;
      return { name: error.name, path: error.path };
    },
    expected: { name: 'SerializationError', path: 'args[0].cb' },
  },
  {
    name: 'a map or starmap item that cannot be sent: SerializationError naming its index in the input',
    run: async (p) => {
      const paths = [];
      for (const call of [
        () => p.map(tasks.square, [1, 2, 3, { cb: () => 1 }] as never, { chunksize: 2 }),
        () =>
          p.starmap(tasks.add, [
            [1, 2],
            [3, () => 1],
          ] as never),
      ]) {
        const { error } = (await outcome(call())) as any;
        paths.push(`${error.name} ${error.path}`);
      }
      return paths;
    },
    expected: ['SerializationError items[3].cb', 'SerializationError items[1][1]'],
  },
  {
    name: 'an imap item that cannot be sent rejects its own next() only: the items before and after it run',
    run: async (p) => {
      const seen: unknown[] = [];
      const it = p.imap(tasks.square, [1, 2, { cb: () => 1 }, 4, 5] as never, { chunksize: 1 });
      for (;;) {
        try {
          const step = await it.next();
          if (step.done) return seen;
          seen.push(step.value);
        } catch (error) {
          seen.push(`${(error as Error).name} ${(error as { path?: string }).path}`);
        }
      }
    },
    expected: [1, 4, 'SerializationError items[2].cb', 16, 25],
  },
  {
    name: 'a map, starmap or imap result that cannot be sent back: SerializationError naming its index in the input',
    run: async (p) => {
      const seen = [];
      // The bad result (of item 4) in a later chunk: its index in the input is not its index in its chunk.
      const items = [1, 2, 3, 4, 5, 6];
      const name = (error: any) => `${error.name} ${error.path}`;
      for (const chunksize of [2, undefined]) {
        seen.push(name(((await outcome(p.map(tasks.unsendableAtFive, items, { chunksize }))) as any).error));
        const star = p.starmap(
          tasks.unsendableAtFive,
          items.map((x) => [x]),
          { chunksize },
        );
        seen.push(name(((await outcome(star)) as any).error));
      }
      const looped = await collect(p.imap(tasks.unsendableAtFive, items, { chunksize: 2 }));
      seen.push([...looped.values, name(looped.error)]);
      return seen;
    },
    expected: [
      ...Array(4).fill('SerializationError result[4].cb'),
      [1, 2, 3, 4, 'SerializationError result[4].cb'],
    ],
  },
  {
    name: 'a starmap item that is not an argument list: ValidationError naming its index in the input',
    run: async (p) => {
      const messages = [];
      for (const chunksize of [1, 2, undefined]) {
        const { error } = (await outcome(
          p.starmap(tasks.add, [[1, 2], [3, 4], 5] as never, { chunksize }),
        )) as any;
        messages.push(`${error.name}: ${error.message.split(' (')[0]}`);
      }
      return messages;
    },
    expected: Array(3).fill('ValidationError: Pool.starmap(): item 2 is not an argument list'),
  },
  {
    name: 'a value structured clone refuses (WeakMap, Promise, WeakSet): SerializationError naming its path',
    run: async (p) => {
      const paths = [];
      for (const call of [
        () => p.apply(tasks.echo, [{ x: new WeakMap() }]),
        () => p.apply(tasks.echo, [[1, Promise.resolve()]]),
        () => p.map(tasks.echo, [1, new WeakMap(), 3], { chunksize: 3 }),
        () =>
          p.starmap(tasks.add, [
            [1, 2],
            [3, new WeakSet()],
          ] as never),
      ]) {
        const { error } = (await outcome(call())) as any;
        paths.push(`${error.name} ${error.path}`);
      }
      return paths;
    },
    expected: [
      'SerializationError args[0].x',
      'SerializationError args[0][1]',
      'SerializationError items[1]',
      'SerializationError items[1][1]',
    ],
  },
  {
    name: 'sendToCaller messages reach onMessage in order',
    async run(p) {
      const got: unknown[] = [];
      const result = await p.apply(tasks.talk, [3], { onMessage: (m) => got.push(m) });
      return { result, got };
    },
    expected: { result: 3, got: ['message 0', 'message 1', 'message 2'] },
  },
  {
    name: 'an onMessage that throws fails its own call with that error, once, and others go on',
    async run(p) {
      let calls = 0;
      const onMessage = () => {
        calls++;
        throw new RangeError('listener broke');
      };
      const applied = await outcome(p.apply(tasks.talk, [3], { onMessage }));
      const mapped = await outcome(p.map(tasks.talk, [2, 2], { onMessage }));
      return { applied, mapped, calls, next: await p.apply(tasks.square, [4]) };
    },
    expected: {
      applied: { ok: false, error: rangeError('listener broke') },
      mapped: { ok: false, error: rangeError('listener broke') },
      calls: 2,
      next: 16,
    },
  },
  {
    name: 'stats() answers the same fields',
    run: async (p) => Object.keys(p.stats()).sort(),
    expected: ['busy', 'completed', 'failed', 'queued', 'starting', 'workers'],
  },
  {
    name: 'join() before close() rejects with ProcessError',
    run: async (p) => ((await outcome(p.join())) as any).error.class,
    expected: 'ProcessError',
  },
  {
    name: 'after close(): Promise methods reject, the others throw PoolClosedError',
    fresh: true,
    async run(p) {
      const before = await p.apply(tasks.square, [2]);
      p.close();
      const result = {
        before,
        apply: (await outcome(p.apply(tasks.square, [2]))) as unknown,
        applyAsync: sync(() => p.applyAsync(tasks.square, [2])),
        imap: sync(() => p.imap(tasks.square, [1])),
      };
      await p.join();
      return result;
    },
    expected: {
      before: 4,
      apply: { ok: false, error: expect.objectContaining(closed) },
      applyAsync: { threw: expect.objectContaining(closed) },
      imap: { threw: expect.objectContaining(closed) },
    },
  },
  {
    name: 'terminate() rejects pending calls with PoolClosedError',
    fresh: true,
    async run(p) {
      await p.apply(tasks.square, [1]);
      const pending = outcome(p.apply(tasks.sleep, [30_000]));
      await new Promise((r) => setTimeout(r, 200));
      await p.terminate();
      return pending;
    },
    expected: { ok: false, error: expect.objectContaining(closed) },
  },
  {
    name: 'await using terminates the pool',
    fresh: true,
    async run(p) {
      await p[Symbol.asyncDispose]();
      return sync(() => p.applyAsync(tasks.square, [1]));
    },
    expected: { threw: expect.objectContaining(closed) },
  },
];
