/**
 * What a manager client (client.ts) says when a call may not have been applied: a process
 * warning of type `ManagerWarning` for a pipelined call that failed or a connection that broke,
 * and a line on stderr at exit (no warning can be printed then) for calls it could not deliver.
 */
import { writeSync } from 'node:fs';
import { AuthenticationError, ManagerClosedError } from '../../errors.js';
import { managerUnreached } from '../net/connect-error.js';
import type { Address } from '../net/endpoint.js';
import { localOsError } from '../net/os-errors.js';
import { decodeAnswer } from './rpc-read.js';
import type { ErrorRecord } from './wire.js';

/** A pipelined call failed (LATE, its error record at `buf[start, end)`): MP_LATE_RELEASE or MP_LATE_WRITE. */
export function warnLate(buf: Buffer, start: number, end: number): void {
  let record: ErrorRecord;
  try {
    record = decodeAnswer(buf, start, end) as ErrorRecord;
  } catch (err) {
    record = { name: 'Error', message: (err as Error).message };
  }
  const code = record.method === 'release' ? 'MP_LATE_RELEASE' : 'MP_LATE_WRITE';
  process.emitWarning(record.message, { type: 'ManagerWarning', code });
}

/** The connection broke (`err`) with `unread` pipelined calls the manager had not confirmed. */
export function warnBroken(unread: number, err: Error): void {
  if (unread <= 0) return;
  process.emitWarning(
    `${unread} call(s) sent to the manager without waiting for an answer (a held lock's release, ` +
      `a dict's set, ...) may not have been applied: the connection broke (${err.message}).`,
    { type: 'ManagerWarning', code: 'MP_LATE_WRITE' },
  );
}

/** At exit, `what` could not be delivered to the manager at `address`: its connection was not made yet. */
export function warnUndelivered(what: string, address: Address): void {
  writeSync(
    2,
    `multiproc: ${what} made right before exit could not be delivered to the manager at ` +
      `${JSON.stringify(address)}: await a proxy call before ending, so its connection is made.\n`,
  );
}

/**
 * The error of every call of a connection that died of `cause`: a wrong authkey, or this side's
 * own system condition (EMFILE: the manager is not gone, a later call connects again), says so.
 */
export function managerGone(address: Address, cause: unknown): Error {
  const at = JSON.stringify(address);
  if (cause instanceof AuthenticationError) {
    return new AuthenticationError(
      `The manager at ${at} refused this connection: the authkey does not match (${cause.message}). A proxy ` +
        "received from another program uses this program's processAuthkey(), or the authkey it " +
        'started or connected a manager at that address with: connect a BaseManager to that address ' +
        "with the manager's authkey first, or set the same processAuthkey() in both programs.",
      { cause },
    );
  }
  const local = localOsError(
    cause,
    `connect to the manager at ${at}`,
    'The manager is not known to be gone: this call failed, the next one connects again ' +
      '(close files or sockets you no longer need, or raise the limit).',
  );
  if (local) return local;
  const unreached = managerUnreached(cause, address);
  if (unreached !== null) {
    return new ManagerClosedError(
      `No manager serves at ${at}: ${unreached}. It was never started there, was shut down, or its ` +
        'program ended. Start it first (manager.start(), or getServer().serveForever() in the program ' +
        'that serves it), check the address, and connect with its authkey; keep it running while ' +
        'its proxies are in use.',
      { cause },
    );
  }
  return new ManagerClosedError(
    `The manager at ${at} is gone (shut down, or its program ended): ` +
      'its proxies no longer work. Keep the manager running while its proxies are in use.',
    { cause },
  );
}
