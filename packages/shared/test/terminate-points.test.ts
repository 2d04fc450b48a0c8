// Where `worker.terminate()` can stop a thread, which the owner records rely on (owner-table.ts,
// and the ipc queue count): where a call begins (an `Atomics` method's too) or a loop turns, never
// between an `Atomics` operation and plain writes right after it. Measured on Node 20, 22 and 24:
// two `Atomics.add` in a row were cut apart in about a third of terminates; an `Atomics.add`
// followed by a plain write, never. This guards that fact on the Node that runs the tests.
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';

const LOOPS: Record<string, string> = {
  // What the owner records do: the shared change, then this thread's own record, plainly.
  'then a plain write': 'for (;;) { Atomics.add(w, 0, 1); m[0]++; }',
  'with a CAS, then a plain write':
    'for (;;) { const n = Atomics.load(w, 0); if (Atomics.compareExchange(w, 0, n, n + 1) === n) m[0]++; }',
};

// Each run spins a thread on a core until it is terminated: CI takes 10 samples of each loop, the
// full tier (`npm run test:full`, see vitest.shared.ts) 30.
const RUNS = process.env.MULTIPROC_TESTS === 'full' ? 30 : 10;

async function splitRuns(loop: string, runs: number): Promise<number> {
  let split = 0;
  for (let r = 0; r < runs; r++) {
    const a = new SharedArrayBuffer(8);
    const b = new SharedArrayBuffer(4);
    const code = `const { workerData: d } = require('node:worker_threads');
      const w = new Int32Array(d.a), m = new Int32Array(d.b);
      Atomics.store(w, 1, 1);
      ${loop}`;
    const worker = new Worker(code, { eval: true, workerData: { a, b } });
    const w = new Int32Array(a);
    while (Atomics.load(w, 1) === 0) await new Promise((res) => setTimeout(res, 1));
    await new Promise((res) => setTimeout(res, (r * 7) % 11));
    await worker.terminate();
    if (Atomics.load(w, 0) !== new Int32Array(b)[0]) split++;
  }
  return split;
}

describe('worker.terminate() never lands between an Atomics operation and the plain write after it', () => {
  it.each(Object.keys(LOOPS))(
    '%s',
    async (name) => {
      expect(await splitRuns(LOOPS[name]!, RUNS)).toBe(0);
    },
    120_000,
  );

  // The control: were this ever 0, the test above would prove nothing.
  it('(control) two Atomics calls in a row are cut apart', async () => {
    let split = 0;
    for (let round = 0; round < 5 && split === 0; round++)
      split += await splitRuns('for (;;) { Atomics.add(w, 0, 1); Atomics.add(m, 0, 1); }', 20);
    expect(split).toBeGreaterThan(0);
  }, 120_000);
});
