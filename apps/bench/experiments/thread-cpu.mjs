// The CPU time of the calling thread, from /proc/thread-self/schedstat (Linux). The kernel updates
// it at scheduler ticks and switches, so only spans of 100 ms or more are exact enough.
import { openSync, readSync } from 'node:fs';

let fd = -1;
const buf = Buffer.alloc(128);

/** This thread's CPU time so far, in ns. */
export function threadCpuNs() {
  if (fd < 0) fd = openSync('/proc/thread-self/schedstat', 'r');
  const n = readSync(fd, buf, 0, buf.length, 0);
  return Number(buf.toString('latin1', 0, n).split(' ')[0]);
}

/** This thread's CPU time, run-queue wait (runnable, not running) in ns, and time slices so far. */
export function threadStat() {
  if (fd < 0) fd = openSync('/proc/thread-self/schedstat', 'r');
  const n = readSync(fd, buf, 0, buf.length, 0);
  const [cpu, wait, slices] = buf.toString('latin1', 0, n).split(' ').map(Number);
  return { cpu, wait, slices };
}
