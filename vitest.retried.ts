import type { Reporter, TestCase } from 'vitest/node';

/**
 * Lists, at the end of a run, every test that failed and then passed on its retry, with the first
 * line of each failure. The default reporter hides them; a retry that hides a real fault must not.
 */
export class RetriedReporter implements Reporter {
  private readonly retried: string[] = [];

  onTestCaseResult(test: TestCase): void {
    if (!test.diagnostic()?.flaky) return;
    const errors = test.result().errors ?? [];
    const first = errors.map((error) => String(error.message).split('\n')[0]).join(' | ');
    this.retried.push(`  ${test.module.moduleId} > ${test.fullName}\n    first try: ${first}`);
  }

  onTestRunEnd(): void {
    if (this.retried.length === 0) return;
    console.log(`\nPassed only on a retry (${this.retried.length}):\n${this.retried.join('\n')}\n`);
  }
}
