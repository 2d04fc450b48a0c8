#!/usr/bin/env node
/**
 * `multiproc-demo`: the source document's examples (Ans3, Ans5, Ans6) run for real, its prose
 * (Ans1, Ans2, Ans4) illustrated, plus IPC and fault tolerance. `--help` for the options.
 *
 * This entry only loads the demo, so that a missing or broken build of the library is reported as
 * one line with a hint instead of a module-loading stack.
 */
const verbose = process.argv.includes('--verbose') || process.argv.includes('-v');

function fail(err: unknown, hint: string): void {
  const e = err instanceof Error ? err : new Error(String(err));
  process.stderr.write(`error: ${e.name}: ${e.message.split('\n')[0]}\n  hint: ${hint}\n`);
  if (verbose && e.stack) process.stderr.write(`${e.stack}\n`);
  process.exitCode = 1;
}

let main: typeof import('./main.js') | undefined;
try {
  main = await import('./main.js');
} catch (err) {
  fail(err, 'multiproc could not be loaded: build the workspace first (pnpm build, or npm run demo)');
}
if (main) {
  try {
    await main.cli();
  } catch (err) {
    fail(err, 'run with --verbose for the stack');
  }
}
