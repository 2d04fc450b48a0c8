// The API reference is generated from the doc comments. Every public method of Pool, Queue,
// JoinableQueue, SimpleQueue and Connection must say what it throws (@throws) and show an
// @example; the examples are run here, each in its own block, so they cannot rot.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyInto, DOCS, makeProject, type Project } from './project.ts';

const API_JSON = join(DOCS, '.generated/api.json');
const CLASSES = ['Pool', 'Queue', 'JoinableQueue', 'SimpleQueue', 'Connection'];
const METHOD = 2048; // typedoc's ReflectionKind.Method
const [VARIABLE, FUNCTION, CLASS] = [32, 64, 128]; // typedoc's ReflectionKind values

type Comment = { blockTags?: { tag: string; content: { text: string }[] }[] };

interface Reflection {
  name: string;
  kind: number;
  comment?: Comment;
  flags?: { isPrivate?: boolean; isProtected?: boolean };
  inheritedFrom?: unknown;
  children?: Reflection[];
  signatures?: { comment?: Comment }[];
}

function findClass(node: Reflection, name: string): Reflection | undefined {
  if (node.kind === 128 && node.name === name) return node;
  for (const child of node.children ?? []) {
    const found = findClass(child, name);
    if (found) return found;
  }
  return undefined;
}

/** `[name, tags, examples]` for each public method the class itself declares. */
function methodsOf(api: Reflection, cls: string) {
  // The local classes: @multiproc/bullmq has a Pool too, whose examples need Redis (its own tests run them).
  const local = (api.children ?? []).filter((m) => m.name !== '@multiproc/bullmq');
  const c = local.map((m) => findClass(m, cls)).find(Boolean);
  if (!c) throw new Error(`${cls} is not in the API reference`);
  return (c.children ?? [])
    .filter((m) => m.kind === METHOD && !m.inheritedFrom && !m.flags?.isPrivate && !m.flags?.isProtected)
    .map((m) => {
      const tags = m.signatures?.flatMap((s) => s.comment?.blockTags ?? []) ?? [];
      const examples = tags
        .filter((t) => t.tag === '@example')
        .map((t) =>
          t.content
            .map((p) => p.text)
            .join('')
            .replace(/^```\w*\n|\n?```$/g, ''),
        );
      return { name: m.name, tags: new Set(tags.map((t) => t.tag)), examples };
    });
}

const api: Reflection | undefined = existsSync(API_JSON)
  ? JSON.parse(readFileSync(API_JSON, 'utf8'))
  : undefined;

describe('API doc comments', () => {
  let project: Project;
  let dir: string;
  beforeAll(() => {
    project = makeProject('module');
    dir = copyInto(project, 'test/fixtures', 'api');
  });
  afterAll(() => project?.dispose());

  it('the API reference was generated (pnpm build)', () => {
    expect(api, `${API_JSON} is missing: run the docs build first`).toBeDefined();
  });

  for (const cls of CLASSES) {
    it(`every public method of ${cls} has @throws and a runnable @example`, { timeout: 60_000 }, async () => {
      const methods = methodsOf(api!, cls);
      expect(methods.length).toBeGreaterThan(1);
      const missing = methods.filter((m) => !m.tags.has('@throws') || m.examples.length === 0);
      expect(missing.map((m) => m.name)).toEqual([]);

      const blocks = methods.flatMap((m) =>
        m.examples.map((code) =>
          cls === 'Pool'
            ? `{ // ${m.name}\nconst pool = new Pool({ processes: 2 });\ntry {\n${code}\n} finally {\n  await pool.terminate();\n}\n}`
            : `{ // ${m.name}\n${code}\n}`,
        ),
      );
      const program = [
        "import { JoinableQueue, Pipe, Pool, Queue, QueueFullError, SimpleQueue, ValidationError } from '@multiproc/multiproc';",
        "import { tasks } from './jsdoc-tasks.mjs';",
        'void tasks;',
        ...blocks,
        "console.log('all examples ran');",
      ].join('\n');
      const { transform } = await import('esbuild');
      const { code } = await transform(program, { loader: 'ts', format: 'esm', target: 'node20' });
      const file = join(dir, `${cls}.examples.mjs`);
      writeFileSync(file, code);
      const tasks = await transform(readFileSync(join(dir, 'jsdoc-tasks.ts'), 'utf8'), {
        loader: 'ts',
        format: 'esm',
      });
      writeFileSync(join(dir, 'jsdoc-tasks.mjs'), tasks.code);
      const { stdout } = await promisify(execFile)(process.execPath, [file], {
        cwd: dir,
        timeout: 50_000,
      }).catch((err) => {
        throw new Error(`${cls} examples failed:\n${err.stdout}\n${err.stderr}`);
      });
      expect(stdout.trim().split('\n').at(-1)).toBe('all examples ran');
    });
  }

  it('every exported class, function and constant of every package shows an @example', () => {
    const has = (c?: Comment) => (c?.blockTags ?? []).some((t) => t.tag === '@example');
    const missing = (api!.children ?? []).flatMap((mod) =>
      (mod.children ?? [])
        .filter((r) => [CLASS, FUNCTION, VARIABLE].includes(r.kind))
        .filter((r) => !has(r.comment) && !(r.signatures ?? []).some((sig) => has(sig.comment)))
        .map((r) => `${mod.name}: ${r.name}`),
    );
    expect(missing).toEqual([]);
  });

  it('every @throws in the API pages names its error class', () => {
    // typedoc drops a JSDoc `{SomeError}` unless told to keep it (scripts/typedoc-throws.mjs moves
    // it into the text); without that, the pages said "(rejects) after close()" and not which class.
    const texts: string[] = [];
    const walk = (node: unknown): void => {
      if (!node || typeof node !== 'object') return;
      if (Array.isArray(node)) {
        for (const item of node) walk(item);
        return;
      }
      for (const t of (node as Comment).blockTags ?? [])
        if (t.tag === '@throws') texts.push(t.content.map((p) => p.text).join(''));
      for (const value of Object.values(node)) if (typeof value === 'object') walk(value);
    };
    walk(api);
    expect(texts.length).toBeGreaterThan(100);
    // The two that name no class on purpose: the barrier's action's own error, and a loader's.
    const unnamed = texts.filter(
      (t) =>
        !/^(`\w*Error` |Nothing)/.test(t) &&
        !/^(what the action throws|rejects with the first loader)/.test(t),
    );
    expect(unnamed).toEqual([]);
  });
});
