// Runs test/fixtures/reader-left.mjs with its stdout or stderr read by a reader that leaves after
// the first line, as `head -1` does (test/broken-pipe-threads.test.ts, test/reader-gone-wide.test.ts).
import { spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import { fixture, programGuardMs } from './helpers.ts';

export type Kind = 'none' | 'Pool' | 'Process' | 'Daemon';
export type Stream = 'out' | 'err';
/** How the program writes its own line once the reader left: its console, or the stream's `write()`. */
export type MainWrite = 'log' | 'write';

export interface ReaderLeftRun {
  /** The exit code, or the signal that ended the program. */
  readonly code: number | string | null;
  /** What the program noted on descriptor 3, one entry a line. */
  readonly notes: string[];
  /** What it wrote on its other stream (stderr when the reader of stdout left, and the reverse). */
  readonly other: string;
}

/** Runs the program; kills its whole process group when it is done or after the test's bound. */
export async function runReaderLeft(
  kind: Kind,
  context: 'thread' | 'process',
  stream: Stream,
  main: MainWrite,
): Promise<ReaderLeftRun> {
  // A group of its own, so that every process the program started can be killed.
  const program = spawn(process.execPath, [fixture('reader-left.mjs'), kind, context, stream, main], {
    stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
    detached: true,
  });
  const guard = setTimeout(() => killGroup(program.pid!), programGuardMs());
  try {
    const read = stream === 'out' ? program.stdout : program.stderr;
    const kept = stream === 'out' ? program.stderr : program.stdout;
    const noted = program.stdio[3] as Readable;
    let notes = '';
    let other = '';
    noted.setEncoding('utf8').on('data', (text: string) => {
      notes += text;
    });
    kept.setEncoding('utf8').on('data', (text: string) => {
      other += text;
    });
    const exited = new Promise<number | string | null>((resolve) =>
      program.once('exit', (code, signal) => resolve(code ?? signal)),
    );
    // What `head -1` does: read a line, then close the read side of the pipe. The program hears on
    // stdin that the reader left, so everything it writes from then on finds it gone.
    await new Promise<void>((resolve) => read.once('data', () => resolve()));
    read.destroy();
    program.stdin.end('go\n');
    const code = await exited;
    // Its descriptor 3 is read to the end (a crash may leave notes in flight).
    if (!noted.readableEnded) await new Promise((resolve) => noted.once('close', resolve));
    return { code, notes: notes.split('\n').filter(Boolean), other };
  } finally {
    clearTimeout(guard);
    killGroup(program.pid!);
  }
}

function killGroup(pgid: number): void {
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch {
    // The group has ended.
  }
}

/** The notes a program without workers writes too, in order (the others are about its workers). */
export function programNotes(run: ReaderLeftRun): string[] {
  return run.notes.filter((line) => ['go', 'main wrote', 'done'].includes(line));
}

/** Whether the program died of a write error nobody handled (Node prints the event's trace). */
export function diedOfWriteError(run: ReaderLeftRun): boolean {
  return /Unhandled 'error' event|EPIPE/.test(run.other);
}
