/**
 * The worker's status lines: one line per event, `<ISO time> <event> key=value ...`, values quoted
 * when they hold spaces. Easy to read in a terminal and to grep or parse in a log collector.
 */
import { describeThrown } from '@multiproc/shared';

/** Where status lines go. */
export type LogWriter = (line: string) => void;

/** Events logged only when not quiet: one per job that went well. */
const CHATTY = new Set(['job started', 'job completed']);

export class StatusLog {
  readonly #write: LogWriter;
  readonly #quiet: boolean;

  constructor(write: LogWriter, quiet: boolean) {
    this.#write = write;
    this.#quiet = quiet;
  }

  event(name: string, fields: Record<string, unknown> = {}): void {
    if (this.#quiet && CHATTY.has(name)) return;
    let line = `${new Date().toISOString()} ${name}`;
    for (const [key, value] of Object.entries(fields)) {
      if (value === undefined) continue;
      const text = String(value).replace(/\s+/g, ' ');
      line += ` ${key}=${/[ "=]/.test(text) || text === '' ? JSON.stringify(text) : text}`;
    }
    try {
      this.#write(line);
    } catch (error) {
      // A writer's failure is the program's, not the job's or the pool's being served: it is thrown
      // on a turn of its own (an uncaught exception), as an event listener's, never into the
      // worker's bookkeeping, which would fail a job that went well or stop a stop() half done.
      queueMicrotask(() => {
        throw error;
      });
    }
  }
}

/**
 * `Name: message` of anything thrown, on one line. A value `String()` cannot convert (an object
 * without a prototype, an array holding a symbol) is shown as inspect() shows it: describing a
 * task's failure must not throw, which failed its job as a worker-side crash.
 */
export function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message.split('\n')[0]}`;
  try {
    return String(error);
  } catch {
    return describeThrown(error).split('\n')[0]!;
  }
}

/**
 * Pools under the prefix signed with another secret (`members`), which a worker never serves: one
 * status line for each, the first time it is seen (`seen`: those of the last look; their clients
 * get an MP_NO_WORKER warning). Returns the set to pass as `seen` next time.
 */
export function noteForeign(log: StatusLog, members: Set<string>, seen: ReadonlySet<string>): Set<string> {
  for (const member of members) {
    if (seen.has(member)) continue;
    log.event('pool ignored', {
      pool: member.slice(0, Math.max(0, member.lastIndexOf('.'))) || member,
      why: 'signed with another secret than this worker holds: give the pool and its workers the same secret (MULTIPROC_SECRET)',
    });
  }
  return members;
}
