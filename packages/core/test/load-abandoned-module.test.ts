// The pool's MP_TASK_LOAD_ABANDONED warning (a worker stopped 10 s into a task module's import
// after its call was aborted: pool-abort-loading-bound.test.ts) named every module of the worker's
// batch, those it had loaded before and those it had not reached with the one still loading. The
// worker now tells which module it imports, one after another: a thread in its control block's
// PHASE word, a child in each `load` message; the host names that one. Through the pool, an
// aborted batch holds one call today (a call with a signal or a timeout goes alone), so the worker
// side is checked here: the imports of three modules, the second of which does not end.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { Control, Phase } from '../src/internal/control.js';
import { preloadTasks } from '../src/internal/load-task.js';

const dir = mkdtempSync(join(tmpdir(), 'load-abandoned-module-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const GATE = '__multiprocLoadAbandonedGate';

function module(name: string, body: string): string {
  const path = join(dir, name);
  writeFileSync(path, body);
  return pathToFileURL(path).href;
}

describe('which task module a worker imports', () => {
  it('is told before each import, in order; not for one loaded before, nor twice', async () => {
    let open!: () => void;
    (globalThis as Record<string, unknown>)[GATE] = new Promise<void>((resolve) => {
      open = resolve;
    });
    const first = module('first.mjs', 'export const x = 1;\n');
    const slow = module('slow.mjs', `await globalThis.${GATE};\nexport const x = 2;\n`);
    const third = module('third.mjs', 'export const x = 3;\n');
    const specs = [
      { module: first, taskName: 'a' },
      { module: slow, taskName: 'b' },
      { module: slow, taskName: 'c' }, // the same module: told once
      { module: third, taskName: 'd' },
    ];
    const told: number[] = [];
    const done = preloadTasks(specs, (task) => void told.push(task));
    expect(done).toBeInstanceOf(Promise);
    await new Promise((resolve) => setTimeout(resolve, 100));
    // The first module loaded, the slow one still loads, the third was not reached.
    expect(told).toEqual([0, 1]);
    open();
    await done;
    expect(told).toEqual([0, 1, 3]);
  });

  it("a thread's control block holds the phase and, in the LOAD phase, the task", () => {
    const control = Control.create();
    control.reset(4, false);
    expect(control.loadingTask()).toBe(-1);
    control.setLoading(0);
    expect([control.phase(), control.loadingTask()]).toEqual([Phase.LOAD, 0]);
    control.setLoading(37);
    expect([control.phase(), control.loadingTask()]).toEqual([Phase.LOAD, 37]);
    control.setPhase(Phase.JOBS);
    expect([control.phase(), control.loadingTask()]).toEqual([Phase.JOBS, -1]);
  });
});
