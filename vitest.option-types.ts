// The guard every package's `test/option-types.test.ts` runs on its own public API: every optional
// property that a caller may write (reachable from a parameter of an exported function, class
// constructor or method) also accepts `undefined`. A program compiled with
// `exactOptionalPropertyTypes` otherwise cannot pass `{ timeout: opts.timeout }` from its own
// optional field, though the runtime treats `undefined` as absent everywhere. Write
// `timeout?: number | undefined` (a function type in parentheses: `callback?: ((r: R) => void) |
// undefined`). One TypeScript program over the package's source, read with the compiler API: a
// declaration anywhere (this package or one it imports) that a caller reaches is checked.
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/** An optional property whose declared type lacks `undefined`. */
export interface OptionalWithoutUndefined {
  /** `packages/<pkg>/src/<file>:<line> <name>`. */
  readonly where: string;
  /** How a caller reaches it: `new Pool(options).resourceLimits`. */
  readonly via: string;
}

/** What the walk found in one package's public API. */
export interface OptionTypesReport {
  /** Optional properties checked. */
  readonly checked: number;
  readonly missing: OptionalWithoutUndefined[];
}

const PACKAGES_DIR = fileURLToPath(new URL('./packages/', import.meta.url));
const MAX_DEPTH = 6;

/** Whether a declaration is this repository's source (not lib, @types/node, zod, bullmq…). */
const isOurs = (decl: ts.Declaration): boolean => {
  const file = decl.getSourceFile().fileName;
  return file.startsWith(PACKAGES_DIR) && !file.includes('/node_modules/');
};

const hasUndefined = (type: ts.Type): boolean =>
  (type.flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Any | ts.TypeFlags.Unknown)) !== 0 ||
  (type.isUnion() && type.types.some(hasUndefined));

/**
 * Walks the public API of the entry module (`src/index.ts` URL) under the package's tsconfig
 * (`tsconfig.json` URL) and lists the optional properties a caller writes that lack `undefined`.
 * Private (`#x`) and symbol-keyed members, and the error classes' constructors (not public API,
 * CONTRACT.md), are not walked; a callback's parameters are its outputs, not walked either.
 */
export function checkOptionTypes(entry: URL, tsconfig: URL): OptionTypesReport {
  const parsed = ts.getParsedCommandLineOfConfigFile(
    fileURLToPath(tsconfig),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
      },
    },
  );
  if (!parsed) throw new Error(`cannot read ${tsconfig}`);
  const entryFile = fileURLToPath(entry);
  const program = ts.createProgram([entryFile], { ...parsed.options, noEmit: true });
  const checker = program.getTypeChecker();
  const seen = new Set<ts.Type>();
  const missing = new Map<string, string>();
  const checked = new Set<ts.Declaration>();

  const visitType = (type: ts.Type, via: string, depth: number): void => {
    if (depth > MAX_DEPTH || seen.has(type)) return;
    seen.add(type);
    if (type.isUnionOrIntersection()) {
      for (const t of type.types) visitType(t, via, depth);
      return;
    }
    if ((type.flags & ts.TypeFlags.Object) === 0) return;
    const decls = (type.getSymbol() ?? type.aliasSymbol)?.getDeclarations() ?? [];
    if (decls.length > 0 && !decls.some(isOurs)) return;
    if (decls.some((d) => ts.isClassDeclaration(d))) return; // an instance, not an options object
    for (const prop of type.getProperties()) {
      for (const d of prop.getDeclarations() ?? []) {
        if (!isOurs(d) || !(ts.isPropertySignature(d) || ts.isPropertyDeclaration(d))) continue;
        if (!d.questionToken || !d.type) continue;
        checked.add(d);
        if (hasUndefined(checker.getTypeFromTypeNode(d.type))) continue;
        const file = d.getSourceFile();
        const line = file.getLineAndCharacterOfPosition(d.getStart()).line + 1;
        const where = `${file.fileName.slice(PACKAGES_DIR.length)}:${line} ${prop.name}`;
        if (!missing.has(where)) missing.set(where, `${via}.${prop.name}`);
      }
      visitType(checker.getTypeOfSymbol(prop), `${via}.${prop.name}`, depth + 1);
    }
  };
  const visitSignatures = (type: ts.Type, via: string): void => {
    for (const sig of type.getCallSignatures()) {
      for (const p of sig.getParameters()) visitType(checker.getTypeOfSymbol(p), `${via}(${p.name})`, 0);
    }
  };
  const isPublicMember = (m: ts.Symbol) => !m.name.startsWith('#') && !m.name.startsWith('__@');
  const visitValue = (symbol: ts.Symbol): void => {
    const type = checker.getTypeOfSymbol(symbol);
    const name = symbol.name;
    visitSignatures(type, name);
    for (const sig of type.getConstructSignatures()) {
      if (!name.endsWith('Error')) {
        for (const p of sig.getParameters()) {
          visitType(checker.getTypeOfSymbol(p), `new ${name}(${p.name})`, 0);
        }
      }
      for (const m of sig.getReturnType().getProperties().filter(isPublicMember)) {
        visitSignatures(checker.getTypeOfSymbol(m), `${name}#${m.name}`);
      }
    }
    for (const m of type.getProperties().filter(isPublicMember)) {
      visitSignatures(checker.getTypeOfSymbol(m), `${name}.${m.name}`);
    }
  };

  const moduleSymbol = checker.getSymbolAtLocation(program.getSourceFile(entryFile)!);
  if (!moduleSymbol) throw new Error(`${entryFile} is not a module`);
  for (const exported of checker.getExportsOfModule(moduleSymbol)) {
    const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    if (symbol.flags & ts.SymbolFlags.Value) visitValue(symbol);
    // An exported interface of callables (a context's members, `ProcessPrimitives`): what a
    // function returns is reached through it.
    if (symbol.flags & (ts.SymbolFlags.Interface | ts.SymbolFlags.TypeAlias)) {
      const type = checker.getDeclaredTypeOfSymbol(symbol);
      for (const m of type.getProperties().filter(isPublicMember)) {
        if (m.name.endsWith('Error')) continue;
        const member = checker.getTypeOfSymbol(m);
        visitSignatures(member, `${symbol.name}.${m.name}`);
        for (const sig of member.getConstructSignatures()) {
          for (const p of sig.getParameters()) {
            visitType(checker.getTypeOfSymbol(p), `new ${symbol.name}.${m.name}(${p.name})`, 0);
          }
        }
      }
    }
  }
  return {
    checked: checked.size,
    missing: [...missing].sort().map(([where, via]) => ({ where, via })),
  };
}

/** Registers the guard for one package: `src` and `tsconfig` are the package's URLs. */
export function describeOptionTypesGuard(
  entry: URL,
  tsconfig: URL,
  { minChecked }: { minChecked: number },
): void {
  describe('public option types', () => {
    it('every optional property a caller writes also accepts undefined (exactOptionalPropertyTypes)', () => {
      const { checked, missing } = checkOptionTypes(entry, tsconfig);
      expect(checked).toBeGreaterThanOrEqual(minChecked); // the walk reached the options
      expect(missing, 'add `| undefined` to these optional properties').toEqual([]);
    }, 60_000);
  });
}
