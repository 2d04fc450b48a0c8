#!/usr/bin/env node
// Draws the site's charts and tables from the bench app's results (apps/bench/results/latest.json)
// with the bench app's own chart module (Vega-Lite), so the site and the bench never disagree.
// Writes public/charts/<group>.svg and .generated/bench-tables.md (both ignored by git).
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { renderCharts } from '@multiproc/bench/charts';
import { renderMarkdown } from '@multiproc/bench/report';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const resultsFile = fileURLToPath(
  import.meta.resolve('@multiproc/bench/package.json').replace(/package\.json$/, 'results/latest.json'),
);

const report = JSON.parse(await readFile(resultsFile, 'utf8'));
const files = await renderCharts(report, here('../public/charts'));
await mkdir(here('../.generated'), { recursive: true });
const tables = renderMarkdown({ ...report, targets: [] }).replaceAll(/^### /gm, '### Suite: ');
await writeFile(
  here('../.generated/bench-tables.md'),
  `Measured with \`pnpm ${report.command}\` on ${report.generatedAt.slice(0, 10)}.\n\n${tables}\n`,
);
console.log(`docs: ${files.length} charts and the bench tables from ${report.generatedAt.slice(0, 10)}`);
