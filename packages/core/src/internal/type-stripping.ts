/**
 * How this program loads TypeScript, so that its workers load a task module the same way.
 *
 * A worker thread does not inherit a tsx loader (see the architecture notes), so a worker
 * registers tsx itself for a `.ts` task module (`load-task.ts`). But a program whose main file is
 * TypeScript that Node runs itself (22.18+ and 24 strip types; 22.6+ with
 * `--experimental-strip-types`) loads its modules without tsx, and tsx would load them otherwise:
 * a `.ts` file in a package without `"type": "module"` is ES module for Node (its syntax says so)
 * but CommonJS for tsx, which refuses a top-level `await` there and otherwise evaluates a second,
 * CommonJS copy of the module. The host says so in its workers' environment
 * ({@link STRIPS_TYPES_ENV}); a worker that is told so imports the module as Node would.
 */
import { getWorkerIdentity } from '../identity.js';

export const TS_EXTENSION = /\.[cm]?tsx?$/;
// `--import tsx`, `--import tsx/esm`, or a path inside the tsx package (the tsx CLI passes those).
export const TSX_FLAG = /^tsx(\/(esm|cjs))?$|[/\\]node_modules[/\\]tsx[/\\]/;
/** Set to `1` in a worker's environment when the program runs on Node's own type stripping. */
export const STRIPS_TYPES_ENV = 'MULTIPROC_STRIPS_TYPES';

// Flags that install module hooks, and preloads that register a TypeScript hook other than tsx.
const HOOK_FLAGS = new Set(['--loader', '--experimental-loader']);
const PRELOAD_FLAGS = new Set(['--import', '--require', '-r']);
const TS_PRELOAD = /ts-node|@swc-node|esbuild-register|@esbuild-kit|sucrase|@babel[/\\]register/;

/** The program's Node flags: its own and those in `NODE_OPTIONS`. */
function nodeFlags(): string[] {
  return [...process.execArgv, ...(process.env.NODE_OPTIONS?.split(/\s+/) ?? [])];
}

/** The specifier of a loader other than tsx that the program runs under, if any. */
export function otherLoader(): string | undefined {
  const args = nodeFlags();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    const value = eq > 0 ? arg.slice(eq + 1) : args[i + 1];
    if (value === undefined || TSX_FLAG.test(value)) continue;
    if (HOOK_FLAGS.has(name) || (PRELOAD_FLAGS.has(name) && TS_PRELOAD.test(value))) return value;
  }
  return undefined;
}

/** Whether this Node runs TypeScript by itself (type stripping, on by default from 22.18). */
export function nodeStripsTypes(): boolean {
  return Boolean((process.features as { typescript?: unknown }).typescript);
}

let stripping: boolean | undefined;

/**
 * Whether this program runs its TypeScript on Node's own type stripping: its main file is
 * TypeScript, Node strips types, and no loader (tsx or another) is in its flags. A worker of ours
 * answers what its parent said ({@link STRIPS_TYPES_ENV}); any other realm, as a program started by
 * a task, looks at its own flags and main file.
 */
export function programStripsTypes(): boolean {
  if (stripping !== undefined) return stripping;
  if (getWorkerIdentity() !== undefined) return process.env[STRIPS_TYPES_ENV] === '1';
  const main = process.argv[1];
  stripping =
    nodeStripsTypes() &&
    main !== undefined &&
    TS_EXTENSION.test(main) &&
    !nodeFlags().some((arg) => TSX_FLAG.test(arg)) &&
    otherLoader() === undefined;
  return stripping;
}
