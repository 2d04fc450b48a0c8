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
