/** Ans6: four `Process`es printing `Number: 1` … `Number: 4`, every line whole. */
import mp from '@multiproc/multiproc';
import { check, type Example } from '../example.js';
import { tasks } from '../tasks/source.js';

const COUNT = 4;

export const ans6: Example = {
  name: 'ans6',
  title: 'Ans6 · four Processes, one line each',
  summary: "four Processes print 'Number: 1' … 'Number: 4', in any order, each line whole",
  needs: ['Process'],
  async run({ context, out, captureOutput }) {
    const { value: exitCodes, lines } = await captureOutput(async () => {
      const processes = Array.from(
        { length: COUNT },
        (_, i) => new mp.Process({ target: tasks.printNum, args: [i + 1], context }),
      );
      for (const p of processes) p.start();
      for (const p of processes) await p.join();
      return processes.map((p) => p.exitCode);
    });
    check(
      exitCodes.every((code) => code === 0),
      `exit codes ${exitCodes.join(', ')}, expected all 0`,
    );
    const expected = Array.from({ length: COUNT }, (_, i) => `Number: ${i + 1}`);
    check(
      lines.length === COUNT && [...lines].sort().join('\n') === expected.join('\n'),
      `expected the lines ${expected.join(', ')} in any order, got ${JSON.stringify(lines)}`,
    );
    out.note(
      "Python's own output interleaved here ('Number: 1Number:', then ' 2'); multiproc never splits a line.",
    );
    return { output: lines, order: lines.map((line) => Number(line.slice('Number: '.length))) };
  },
};
