// The wide matrix of broken-pipe-threads.test.ts (the full tier): a program whose stdout or stderr
// reader leaves after the first line fares as the same program without workers, with a Pool, a
// Process or a daemon Process alive in either context, whether it writes its own line with its
// console or with the stream's `write()` (Node ignores a console's first failed write on a stream,
// and reports any other as an unhandled 'error' event: the program ends with code 1); its workers'
// lines, written both ways after the reader left, are dropped and their results kept.
import { describe, expect, it } from 'vitest';
import {
  diedOfWriteError,
  type Kind,
  type MainWrite,
  programNotes,
  type ReaderLeftRun,
  runReaderLeft,
  type Stream,
} from './reader-left.ts';

const cases: [Kind, 'thread' | 'process', Stream, MainWrite][] = [];
for (const kind of ['Pool', 'Process', 'Daemon'] as const)
  for (const context of ['thread', 'process'] as const)
    for (const stream of ['out', 'err'] as const)
      for (const main of ['log', 'write'] as const) cases.push([kind, context, stream, main]);

const alone = new Map<string, Promise<ReaderLeftRun>>();
/** The same program without workers, run once per stream and way of writing. */
function withoutWorkers(stream: Stream, main: MainWrite): Promise<ReaderLeftRun> {
  const key = `${stream} ${main}`;
  let run = alone.get(key);
  if (!run) alone.set(key, (run = runReaderLeft('none', 'thread', stream, main)));
  return run;
}

describe('a program whose output reader leaves, with workers of every kind', () => {
  it.each(cases)(
    'a %s in the %s context, std%s, its own line by %s',
    { timeout: 60_000 },
    async (kind, context, stream, main) => {
      const [plain, run] = await Promise.all([
        withoutWorkers(stream, main),
        runReaderLeft(kind, context, stream, main),
      ]);
      expect(run.code).toBe(plain.code);
      expect(programNotes(run)).toEqual(programNotes(plain));
      expect(diedOfWriteError(run)).toBe(diedOfWriteError(plain));
      if (kind === 'Pool') {
        expect(run.notes).toContain('result 42');
        expect(run.notes).toContain('stray WorkerCrashedError');
      } else if (plain.notes.includes('done')) expect(run.notes).toContain('exitcode 0');
    },
  );
});
