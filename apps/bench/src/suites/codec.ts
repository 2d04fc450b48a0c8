/**
 * Part of suite `shared` (issue 18): what `encodeValue()` costs on a big result that holds nothing
 * it must encode (a parser's syntax tree: class instances, arrays, strings, numbers), against
 * `structuredClone` of the same value, which is what sending it costs anyway. Lower is better;
 * the ratio says how much of a send the codec adds on top.
 */
import { nowMs, sampleRuns } from '../harness.js';
import { needs, sharedPackage } from '../mp.js';
import type { BenchCase } from '../types.js';

const TITLE = 'a 100k-node syntax-tree-like result: codec walk vs the clone a send does anyway';
const NODES = 100_000;

class SyntaxNode {
  type: string;
  start: number;
  end: number;
  name: string | null = null;
  body: SyntaxNode[] = [];
  loc: { line: number; column: number };
  constructor(type: string, start: number) {
    this.type = type;
    this.start = start;
    this.end = start + 7;
    this.loc = { line: start >> 6, column: start & 63 };
  }
}

/** A tree of `n` nodes, 4 children each, breadth first: shaped like acorn's output. */
function syntaxTree(n: number): SyntaxNode {
  const root = new SyntaxNode('Program', 0);
  const queue = [root];
  for (let i = 1, head = 0; i < n; i++) {
    const node = new SyntaxNode(i % 3 === 0 ? 'Identifier' : 'CallExpression', i);
    if (i % 3 === 0) node.name = `id${i}`;
    const parent = queue[head] as SyntaxNode;
    parent.body.push(node);
    if (parent.body.length === 4) head++;
    queue.push(node);
  }
  return root;
}

function timeCase(
  id: string,
  impl: string,
  kind: BenchCase['kind'],
  make: () => Promise<(v: unknown) => void>,
): BenchCase {
  return {
    id,
    suite: 'shared',
    group: 'shared.codec',
    title: TITLE,
    impl,
    kind,
    unit: 'ms',
    better: 'lower',
    unavailable: kind === 'multiproc' ? needs([], ['encodeValue']) : undefined,
    measure: async ({ runs, warmup, sizes }) => {
      const fn = await make();
      const tree = syntaxTree(sizes.starts === 1 ? 1000 : NODES);
      fn(tree); // warm-up
      const samples = await sampleRuns({ runs, warmup }, async () => {
        const t0 = nowMs();
        fn(tree);
        return nowMs() - t0;
      });
      return { samples };
    },
  };
}

/** The codec cases of the `shared` suite. */
export function codecCases(): BenchCase[] {
  return [
    timeCase('shared/codec/multiproc', 'multiproc encodeValue (thread target)', 'multiproc', async () => {
      const { encodeValue } = await sharedPackage();
      return (v) => encodeValue(v, 'thread', 'result');
    }),
    timeCase('shared/codec/structured-clone', 'structuredClone of the same value', 'baseline', async () => {
      return (v) => structuredClone(v);
    }),
  ];
}
