/**
 * Host side, 'process' context: one reaper per program (per realm that forks), so a forked child
 * needs no watchdog thread of its own to be sure it never outlives this program.
 *
 * The reaper is a tiny `/bin/sh` loop started at the first fork. It reads `+pid` / `-pid` lines on
 * its stdin, one per child forked and per child exited, and a `t pid` line for a daemon `Process`'s
 * child; when its stdin ends (this program exited or was killed, even with SIGKILL: the kernel
 * closes the pipe), it sends SIGTERM to the daemons still listed and gives them up to
 * {@link TERMINATE_GRACE_MS} to end (Python's exit function calls `terminate()` on daemonic
 * children), then SIGKILLs every child still listed and exits. The program does not wait for
 * this: a program that calls `process.exit()` ends at once. It ignores SIGINT, SIGTERM and SIGHUP, so a signal sent to the whole process
 * group does not take it down before it has done its work.
 *
 * A child learns that it is covered from {@link REAPED_BY_ENV} (this program's pid, which must equal
 * its `process.ppid`) and then skips its watchdog thread (see `worker/child-guard.ts`). That thread
 * cost each child a second V8 isolate at start-up; the reaper costs one `sh` per program. Where
 * there is no `/bin/sh` (Windows), or the reaper could not start or has died, children are forked
 * without the variable and keep their watchdog thread.
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { REAPED_BY_ENV } from '../worker/child-guard.js';
import { TERMINATE_GRACE_MS } from './runner.js';

const SHELL = '/bin/sh';

// POSIX sh only. `${l%% $p *}` / `${l#* $p }` cut one ` pid ` out of the space-padded list.
// `$t` lists the daemons: SIGTERM first, then up to GRACE_TICKS looks 0.1 s apart (`kill -0`; the
// children, orphaned, are reaped by init) before the SIGKILL. A `sleep` without fractions waits 1 s.
const GRACE_TICKS = Math.ceil(TERMINATE_GRACE_MS / 100);
const REAPER_LOOP = `l=' '
t=' '
while read -r op p; do
  case $op in
    +) l="$l$p " ;;
    t) t="$t$p " ;;
    -) case $l in *" $p "*) l="\${l%% $p *} \${l#* $p }" ;; esac
       case $t in *" $p "*) t="\${t%% $p *} \${t#* $p }" ;; esac ;;
  esac
done
if [ "$t" != ' ' ]; then
  kill -15 $t 2>/dev/null
  n=0
  while [ $n -lt ${GRACE_TICKS} ]; do
    a=
    for p in $t; do kill -0 $p 2>/dev/null && a=1; done
    [ -z "$a" ] && break
    sleep 0.1 2>/dev/null || n=${GRACE_TICKS}
    n=$((n+1))
  done
fi
[ "$l" = ' ' ] || kill -9 $l 2>/dev/null
exit 0`;
// The loop runs in a background subshell (its stdin, which an async list would get as /dev/null,
// given back through fd 3), and the `sh` this realm spawned exits at once: this realm's event loop
// reaps it then. A reaper that was this realm's own child would end after the realm (a worker
// thread that forked), when nothing is left to reap it: one zombie `sh` per such thread until the
// program exits. The subshell, orphaned, is reaped by init.
const REAPER_SCRIPT = `trap '' INT TERM HUP
exec 3<&0
(
${REAPER_LOOP}
) <&3 &
exit 0`;

type Blocking = { _handle?: { setBlocking?(blocking: boolean): void } };
type Pipe = NonNullable<ChildProcess['stdin']>;

/** The reaper's stdin, written here; it is gone when this pipe is. */
let reaper: Pipe | undefined;
let unavailable = process.platform === 'win32' || !shellFound();

/**
 * Whether {@link SHELL} is there. Under Node's permission model, `existsSync` of a path the program
 * may not read throws `ERR_ACCESS_DENIED` (Node 20-24) instead of answering: no reaper then, and
 * children keep their watchdog thread.
 */
function shellFound(): boolean {
  try {
    return existsSync(SHELL);
  } catch {
    return false;
  }
}

function startReaper(): Pipe | undefined {
  if (unavailable) return undefined;
  if (reaper) return reaper;
  try {
    const child = process.getBuiltinModule('node:child_process').spawn(SHELL, ['-c', REAPER_SCRIPT], {
      stdio: ['pipe', 'ignore', 'ignore'],
      env: {},
      windowsHide: true,
    });
    const gone = () => {
      unavailable = true;
      reaper = undefined;
    };
    // Before anything can throw: a spawn the system refused (EAGAIN under RLIMIT_NPROC) is
    // reported as an 'error' on the next tick, which would crash the program unheard.
    child.on('error', gone);
    // The spawned `sh` exits at once, leaving the reaper reading (see REAPER_SCRIPT).
    child.on('exit', (code) => {
      if (code !== 0) gone();
    });
    const pipe = child.stdin;
    if (child.pid === undefined || !pipe) throw new Error('no reaper');
    // Node destroys a child's stdin when the child exits: keep the pipe out of its reach.
    (child as { stdin: Pipe | null }).stdin = null;
    pipe.on('error', () => {});
    pipe.on('close', gone);
    // Blocking writes: a `+pid` line must reach the pipe before this program can exit.
    (pipe as unknown as Blocking)._handle?.setBlocking?.(true);
    // Neither the reaper nor its pipe may keep this program alive.
    child.unref();
    (pipe as unknown as { unref?(): void }).unref?.();
    reaper = pipe;
    return pipe;
  } catch {
    unavailable = true;
    return undefined;
  }
}

function tell(line: string): boolean {
  const r = reaper ?? startReaper();
  if (!r || r.destroyed) return false;
  r.write(line);
  return true;
}

/**
 * The environment for a child about to be forked: `base` plus {@link REAPED_BY_ENV} when the
 * reaper runs (it is started here, at the first fork), else `base` unchanged.
 */
export function reapedEnv(base: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return startReaper() ? { ...base, [REAPED_BY_ENV]: String(process.pid) } : base;
}

/**
 * Lists a forked child with the reaper until it exits. Call it right after `fork()` with the env
 * from {@link reapedEnv}.
 */
export function reapWithProgram(child: ChildProcess): void {
  const pid = child.pid;
  if (pid === undefined || !tell(`+ ${pid}\n`)) return;
  child.once('exit', () => {
    if (reaper) tell(`- ${pid}\n`);
  });
}

/**
 * Marks a listed child (see {@link reapWithProgram}) as a daemon: when this program ends without
 * having ended it, the reaper sends it SIGTERM and waits up to {@link TERMINATE_GRACE_MS} before the
 * SIGKILL. Does nothing for a child the reaper does not list.
 */
export function terminateFirstAtEnd(pid: number): void {
  if (reaper && pid > 0) tell(`t ${pid}\n`);
}
