/**
 * A connection this side could not make because of its own system's limits (out of file
 * descriptors, memory, local ports) or a refusal that does not mean the other side is gone: told
 * apart from "the peer is gone", which a refused or reset connection means. Python raises the
 * `OSError` itself then (`[Errno 24] Too many open files`); here a `ProcessError` that says so,
 * with the system error's name as `errno`, its call as `syscall`, and the system error as `cause`.
 */
import { ProcessError } from '@multiproc/shared';

/** The system conditions that are this side's, not the peer's absence, in words. */
const REASONS: Readonly<Record<string, string>> = {
  EMFILE: 'too many open files in this process (its limit of open file descriptors, `ulimit -n`, is reached)',
  ENFILE: "too many open files on this system (the system's limit of open files is reached)",
  ENOBUFS: 'the system has no buffer space left for another socket',
  ENOMEM: 'the system is out of memory for another socket',
  EADDRNOTAVAIL: 'no local address or port is free to connect from',
  EACCES: "permission denied on the other side's socket",
  EPERM: 'the system does not permit this connection',
};

type SystemError = Error & { code?: unknown; syscall?: unknown };

/** {@link REASONS}' words for the system error name `code`, or null when it is not this side's own. */
export function localReason(code: string): string | null {
  return Object.hasOwn(REASONS, code) ? REASONS[code]! : null;
}

/** Whether `err` is a system error of this side's own (see {@link REASONS}), not the peer being gone. */
export function isLocalOsError(err: unknown): boolean {
  const code = (err as SystemError | null)?.code;
  return typeof code === 'string' && Object.hasOwn(REASONS, code);
}

/**
 * The error for `err` when it is this side's own system condition, else null: "Cannot `what`:
 * <the condition> (EMFILE). `after`".
 */
export function localOsError(err: unknown, what: string, after: string): ProcessError | null {
  if (!isLocalOsError(err)) return null;
  const e = err as SystemError;
  const code = e.code as string;
  const error = new ProcessError(`Cannot ${what}: ${REASONS[code]} (${code}). ${after}`, { cause: err });
  Object.defineProperty(error, 'errno', { value: code, enumerable: true });
  Object.defineProperty(error, 'syscall', {
    value: typeof e.syscall === 'string' ? e.syscall : 'connect',
    enumerable: true,
  });
  return error;
}

/**
 * The error of a queue or pipe copy that never reached its home (`what`: `'Queue'`, `'pipe'`)
 * because of this side's own condition, or null when it did or the home is gone.
 */
export function unreachedHome(h: { unreachable?(): Error | null }, what: string): ProcessError | null {
  return localOsError(
    h.unreachable?.() ?? null,
    `reach the thread or process that owns this ${what}`,
    `Its owner is not known to be gone, but this copy of the ${what} no longer works (connecting was ` +
      `retried for up to 10 s): send the ${what} here again once the condition clears.`,
  );
}
