/**
 * What a `Process` shows as a string and to `console.log()` (process.ts), read from its state
 * without the checks of `pid` and `exitCode`, so also after `close()`.
 */
import { type Inspect, showFields } from './inspect.js';
import type { StartedProcess } from './started-process.js';

/** The parts of a Process its repr reads. */
export interface ReprState {
  readonly name: string;
  readonly state: 'initial' | 'started' | 'stopped' | 'closed';
  readonly started: StartedProcess | undefined;
  readonly daemon: boolean;
}

/** Python's repr: `<Process name='greeter' pid=4243 parent=4242 stopped exitCode=0>`. */
export function processRepr(s: ReprState): string {
  const exit = s.state === 'closed' ? undefined : s.started?.exit;
  const status = s.state === 'closed' ? 'closed' : exit ? 'stopped' : s.started ? 'started' : 'initial';
  const pid = s.state !== 'closed' && s.started ? ` pid=${s.started.runner.pid}` : '';
  const code = exit ? ` exitCode=${exit.exitCode < 0 && exit.signal ? exit.signal : exit.exitCode}` : '';
  return `<Process name='${s.name}'${pid} parent=${process.pid} ${status}${code}${s.daemon ? ' daemon' : ''}>`;
}

/** `Process { name: 'Process-1', pid: 4242, exitCode: null, alive: true }` (`closed: true` once closed). */
export function showProcess(s: ReprState, options: unknown, inspect: Inspect | undefined): string {
  if (s.state === 'closed') return showFields('Process', { name: s.name, closed: true }, options, inspect);
  const fields = {
    name: s.name,
    pid: s.started?.runner.pid ?? null,
    exitCode: s.started?.exit?.exitCode ?? null,
    alive: s.state === 'started' && s.started?.exit === undefined,
  };
  return showFields('Process', fields, options, inspect);
}
