// A manager Barrier (and so getContext('process').Barrier) takes Python's `action`, run once per
// passing by the manager, and its default `timeout` bounds a wait() given none.
import { execFile } from 'node:child_process';
import { BrokenBarrierError, ValidationError } from '@multiproc/ipc';
import { ContextError } from '@multiproc/shared';
import { describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
import { core } from './core.js';
import { managerTestKit } from './manager-kit.js';

const fixture = await import(new URL('./fixtures/barrier-tasks.mjs', import.meta.url).href);
const { actions, tasks, passings } = fixture;
const { cleanup, manager } = managerTestKit();
const TIMEOUT_PROGRAM = new URL('./fixtures/barrier-timeout-program.mjs', import.meta.url).pathname;

describe.each(matrix(import.meta.url))(
  'a manager Barrier with an action, parties in workers (%s)',
  (context) => {
    function pool() {
      const p = new core.Pool({ processes: 2, context });
      cleanup.push(() => p.terminate());
      return p;
    }

    it('reads parties at once in a worker, broken through state()', { timeout: 20_000 }, async () => {
      const bar = (await manager()).Barrier(4);
      expect(await pool().apply(tasks.readState, [bar])).toEqual({
        parties: 4,
        broken: 'ContextError',
        state: { broken: false, nWaiting: 0, parties: 4 },
      });
    });

    it.each(['count', 'later'])(
      'runs the %s action once per passing, before any party goes on',
      {
        timeout: 30_000,
      },
      async (name) => {
        const bar = (await manager()).Barrier(3, { action: actions[name] });
        const before = passings();
        const p = pool();
        const theirs = [p.apply(tasks.cycles, [bar, 4]), p.apply(tasks.cycles, [bar, 4])];
        const mine: number[] = [];
        for (let i = 0; i < 4; i++) {
          mine.push(await bar.wait(10_000));
          expect(passings() - before).toBe(i + 1); // the action of this passing ran before wait() returned
        }
        const all = [mine, ...(await Promise.all(theirs))];
        for (let i = 0; i < 4; i++) expect(new Set(all.map((a) => a[i])).size).toBe(3);
        expect(passings() - before).toBe(4);
      },
    );

    it('an action that throws rejects the last party with its error and breaks the barrier', {
      timeout: 30_000,
    }, async () => {
      const bar = (await manager()).Barrier(2, { action: actions.boom });
      const p = pool();
      const theirs = p.apply(tasks.cycles, [bar, 1]);
      while ((await bar.state()).nWaiting < 1) await new Promise((r) => setTimeout(r, 5));
      await expect(bar.wait(10_000)).rejects.toThrow(RangeError);
      expect(await theirs).toEqual(['BrokenBarrierError']);
      expect((await bar.state()).broken).toBe(true);
      await expect(bar.wait(10_000)).rejects.toBeInstanceOf(BrokenBarrierError);
    });
  },
);

describe('manager Barrier options', () => {
  it('refuses an action that is not a function, and unknown options', async () => {
    const m = await manager();
    expect(() => m.Barrier(2, { action: 'count' as never })).toThrow(ValidationError);
    expect(() => m.Barrier(2, { actoin: actions.count } as never)).toThrow(ValidationError);
    expect(() => core.getContext('process').Barrier(2, { actoin: actions.count })).toThrow(ValidationError);
  });

  it('parties reads at once; broken and nWaiting throw ContextError pointing to state()', async () => {
    for (const bar of [(await manager()).Barrier(3), core.getContext('process').Barrier(2)]) {
      expect(bar.parties).toBe((await bar.state()).parties);
      expect(() => bar.broken).toThrow(ContextError);
      expect(() => bar.broken).toThrow(/state\(\)\)\.broken/);
      expect(() => bar.nWaiting).toThrow(ContextError);
      expect(await bar.state()).toMatchObject({ broken: false, nWaiting: 0 });
    }
  });

  it("getContext('process').Barrier takes an action too", { timeout: 20_000 }, async () => {
    const before = passings();
    const bar = core.getContext('process').Barrier(1, { action: actions.count });
    expect(await bar.wait()).toBe(0);
    expect(passings() - before).toBe(1);
  });

  it('a wait() without a timeout times out after the default one, as wait(timeout) does', {
    timeout: 20_000,
  }, async () => {
    const out = await new Promise<string>((resolve, reject) =>
      execFile(process.execPath, [TIMEOUT_PROGRAM, '300'], { timeout: 15_000 }, (err, stdout, stderr) =>
        err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout.trim()),
      ),
    );
    expect(out).toMatch(/^BrokenBarrierError: .*timed out/);
  });
});
