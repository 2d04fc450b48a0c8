/**
 * New copies of a copy's endpoint (remote-handle.ts): for a thread, a port attached through this
 * copy's link with its own shared words; otherwise a reservation the home keeps under a token that
 * the new copy claims over a socket of its own.
 */
import { MessageChannel } from 'node:worker_threads';
import type { EncodeContext } from '@multiproc/shared';
import type { Link } from '../link/link.js';
import { PortLink } from '../link/port-link.js';
import { COPY_SHARED_BYTES } from '../protocol/count.js';
import { Op } from '../protocol/ops.js';
import type { HandleData } from './handle.js';

/** The data of a new copy of endpoint `data` for `ctx`, made through `link`. */
export function encodeCopy(data: HandleData, link: Link, ctx: EncodeContext): HandleData {
  const { path, id, end } = data;
  if (ctx.target === 'thread' && link instanceof PortLink) {
    const { port1, port2 } = new MessageChannel();
    const shared = new SharedArrayBuffer(COPY_SHARED_BYTES);
    link.attach(port1, shared);
    ctx.transfer(port2);
    return { path, id, end, port: port2, shared, count: data.count };
  }
  const token = process.getBuiltinModule('node:crypto').randomUUID();
  const tracked = typeof ctx.onReceiverEnd === 'function';
  link.send(Op.R_RESERVE, tracked ? 1 : 0, 0, token);
  link.flush();
  ctx.onReceiverEnd?.(() => link.send(Op.R_UNRESERVE, 0, 0, token));
  return { path, id, end, token };
}

/** The data of a kept copy of endpoint `data` (remote-handle.ts, `keep()`), made through `link`. */
export function keptCopy(data: HandleData, link: Link): HandleData {
  const { path, id, end } = data;
  if (link instanceof PortLink) {
    const { port1, port2 } = new MessageChannel();
    const shared = new SharedArrayBuffer(COPY_SHARED_BYTES);
    link.attach(port1, shared);
    return { path, id, end, port: port2, shared, count: data.count };
  }
  const token = process.getBuiltinModule('node:crypto').randomUUID();
  link.send(Op.R_RESERVE, 0, 0, token);
  link.flush();
  return { path, id, end, token };
}
