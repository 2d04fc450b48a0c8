/**
 * Smoke test of the built CLI: two cheap suites with --quick, then the shape of the JSON it wrote.
 * No timing assertions: the numbers of a --quick run mean nothing.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const STATUSES = ['ok', 'pending', 'skipped', 'error'];

describe('bench --quick', () => {
  let dir: string;
  let stdout: string;
  let report: any;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mp-bench-'));
    const json = join(dir, 'smoke.json');
    // A few cases of each kind (multiproc, a raw baseline, a peer's floor, one Python): the whole
    // of both suites took over 170 s once in CI, where every package's tests share 2 cores.
    const only =
      'process/start/multiproc-thread,process/start/bare-worker,process/idle-join,shared/lock,shared/codec';
    ({ stdout } = await run(
      process.execPath,
      [CLI, 'shared', 'process', '--quick', '--only', only, '--json', json],
      {
        timeout: 170_000,
      },
    ));
    report = JSON.parse(await readFile(json, 'utf8'));
  }, 180_000);

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('prints a markdown table per suite and one line per target', () => {
    expect(stdout).toContain('### shared');
    expect(stdout).toContain('### process');
    expect(stdout).toMatch(/\| question +\| implementation +\| +median \|/);
    expect(stdout).toMatch(/^TARGET #3 .* -> (MET|NOT MET|PENDING)$/m);
  });

  it('writes machine info and the run settings', () => {
    expect(report.schema).toBe(1);
    expect(report.quick).toBe(true);
    expect(report.runs).toBe(1);
    expect(report.warmup).toBe(0); // --quick takes no warm-up sample
    expect(report.suites).toEqual(['process', 'shared']);
    expect(report.machine.cores).toBeGreaterThan(0);
    expect(typeof report.machine.cpuModel).toBe('string');
    expect(report.machine.node).toBe(process.version);
    expect(Object.keys(report.machine.peers)).toEqual(
      expect.arrayContaining(['tinypool', 'piscina', 'workerpool']),
    );
  });

  it('records every case with a status, and samples with median/min/max when measured', () => {
    expect(report.cases.length).toBeGreaterThan(5);
    for (const c of report.cases) {
      expect(STATUSES).toContain(c.status);
      expect(['process', 'shared']).toContain(c.suite);
      if (c.status === 'ok') {
        expect(c.samples).toHaveLength(1);
        expect(c.warmup).toBe(0);
        for (const k of ['median', 'min', 'max']) expect(typeof c[k]).toBe('number');
      } else {
        expect(c.samples).toEqual([]);
        expect(typeof c.note).toBe('string');
      }
    }
    // The raw baselines need nothing from multiproc: they must have run.
    const bare = report.cases.find((c: any) => c.id === 'process/start/bare-worker');
    expect(bare.status).toBe('ok');
  });

  it('evaluates the targets of the suites that ran', () => {
    expect(report.targets.length).toBeGreaterThan(0);
    for (const t of report.targets) {
      expect([3, 4, 18]).toContain(t.issue);
      expect(['MET', 'NOT MET', 'PENDING']).toContain(t.status);
    }
  });

  it('renders SVG charts from the JSON', async () => {
    const charts = join(dir, 'smoke-charts');
    expect(existsSync(charts)).toBe(true);
    const files = await readdir(charts);
    expect(files.some((f) => f.endsWith('.svg'))).toBe(true);
    const svg = await readFile(join(charts, files[0]!), 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
  });
});

describe('bench arguments', () => {
  it('rejects an unknown suite', async () => {
    await expect(run(process.execPath, [CLI, 'nope', '--quick'])).rejects.toMatchObject({ code: 1 });
  }, 60_000); // one start of the CLI: over 15 s once in CI, with every package's tests running
});
