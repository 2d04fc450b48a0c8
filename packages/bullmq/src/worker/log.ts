/**
 * The worker's status lines: one line per event, `<ISO time> <event> key=value ...`, values quoted
 * when they hold spaces. Easy to read in a terminal and to grep or parse in a log collector.
 */

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
    this.#write(line);
  }
}

/** `Name: message` of anything thrown, on one line. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message.split('\n')[0]}`;
  return String(error);
}
