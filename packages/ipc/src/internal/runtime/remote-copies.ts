/**
 * New copies of a copy's endpoint (remote-handle.ts): for a thread, a port attached through this
 * copy's link with its own shared words; otherwise a reservation the home keeps under a token that
 * the new copy claims over a socket of its own. A copy whose home is in this very thread (one that
 * came back here through a queue or a pipe) has its home make the new copy, as the home's own
 * handle would: the worker it goes to then counts as ended at once when it ends (home-runtime.ts
 * `encode`), not once a frame over this copy's socket to itself arrives, after a pool call that
 * worker ran has rejected.
 */
import { existsSync } from 'node:fs';
import { type EncodeContext, SerializationError } from '@multiproc/shared';
import type { Link } from '../link/link.js';
import { PortLink } from '../link/port-link.js';
import { SocketLink } from '../link/socket-link.js';
import { COPY_SHARED_BYTES } from '../protocol/count.js';
import { Op } from '../protocol/ops.js';
import { broker, dialHere } from './broker.js';
import { onHolderEnded } from './carried.js';
import type { HandleData, HandleKeeper } from './handle.js';
import type { HomeRuntime } from './home-runtime.js';

/** The data of a new copy of endpoint `data` for `ctx`, made through `link`. */
export function encodeCopy(data: HandleData, link: Link, ctx: EncodeContext): HandleData {
  const { path, id, end } = data;
  const home = homeHere(data, link);
  if (home) return home.encode(end, ctx);
  if (ctx.target === 'thread' && link instanceof PortLink) {
    const { port1, port2 } = new (process.getBuiltinModule('node:worker_threads').MessageChannel)();
    const shared = new SharedArrayBuffer(COPY_SHARED_BYTES);
    link.attach(port1, shared);
    ctx.transfer(port2);
    return { path, id, end, port: port2, shared, count: data.count };
  }
  if (data.viaClient) assertHomeReachable(path, ctx.path);
  const token = process.getBuiltinModule('node:crypto').randomUUID();
  const tracked = typeof ctx.onReceiverEnd === 'function';
  link.send(Op.R_RESERVE, tracked ? 1 : 0, 0, token);
  link.flush();
  return onHolderEnded({ path, id, end, token }, ctx, () => link.send(Op.R_UNRESERVE, 0, 0, token));
}

/**
 * A keeper of endpoint `data` made by its home when that is in this very thread (else undefined):
 * released at once, where a kept copy's close goes over its socket to this thread (a pool call's
 * keeper, released as the call settles, kept a pipe end that its worker held open after the call
 * rejected).
 */
export function keeperHere(data: HandleData, link: Link): HandleKeeper | undefined {
  return homeHere(data, link)?.keep(data.end);
}

/** The data of a kept copy of endpoint `data` (remote-handle.ts, `keep()`), made through `link`. */
export function keptCopy(data: HandleData, link: Link): HandleData {
  const { path, id, end } = data;
  if (link instanceof PortLink) {
    const { port1, port2 } = new (process.getBuiltinModule('node:worker_threads').MessageChannel)();
    const shared = new SharedArrayBuffer(COPY_SHARED_BYTES);
    link.attach(port1, shared);
    return { path, id, end, port: port2, shared, count: data.count };
  }
  if (data.viaClient) assertHomeReachable(path, 'initargs');
  const token = process.getBuiltinModule('node:crypto').randomUUID();
  link.send(Op.R_RESERVE, 0, 0, token);
  link.flush();
  return { path, id, end, token };
}

/** The home of endpoint `data` if it lives in this thread: a port leads to another thread. */
function homeHere(data: HandleData, link: Link): Pick<HomeRuntime, 'encode' | 'keep'> | undefined {
  // dialHere starts no broker: a thread that has none is home to nothing.
  if (!(link instanceof SocketLink) || !dialHere(data.path, undefined)) return undefined;
  const home = broker().get(data.id) as Partial<HomeRuntime> | undefined;
  return typeof home?.encode === 'function' && typeof home.keep === 'function'
    ? (home as HomeRuntime)
    : undefined;
}

/**
 * A new copy over a socket dials its home's broker at `path`. A `Client()` connection's home is
 * the listener's program: its broker is on this machine only if the listener is (the path is
 * empty when the listener is of a version that did not say it). Asked only for such a copy: a
 * queue's or pipe's copy whose home ended is still sent (it gets EOF after its bequest). Throws before anything is
 * reserved, so nothing is sent to a copy that could never claim it.
 * @throws {SerializationError} naming `where`, saying to connect from the worker instead.
 */
function assertHomeReachable(path: string, where: string): void {
  if (path !== '' && (process.platform === 'win32' || existsSync(path))) return;
  throw new SerializationError(
    where,
    `Cannot send ${where}: it is a Connection made by Client() to a Listener on another machine, ` +
      'and its socket cannot move to another process or thread. Pass the listener address ' +
      'instead and call Client() in the worker.',
  );
}
