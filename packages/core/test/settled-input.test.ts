// A settled map-style call's input is reachable from nothing the call leaves behind (issue 12, case 9).
// What held it: the call's closures. V8 may keep a hot closure's context past its call, until the main
// thread installs the code an optimizing job compiled against it (seen in case 9, at call 140 of a
// loop, on a loaded machine too late for its check); a finished imap iterator that its caller keeps
// holds the same contexts, every time. Through them the stream reached its input (`array`, and the
// generator's own parameter, which an ended generator keeps).
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
import { failureTasks as t } from './fixtures/failure-tasks.ts';
import { poolMaker } from './helpers.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Collects in a later turn (a WeakRef read in a turn keeps its target until the turn ends), twice. */
async function collect(): Promise<void> {
  for (let pass = 0; pass < 2; pass++) {
    await new Promise((resolve) => setImmediate(resolve));
    gc();
  }
}

type Kind = 'array' | 'set';

describe.each(matrix(import.meta.url))('a settled call in %s context', (context) => {
  const makePool = poolMaker();

  // 1.45 s of CPU (MULTIPROC_CPU_LOG: two workers' start, 20 MiB sent, full collections), no timer:
  // 2.8 s at a load of 11, 8.6 s at 10-36 beside every other suite (43% of the 20 s it had).
  it('a finished imap iterator its caller keeps holds no input', { timeout: 60_000 }, async () => {
    const pool = makePool({ processes: 2, context });
    const inputs: WeakRef<object>[] = [];
    // Each input made and dropped in a frame of its own: only what the call keeps can hold it after.
    const start = (kind: Kind, ordered: boolean) => {
      const buffers = Array.from({ length: 4 }, () => new Uint8Array(1 << 20));
      const input = kind === 'array' ? buffers : new Set(buffers);
      inputs.push(new WeakRef(input));
      return ordered ? pool.imap(t.size, input, { chunksize: 2 }) : pool.imapUnordered(t.size, input);
    };
    const kept: AsyncIterable<number>[] = [];
    for (const kind of ['array', 'set'] as const) {
      for (const ordered of [true, false]) {
        const results = start(kind, ordered);
        const sizes: number[] = [];
        for await (const size of results) sizes.push(size);
        expect(sizes).toEqual([1 << 20, 1 << 20, 1 << 20, 1 << 20]);
        kept.push(results);
      }
    }
    // A loop left early: its call stopped reading, and let go of its input as well.
    const left = start('array', true);
    for await (const size of left) {
      expect(size).toBe(1 << 20);
      break;
    }
    kept.push(left);
    await collect();
    expect(inputs.filter((input) => input.deref() !== undefined)).toHaveLength(0);
    expect(kept).toHaveLength(5);
  });
});
