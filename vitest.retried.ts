import type { Reporter, TestCase } from 'vitest/node';

/**
 * Lists, at the end of a run, every test that failed and then passed on its retry, with the head of
 * each failure: its message up to the first blank line (a fast-check failure's seed, path and
 * counterexample) and its cause's first line (the assertion a property broke). The default
 * reporter hides them; a retry that hides a real fault must not.
 */
export class RetriedReporter implements Reporter {
  private readonly retried: string[] = [];

  onTestCaseResult(test: TestCase): void {
    if (!test.diagnostic()?.flaky) return;
    const errors = test.result().errors ?? [];
    const first = errors.map(head).join(' | ');
    this.retried.push(`  ${test.module.moduleId} > ${test.fullName}\n    first try: ${first}`);
  }

  onTestRunEnd(): void {
    if (this.retried.length === 0) return;
    console.log(`\nPassed only on a retry (${this.retried.length}):\n${this.retried.join('\n')}\n`);
  }
}

/** At most 6 lines of at most 300 characters: enough to replay the failure, short enough to read. */
function head(error: { message?: unknown; cause?: unknown }): string {
  const message = String(error.message).split('\n\n')[0] as string;
  const cause = (error.cause as { message?: unknown } | undefined)?.message;
  const lines = [
    ...message.split('\n'),
    ...(cause === undefined ? [] : [`caused by: ${String(cause).split('\n')[0]}`]),
  ];
  return lines
    .slice(0, 6)
    .map((line) => (line.length > 300 ? `${line.slice(0, 300)}…` : line))
    .join('\n      ');
}
