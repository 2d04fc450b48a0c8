// A program with live worker threads whose stdout or stderr reader leaves (`node app.mjs | head -1`)
// fares as the same program without workers: Node pipes a thread's stdout into `process.stdout`,
// and that pipe's 'error' listener turned the program's first `console.log()` after the reader left
// (which Node's console otherwise ignores) into an unhandled EPIPE; a thread's own
// `process.stdout.write()` failed its task, and a pool thread's uncaught error, printed on a closed
// stderr, ended the program. The wide matrix (both contexts, `Process`, the streams' own writes) is
// in reader-gone-wide.test.ts.
import { describe, expect, it } from 'vitest';
import { diedOfWriteError, programNotes, runReaderLeft, type Stream } from './reader-left.ts';

describe('a program with worker threads whose output reader leaves after the first line', () => {
  it.each(['out', 'err'] as Stream[])(
    'on std%s: its own line, its pool thread lines and a thread dying are as without workers',
    { timeout: 30_000 },
    async (stream) => {
      const [alone, pooled] = await Promise.all([
        runReaderLeft('none', 'thread', stream, 'log'),
        runReaderLeft('Pool', 'thread', stream, 'log'),
      ]);
      expect(pooled.code).toBe(alone.code);
      expect(programNotes(pooled)).toEqual(programNotes(alone));
      expect(diedOfWriteError(pooled)).toBe(diedOfWriteError(alone));
      // The task that wrote after the reader left kept its result; the one that died failed alone.
      expect(pooled.notes).toContain('result 42');
      expect(pooled.notes).toContain('stray WorkerCrashedError');
    },
  );

  it('a daemon thread Process (Node forwards its output) changes nothing either', {
    timeout: 30_000,
  }, async () => {
    const [alone, daemon] = await Promise.all([
      runReaderLeft('none', 'thread', 'out', 'log'),
      runReaderLeft('Daemon', 'thread', 'out', 'log'),
    ]);
    expect(daemon.code).toBe(alone.code);
    expect(programNotes(daemon)).toEqual(programNotes(alone));
    expect(daemon.notes).toContain('exitcode 0');
  });
});
