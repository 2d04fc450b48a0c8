// The contract's "a pending wait (join, get, recv, acquire, wait) keeps the program alive while
// something live could still satisfy it; when nothing can any more, it rejects instead of letting
// the program end with an unsettled await", for every waiting API, as whole programs
// (fixtures/wait-exit-53-program.mjs <case> <context>): the only party that could satisfy the wait
// is a worker that does so later (`-live`: it resolves), a worker that ends without doing so
// (`-returned`, `-exit`, `-terminated`, `-killed`: a named error, or what Python answers there),
// or nobody at all (`-none`). Each program must print its outcome and end by itself soon after,
// with code 0: never 13 (an unsettled top-level await), never a hang. `in-worker:` runs the same
// case inside a worker of the context, whose wait must settle there too, and the worker end.
// The whole matrix runs in the full tier (MULTIPROC_TESTS=full); CI runs wait-exit-53-ci.test.ts.
import { describe, it } from 'vitest';
import { all, checkCase } from './wait-exit-53-kit.ts';

describe.concurrent('a pending wait whose only satisfier lives, ends or never was', () => {
  it.for(all)('%s (%s context)', { timeout: 40_000 }, async ([which, context], { expect }) => {
    await checkCase(which, context, expect);
  });
});
