/**
 * `for await (const v of proxy)` over a served iterator or generator (Python's `IteratorProxy`,
 * whose `list(proxy)` calls `__next__`): one `next()` round trip per value, until `done`.
 */
export async function* remoteIterator(
  next: () => Promise<unknown>,
): AsyncGenerator<unknown, void, undefined> {
  for (;;) {
    const step = (await next()) as IteratorResult<unknown> | undefined;
    if (step == null || step.done) return;
    yield step.value;
  }
}
