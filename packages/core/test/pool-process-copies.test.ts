// A 'process' pool's arguments and map results cross the host once, on the child's own channel:
// none is cloned over a MessagePort on its way. tinypool's child_process runtime forwards its
// tasks and answers through one, and each hop was a whole extra copy of a big argument or result
// (apps/bench, pool.big-arg-*).
import { MessagePort } from 'node:worker_threads';
import { Pool } from '@multiproc/core';
import { afterEach, expect, it } from 'vitest';
// @ts-expect-error: a plain JavaScript fixture (no types), loaded as is by the workers.
import { tasks } from './fixtures/buffer-tasks.mjs';

const BIG = 1 << 20;
const post = MessagePort.prototype.postMessage;
let pool: Pool | undefined;

afterEach(async () => {
  MessagePort.prototype.postMessage = post;
  await pool?.terminate();
  pool = undefined;
});

/** Whether `value` holds BIG bytes or more (what the test sends) in one buffer, a few levels down. */
function holdsBig(value: unknown, depth = 0): boolean {
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return value.byteLength >= BIG;
  if (typeof value !== 'object' || value === null || depth > 8) return false;
  return Object.values(value).some((v) => holdsBig(v, depth + 1));
}

it('sends a big argument, and a map chunk of big items and results, without a MessagePort hop', async () => {
  let hops = 0;
  MessagePort.prototype.postMessage = function (this: MessagePort, ...args: Parameters<typeof post>) {
    if (holdsBig(args[0])) hops++;
    return post.apply(this, args);
  };
  pool = new Pool({ processes: 1, context: 'process' });
  const big = new Uint8Array(BIG).fill(7);
  const back = await pool.apply(tasks.echo, [big]);
  expect([back.length, back[BIG - 1]]).toEqual([BIG, 7]);
  const callHops = hops;
  const chunk = await pool.map(tasks.echo, [big, big], { chunksize: 2 });
  expect(chunk.map((b: Uint8Array) => b.length)).toEqual([BIG, BIG]);
  // Before: the call's batch went through one (its result comes on the channel), the chunk's
  // batch and its answer through one each.
  expect({ call: callHops, map: hops - callHops }).toEqual({ call: 0, map: 0 });
}, 20_000);
