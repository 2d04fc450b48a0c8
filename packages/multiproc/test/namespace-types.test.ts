// `import mp from '@multiproc/multiproc'` reads like `import multiprocessing as mp`, and a Python
// user then annotates with it, as `def producer(q: mp.Queue)`: `(q: mp.Queue<number>)`,
// `lock: mp.Lock`, `r: mp.AsyncResult<number>`. The default export is a value, so each of those was
// TS2503 "Cannot find namespace 'mp'". It now also names every type the package exports: one
// TypeScript program over the built `.d.ts` (what users compile against) checks that each type
// export of the package is a type member of the default export, meaning the same type, and that a
// program written that way compiles.
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

// A file inside the package resolves '@multiproc/multiproc' to itself (its exports map, dist/).
const FIXTURE = fileURLToPath(new URL('./fixtures/mp-types.mts', import.meta.url));

function compile() {
  const file = FIXTURE;
  const program = ts.createProgram([file], {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: ['node'],
  });
  return { program, file };
}

describe("the default export's types (mp.Queue<number>, mp.Lock, ...)", () => {
  const { program, file } = compile();
  const checker = program.getTypeChecker();

  it('a program that annotates with mp.<Type> compiles', () => {
    const errors = ts
      .getPreEmitDiagnostics(program)
      .map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    expect(errors).toEqual([]);
  });

  it('names every type the package exports, as the same type', () => {
    const source = program.getSourceFile(file);
    const moduleSymbol = source && checker.getSymbolAtLocation(source);
    const importDecl = source?.statements.find(ts.isImportDeclaration);
    const mpModule = importDecl && checker.getSymbolAtLocation(importDecl.moduleSpecifier);
    expect(moduleSymbol).toBeDefined();
    expect(mpModule).toBeDefined();
    if (!mpModule) return;
    const resolve = (s: ts.Symbol) => (s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s);
    const exported = checker.getExportsOfModule(mpModule);
    const typeNames = exported
      .filter((s) => s.name !== 'default' && (resolve(s).flags & ts.SymbolFlags.Type) !== 0)
      .map((s) => s.name);
    expect(typeNames.length).toBeGreaterThan(100);
    const mp = resolve(exported.find((s) => s.name === 'default')!);
    const members = mp.exports;
    const missing = typeNames.filter((name) => !members?.has(ts.escapeLeadingUnderscores(name)));
    expect(missing).toEqual([]);
    // Each member is an alias of the named export's type (not a look-alike): its declaration's
    // type is a reference to the named export.
    const notSame = typeNames.filter((name) => {
      const member = members?.get(ts.escapeLeadingUnderscores(name));
      const decl = member?.declarations?.[0];
      if (!decl || !ts.isTypeAliasDeclaration(decl) || !ts.isTypeReferenceNode(decl.type)) return true;
      const target = checker.getSymbolAtLocation(decl.type.typeName);
      const named = exported.find((s) => s.name === name)!;
      return !target || resolve(target) !== resolve(named);
    });
    expect(notSame).toEqual([]);
  });
});
