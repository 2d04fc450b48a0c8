import { describe, expect, it } from 'vitest';
import { runCli } from './helpers.js';

const ANS5 = '[1, 4, 9, 16, 25, 36, 49, 64, 81, 100]';
const ALL = ['ans3', 'ans5', 'ans6', 'ans1', 'ans2', 'ans4', 'ipc', 'faults'];

// Each run starts real workers: under a second on an idle machine, but CI runs every package's
// tests at once on 2 cores and a run has taken over 20 s there. A run is killed after SHORT or LONG
// ms; the test's own bound is MARGIN later, so a slow run fails with the demo's output.
const SHORT = 90_000;
const LONG = 180_000;
const MARGIN = 10_000;

interface JsonOutcome {
  name: string;
  ok: boolean;
  status: string;
  durationMs: number;
  result?: Record<string, unknown>;
  error?: { name: string; message: string; hint: string };
}

describe('multiproc-demo, the source examples', () => {
  it('Ans3 prints exactly "This is my process."', { timeout: SHORT + MARGIN }, async () => {
    const run = await runCli(['--only', 'ans3'], SHORT);
    expect(run.code, run.stderr).toBe(0);
    expect(run.lines).toContain('This is my process.');
  });

  it("Ans5 prints the squares the way Python's print() does", { timeout: SHORT + MARGIN }, async () => {
    const run = await runCli(['--only', 'ans5'], SHORT);
    expect(run.code, run.stderr).toBe(0);
    expect(run.lines).toContain(ANS5);
  });

  it('Ans6 prints four whole lines, in any order', { timeout: SHORT + MARGIN }, async () => {
    const run = await runCli(['--only', 'ans6'], SHORT);
    expect(run.code, run.stderr).toBe(0);
    const numbers = run.lines.filter((line) => line.includes('Number'));
    expect(numbers.filter((line) => /^Number: [1-4]$/.test(line)).sort()).toEqual([
      'Number: 1',
      'Number: 2',
      'Number: 3',
      'Number: 4',
    ]);
    // Only the explanatory note mentions "Number" besides the four lines themselves.
    expect(numbers.filter((line) => !/^Number: [1-4]$/.test(line))).toHaveLength(1);
  });

  it('--quiet prints only the result', { timeout: SHORT + MARGIN }, async () => {
    const run = await runCli(['--only', 'ans5', '--quiet'], SHORT);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe(`${ANS5}\n`);
  });

  it('--context process runs them in child processes', { timeout: SHORT + MARGIN }, async () => {
    const run = await runCli(['--context', 'process', '--only', 'ans3,ans5,ans6', '--quiet'], SHORT);
    expect(run.code, run.stderr).toBe(0);
    expect(run.lines[0]).toBe('This is my process.');
    expect(run.lines[1]).toBe(ANS5);
    expect(run.lines.slice(2).sort()).toEqual(['Number: 1', 'Number: 2', 'Number: 3', 'Number: 4']);
  });
});

describe('multiproc-demo options', () => {
  it('--only takes a comma list and repeats, and runs in the default order', {
    timeout: SHORT + MARGIN,
  }, async () => {
    const run = await runCli(['--only', 'ans5', '--only', 'ans3'], SHORT);
    expect(run.code, run.stderr).toBe(0);
    const headings = run.lines.filter((line) => line.startsWith('== '));
    expect(headings).toHaveLength(2);
    expect(headings[0]).toMatch(/^== Ans3/);
    expect(headings[1]).toMatch(/^== Ans5/);
    expect(run.stdout).not.toContain('Number: 1');
  });

  it('--list names every example and runs none', { timeout: SHORT + MARGIN }, async () => {
    const run = await runCli(['--list'], SHORT);
    expect(run.code, run.stderr).toBe(0);
    expect(run.lines.slice(2).map((line) => line.split(/\s+/)[0])).toEqual(ALL);
    expect(run.lines.filter((line) => line.startsWith('== '))).toEqual([]);
    const json = JSON.parse((await runCli(['--list', '--json'], SHORT)).stdout);
    expect(json.examples.map((e: { name: string }) => e.name)).toEqual(ALL);
  });

  it('rejects an unknown example name, listing the valid ones', { timeout: SHORT + MARGIN }, async () => {
    const run = await runCli(['--only', 'ans3,nope'], SHORT);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain("'nope'");
    for (const name of ALL) expect(run.stderr).toContain(name);
    expect(run.stdout).not.toContain('This is my process.');
  });

  it('rejects an unknown context', { timeout: SHORT + MARGIN }, async () => {
    const run = await runCli(['--context', 'fiber', '--only', 'ans3'], SHORT);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain('fiber');
    expect(run.stderr).toMatch(/thread.*process/);
  });

  it('--json prints one JSON document with every example and its result', {
    timeout: LONG + MARGIN,
  }, async () => {
    const run = await runCli(['--json'], LONG);
    const doc = JSON.parse(run.stdout) as { ok: boolean; context: string; examples: JsonOutcome[] };
    const failed = doc.examples.filter((e) => !e.ok).map((e) => `${e.name}: ${JSON.stringify(e.error)}`);
    expect(failed).toEqual([]);
    expect(run.code).toBe(0);
    expect(doc.ok).toBe(true);
    expect(doc.context).toBe('thread');
    expect(doc.examples.map((e) => e.name)).toEqual(ALL);
    for (const example of doc.examples) {
      expect(example.status).toBe('passed');
      expect(example.durationMs).toBeGreaterThan(0);
      expect(example.result).toBeTypeOf('object');
    }
    const byName = Object.fromEntries(doc.examples.map((e) => [e.name, e.result ?? {}]));
    expect(byName.ans3?.output).toEqual(['This is my process.']);
    expect(byName.ans5?.output).toEqual([ANS5]);
    expect([...((byName.ans6?.output ?? []) as string[])].sort()).toEqual([
      'Number: 1',
      'Number: 2',
      'Number: 3',
      'Number: 4',
    ]);
    expect(byName.ipc?.counter).toMatchObject({ withLock: 200_000 });
  });
});
