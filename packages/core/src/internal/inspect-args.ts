/**
 * The inspector flags of a forked child. A child given the program's own `--inspect=9339` tries to
 * listen on the port the program holds and prints "Starting inspector on 127.0.0.1:9339 failed:
 * address already in use", once per child. Node's `cluster` gives each worker the next port; a
 * pool's children all start with one `execArgv`, so each gets port 0 instead: the system picks a
 * free port, and the child prints "Debugger listening on ws://…" with it, ready to attach to.
 * `--inspect-brk` and `--inspect-wait` become `--inspect` too: a child that waits for a debugger
 * before running would hold up every pool call and `Process.start()` until one attaches.
 * `--inspect-port`/`--debug-port` (the port for a later activation) are left out: port 0 serves.
 * Worker threads are unaffected: they share the program's inspector.
 */

/** The flags that start the inspector, each with an optional `=[host:]port`. */
const STARTS = new Set(['--inspect', '--inspect-brk', '--inspect-wait']);
/** The flags that only set the port (`--inspect-port=9339` or `--inspect-port 9339`). */
const PORTS = new Set(['--inspect-port', '--debug-port']);

/** `host` of `[host:]port` (or of a bare host), or `undefined` for a bare port. */
function hostOf(value: string): string | undefined {
  if (/^\d+$/.test(value)) return undefined;
  const colon = value.lastIndexOf(':');
  // `[::1]:9229` and `host:9229` have a port after their last colon; `::1` alone does not.
  return colon > 0 && /^\d+$/.test(value.slice(colon + 1)) && !value.endsWith(']')
    ? value.slice(0, colon)
    : value;
}

/** `args` with every inspector flag made one a child can use beside the program (see above). */
export function childInspectArgs(args: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    const eq = arg.indexOf('=');
    const name = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    if (PORTS.has(name)) {
      if (name === arg) i++; // the value is the next argument
      continue;
    }
    if (!STARTS.has(name)) {
      out.push(arg);
      continue;
    }
    const host = name === arg ? undefined : hostOf(arg.slice(eq + 1));
    out.push(host === undefined ? '--inspect=0' : `--inspect=${host}:0`);
  }
  return out;
}

/** Whether `args` start the inspector (so a child's flags need {@link childInspectArgs}). */
export function hasInspectArgs(args: readonly string[]): boolean {
  return args.some((arg) => /^--(inspect|debug-port)/.test(arg));
}
