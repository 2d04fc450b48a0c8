/** Ans3: a `Process` whose target prints one line; start it, join it. */
import mp from '@multiproc/multiproc';
import { check, type Example } from '../example.js';
import { tasks } from '../tasks/source.js';

const EXPECTED = 'This is my process.';

export const ans3: Example = {
  name: 'ans3',
  title: 'Ans3 · a Process that prints one line',
  summary: "Process({ target }) prints 'This is my process.'; start(), join()",
  needs: ['Process'],
  async run({ context, captureOutput }) {
    const { value: exitCode, lines } = await captureOutput(async () => {
      const p = new mp.Process({ target: tasks.myProcess, context });
      p.start();
      await p.join();
      return p.exitCode;
    });
    check(exitCode === 0, `the process ended with exit code ${exitCode}`);
    check(
      lines.length === 1 && lines[0] === EXPECTED,
      `expected '${EXPECTED}', got ${JSON.stringify(lines)}`,
    );
    return { output: lines, exitCode };
  },
};
