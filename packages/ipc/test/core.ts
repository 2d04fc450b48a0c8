// The core package's build: `Process` for the tests that run real Processes. Core depends on this
// package, so it cannot be a dependency here; turbo builds it before these tests run (turbo.json,
// `@multiproc/ipc#test`). A missing build fails these tests loudly rather than skipping them.
const CORE = new URL('../../core/dist/index.js', import.meta.url);

export const core: Record<string, any> = await import(CORE.href).catch((err: unknown) => {
  throw new Error(
    `These tests need the core package built first (${CORE.pathname}): run \`npx turbo run build\`.`,
    { cause: err },
  );
});

const started: any[] = [];

/** Starts a real core `Process` running `target(...args)`; {@link killProcesses} ends it after the test. */
export function startProcess(context: 'thread' | 'process', target: unknown, args: unknown[]): any {
  const p = new core.Process({ target, args, context });
  started.push(p);
  p.start();
  return p;
}

/** Kills every Process {@link startProcess} started that is still alive (call it from `afterEach`). */
export function killProcesses(): void {
  for (const p of started.splice(0)) if (p.isAlive()) p.kill();
}
