/**
 * Which regular expressions a vendor pack may hold. A pack can come from the user (--vendor-pack) and its patterns
 * run on answers a hostile device writes, up to 256 KiB. V8's backtracking engine is exponential on nested
 * quantifiers (`(a|a)*$` on 30 characters: 129 s, measured) and quadratic on an unbounded quantifier it may restart
 * at every position (`\s*x` on 256 KiB of spaces: 89 s, measured). So a pack regex has only bounded quantifiers
 * (`{m,n}` with n at most 1000, or `?`), nested ones only when the product of their bounds is at most 1000, and no
 * backreferences or lookaround; docs/decisions/0014-vendor-packs.md has the measurements.
 */

const MAX_BOUND = 1000;
const MAX_LENGTH = 300;

/** Why the pattern is refused, or undefined when it is accepted. */
export function regexProblem(pattern: string): string | undefined {
  if (pattern.length > MAX_LENGTH) return `longer than ${MAX_LENGTH} characters`;
  try {
    new RegExp(pattern);
  } catch (error) {
    return `does not compile (${(error as Error).message})`;
  }
  // Each open group's largest repetition inside it so far; index 0 is the whole pattern.
  const inner: number[] = [1];
  // The repetition of the last atom (a group closes with its inner maximum), to combine with a quantifier after it.
  let lastAtom = 0;
  // Whether each open group holds an alternation, and whether the last atom was such a group: `(a|a){0,30}` is
  // exponential though bounded, so an alternation may not be repeated.
  const alternates: boolean[] = [false];
  let lastAlternates = false;
  for (let index = 0; index < pattern.length; index++) {
    const char = pattern[index];
    if (char === '\\') {
      const next = pattern[index + 1] ?? '';
      if (/[1-9]/.test(next) || next === 'k') return 'uses a backreference';
      index++;
      lastAtom = 1;
      lastAlternates = false;
      continue;
    }
    if (char === '[') {
      // A class is one atom; skip to its unescaped end.
      let end = index + 1;
      if (pattern[end] === '^') end++;
      if (pattern[end] === ']') end++;
      while (end < pattern.length && pattern[end] !== ']') end += pattern[end] === '\\' ? 2 : 1;
      index = end;
      lastAtom = 1;
      lastAlternates = false;
      continue;
    }
    if (char === '(') {
      if (pattern.startsWith('(?=', index) || pattern.startsWith('(?!', index) || pattern.startsWith('(?<=', index) || pattern.startsWith('(?<!', index)) return 'uses lookahead or lookbehind';
      inner.push(1);
      alternates.push(false);
      lastAtom = 0;
      continue;
    }
    if (char === '|') {
      alternates[alternates.length - 1] = true;
      lastAtom = 0;
      continue;
    }
    if (char === ')') {
      lastAlternates = alternates.pop() ?? false;
      lastAtom = inner.pop() ?? 1;
      const top = inner.length - 1;
      inner[top] = Math.max(inner[top] ?? 1, lastAtom);
      continue;
    }
    let bound: number | undefined;
    if (char === '*' || char === '+') return `uses the unbounded quantifier ${char}: write a bound, e.g. {0,100} or {1,8}`;
    if (char === '?') {
      // A lazy marker after another quantifier, or `(?:`'s question mark, is no quantifier of its own.
      if (lastAtom === 0) continue;
      bound = 1;
    }
    if (char === '{') {
      const quantifier = /^\{(\d{1,6})(,(\d{0,6}))?\}/.exec(pattern.slice(index));
      if (quantifier) {
        if (quantifier[2] !== undefined && quantifier[3] === '') return `uses the unbounded quantifier ${quantifier[0]}: write an upper bound`;
        bound = Number(quantifier[3] ?? quantifier[1]);
        if (bound > MAX_BOUND) return `quantifier ${quantifier[0]} exceeds ${MAX_BOUND}`;
        index += quantifier[0].length - 1;
      }
    }
    if (bound !== undefined) {
      if (lastAlternates && bound > 1) return 'repeats a group holding an alternation (a|b){n}: list the cases instead';
      const repetition = Math.max(1, lastAtom) * bound;
      if (repetition > MAX_BOUND) return `nested quantifiers repeat up to ${repetition} times (at most ${MAX_BOUND})`;
      const top = inner.length - 1;
      inner[top] = Math.max(inner[top] ?? 1, repetition);
      // A quantifier directly after a quantifier (`a{2}{3}`) is a syntax error; a lazy `?` after one is skipped above.
      lastAtom = 0;
      lastAlternates = false;
      continue;
    }
    lastAtom = 1;
    lastAlternates = false;
  }
  return undefined;
}
