/**
 * Finds, in a module's source, a guard that tests `isMain` without calling it (`if (isMain)`,
 * `if (mp.isMain)`): the function itself, always true, which a Python user's
 * `if __name__ == '__main__':` readily becomes. Read on the failure path only (bootstrap.ts), so
 * exactness matters more than speed:
 *
 * - comments, string and template text and regular expression bodies are blanked first (line
 *   breaks kept), so a URL in a string (`'http://x'`) or a `'/*'` cannot hide code, and a quoted
 *   `if (isMain)` is not the mistake;
 * - a name counts as the function only where the module binds it so: imported
 *   (`import { isMain }`, `isMain as main`), destructured (`const { isMain } = require(...)`) or
 *   aliased (`const main = mp.isMain;`); `mp.isMain` only where `mp` is the package (an
 *   `import * as`, a default import, a `require()`, `getContext()`). A name bound to the call's
 *   result (`const isMain = mp.isMain();`) is a boolean, and `if (isMain)` is then correct.
 */

const KEYWORDS_BEFORE_EXPRESSION = new Set([
  'return',
  'typeof',
  'case',
  'do',
  'else',
  'in',
  'of',
  'new',
  'delete',
  'void',
  'throw',
  'yield',
  'await',
  'instanceof',
]);

/**
 * `text` with comments, the text of strings and templates, and regular expression bodies replaced
 * by spaces (line breaks kept, so line numbers hold). Code inside `${...}` stays code.
 */
export function codeOnly(text: string): string {
  const out = text.split('');
  const blank = (from: number, to: number): void => {
    for (let k = from; k < to; k++) if (out[k] !== '\n') out[k] = ' ';
  };
  const braces: ('code' | 'template')[] = [];
  let last = ''; // the last code character that is not white space
  let word = ''; // the identifier or keyword that ends at `last`, if any
  const n = text.length;
  let i = 0;
  // From `from` (just after a backtick or a `}` closing `${`): to the end of the template, or into a `${`.
  const template = (from: number): number => {
    let j = from;
    while (j < n && text[j] !== '`' && !(text[j] === '$' && text[j + 1] === '{'))
      j += text[j] === '\\' ? 2 : 1;
    blank(from, Math.min(j, n));
    if (j < n && text[j] === '$') {
      braces.push('template');
      last = '{';
      word = '';
      return j + 2;
    }
    last = '`';
    word = '';
    return j + 1;
  };
  while (i < n) {
    const c = text[i]!;
    const next = text[i + 1];
    if (c === '/' && next === '/') {
      const end = text.indexOf('\n', i);
      const to = end < 0 ? n : end;
      blank(i, to);
      i = to;
    } else if (c === '/' && next === '*') {
      const end = text.indexOf('*/', i + 2);
      const to = end < 0 ? n : end + 2;
      blank(i, to);
      i = to;
    } else if (c === "'" || c === '"') {
      let j = i + 1;
      while (j < n && text[j] !== c && text[j] !== '\n') j += text[j] === '\\' ? 2 : 1;
      blank(i + 1, Math.min(j, n));
      i = j + 1;
      last = c;
      word = '';
    } else if (c === '`') {
      i = template(i + 1);
    } else if (
      c === '/' &&
      (last === '' || '(,=:[!&|?{};+-*%<>~^'.includes(last) || KEYWORDS_BEFORE_EXPRESSION.has(word))
    ) {
      // A regular expression literal: to its closing slash outside a character class.
      let j = i + 1;
      let inClass = false;
      while (j < n && text[j] !== '\n' && (inClass || text[j] !== '/')) {
        if (text[j] === '\\') j++;
        else if (text[j] === '[') inClass = true;
        else if (text[j] === ']') inClass = false;
        j++;
      }
      if (j < n && text[j] === '/') {
        blank(i + 1, j);
        i = j + 1;
        last = '/';
        word = '';
      } else {
        last = c; // not one after all: a division
        word = '';
        i++;
      }
    } else if (c === '{') {
      braces.push('code');
      last = c;
      word = '';
      i++;
    } else if (c === '}') {
      i = braces.pop() === 'template' ? template(i + 1) : i + 1;
      if (text[i - 1] === '}') {
        last = '}';
        word = '';
      }
    } else if (/[\w$]/.test(c)) {
      let j = i;
      while (j < n && /[\w$]/.test(text[j]!)) j++;
      word = text.slice(i, j);
      last = text[j - 1]!;
      i = j;
    } else {
      if (!/\s/.test(c)) {
        last = c;
        word = '';
      }
      i++;
    }
  }
  return out.join('');
}

const ID = '[A-Za-z_$][\\w$]*';
const DECLARE = '\\b(?:const|let|var)\\s+';

/** The names `code` (from {@link codeOnly}) binds to the package, so that `name.isMain` is the function. */
function packageNames(code: string): Set<string> {
  const names = new Set<string>();
  const forms = [
    new RegExp(`\\bimport\\s+\\*\\s+as\\s+(${ID})`, 'g'),
    new RegExp(`\\bimport\\s+(${ID})\\s*(?:,|\\bfrom\\b)`, 'g'),
    new RegExp(`${DECLARE}(${ID})\\s*=\\s*(?:await\\s+import|require)\\s*\\(`, 'g'),
    new RegExp(`${DECLARE}(${ID})\\s*=\\s*(?:${ID}\\s*\\.\\s*)?getContext\\s*\\(`, 'g'),
  ];
  for (const form of forms) for (const m of code.matchAll(form)) names.add(m[1]!);
  return names;
}

/** The names `code` binds to the `isMain` function itself (imported, destructured or aliased). */
function functionNames(code: string, packages: Set<string>): Set<string> {
  const names = new Set<string>();
  // `import { isMain }`, `import { isMain as main }`, `const { isMain } = ...`, `{ isMain: main }`.
  for (const m of code.matchAll(/\{([^{}]*)\}/g)) {
    const list = m[1]!;
    const before = code.slice(Math.max(0, m.index - 80), m.index);
    const after = code.slice(m.index + m[0].length, m.index + m[0].length + 40);
    const binds =
      /\bimport\s*(?:[\w$]+\s*,\s*)?$/.test(before) ||
      (/\b(?:const|let|var)\s*$/.test(before) && /^\s*=/.test(after));
    if (!binds) continue;
    const found = /(?:^|,)\s*isMain\s*(?:(?:as|:)\s*([A-Za-z_$][\w$]*))?\s*(?:=[^,]*)?(?:,|$)/.exec(list);
    if (found) names.add(found[1] ?? 'isMain');
  }
  // `const main = isMain;`, `const main = mp.isMain;`: the function under another name (no call).
  for (const m of code.matchAll(
    new RegExp(`${DECLARE}(${ID})\\s*=\\s*(?:(${ID})\\s*\\.\\s*)?(${ID})\\s*(?=[;,\\n]|$)`, 'g'),
  )) {
    const [, alias, owner, name] = m;
    if (owner ? packages.has(owner) && name === 'isMain' : names.has(name!)) names.add(alias!);
  }
  // A name bound to a value (`const isMain = mp.isMain();`) is not the function.
  for (const m of code.matchAll(new RegExp(`${DECLARE}(${ID})\\s*=\\s*[^;\\n]*\\)\\s*(?=[;\\n]|$)`, 'g')))
    names.delete(m[1]!);
  return names;
}

/** The guard found, as written, and its line (1-based); `undefined` when the module has none. */
export interface UncalledGuard {
  readonly text: string;
  readonly line: number;
}

/**
 * The first `if (...)` of `source` that tests the `isMain` function without calling it (see the
 * module's comment), or `undefined`.
 * @example findUncalledGuard("import { isMain } from 'multiproc';\nif (isMain) {}") // { text: 'if (isMain)', line: 2 }
 */
export function findUncalledGuard(source: string): UncalledGuard | undefined {
  const code = codeOnly(source);
  if (!code.includes('isMain')) return undefined;
  const packages = packageNames(code);
  const functions = functionNames(code, packages);
  for (const m of code.matchAll(new RegExp(`\\bif\\s*\\(\\s*(?:(${ID})\\s*\\.\\s*)?(${ID})\\s*\\)`, 'g'))) {
    const [text, owner, name] = m;
    const isFunction = owner ? packages.has(owner) && name === 'isMain' : functions.has(name!);
    if (isFunction) return { text, line: code.slice(0, m.index).split('\n').length };
  }
  return undefined;
}
