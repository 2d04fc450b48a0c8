// Randomized schedules of a manager whose serving program is killed with SIGKILL while proxies in
// this program and in Processes of both contexts hold and wait on its objects
// (manager-serving-chaos-59.ts says what a schedule does and checks). Full tier:
// MULTIPROC_CHAOS59_COUNT seeds (default 60); a failing schedule prints its seed, and
// MULTIPROC_CHAOS59_SEEDS=<seed> replays it (a comma list, or `from-to`).
import { describe, expect, it } from 'vitest';
import { seedList } from '../../../test-support/chaos.ts';
import { managerServingSchedule, SERVING_SCHEDULE_LIMIT_MS } from './manager-serving-chaos-59.ts';

const list = seedList(process.env.MULTIPROC_CHAOS59_SEEDS, () => {
  const count = Number(process.env.MULTIPROC_CHAOS59_COUNT ?? 60);
  return Array.from({ length: count }, (_, i) => 5900 + i);
});

describe('a manager whose serving program is killed at a random moment', () => {
  it(`every waiting call rejects with ManagerClosedError soon; nothing hangs or is left; a new manager works (seeds ${list[0]}…, ${list.length})`, {
    timeout: list.length * (3 * SERVING_SCHEDULE_LIMIT_MS),
  }, async () => {
    const faults: string[] = [];
    const t0 = Date.now();
    let late = 0;
    for (const seed of list) {
      const found = await managerServingSchedule(seed);
      for (const f of found.faults) console.log(`chaos59 serving FAULT seed ${seed}: ${f}`);
      if (process.env.MULTIPROC_CHAOS59_VERBOSE)
        console.log(`chaos59 serving seed ${seed}: ${JSON.stringify(found.config)} late ${found.lateMs} ms`);
      late = Math.max(late, found.lateMs);
      faults.push(...found.faults);
    }
    console.log(
      `chaos59 serving: ${list.length} schedules in ${Date.now() - t0} ms; slowest rejection ${late} ms after the death`,
    );
    expect(faults).toEqual([]);
  });
});
