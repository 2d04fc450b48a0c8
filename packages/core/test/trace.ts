/** A side channel for pool tests: a file traced tasks append `S id worker [ms]` / `E id [worker ms]` lines to. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Trace {
  readonly file: string;
  /** How many times each id started, and which ids ended. */
  read(): {
    starts: Map<number, number>;
    ends: Set<number>;
    workers: Map<number, string[]>;
    /** When each id last started (`Date.now()` in its worker), where the line says. */
    startedAt: Map<number, number>;
    /** When each id last ended (`Date.now()` in its worker), where the line says. */
    endedAt: Map<number, number>;
  };
  remove(): void;
}

export function makeTrace(): Trace {
  const dir = mkdtempSync(join(tmpdir(), 'multiproc-trace-'));
  const file = join(dir, 'trace');
  writeFileSync(file, '');
  return {
    file,
    read() {
      const starts = new Map<number, number>();
      const ends = new Set<number>();
      const workers = new Map<number, string[]>();
      const startedAt = new Map<number, number>();
      const endedAt = new Map<number, number>();
      for (const line of readFileSync(file, 'utf8').split('\n')) {
        const [kind, idText, worker, at] = line.split(' ');
        const id = Number(idText);
        if (kind === 'S') {
          starts.set(id, (starts.get(id) ?? 0) + 1);
          workers.set(id, [...(workers.get(id) ?? []), worker!]);
          if (at !== undefined) startedAt.set(id, Number(at));
        } else if (kind === 'E') {
          ends.add(id);
          if (at !== undefined) endedAt.set(id, Number(at));
        }
      }
      return { starts, ends, workers, startedAt, endedAt };
    },
    remove() {
      // A worker of a call that already failed may still be writing its trace (ENOTEMPTY).
      rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 });
    },
  };
}
