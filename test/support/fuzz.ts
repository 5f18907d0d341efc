/**
 * Shared pieces of the property tests (test/fuzz/): one fixed seed so a failure replays, inputs shaped like the
 * attacks a parser must survive, and the checks every parser of network data is held to (only its own error type
 * escapes, bounded time, no unsafe characters where it promises clean text).
 */
import fc from 'fast-check';
import { UNSAFE_CHARS } from '../../src/core/unsafe-chars.js';
import { isExposureError, type ErrorCode } from '../../src/core/errors.js';

/** Change it to explore; a failure report prints the seed and path to replay. FUZZ_SEED=n overrides. */
const SEED = Number(process.env['FUZZ_SEED'] ?? 20260413);

/** fast-check parameters: fixed seed, a modest number of runs (the whole fuzz suite stays well under 20 s). */
export function FUZZ(numRuns: number): fc.Parameters<unknown> {
  return { seed: SEED, numRuns, endOnFailure: true };
}

/** Non-global copy of the one list of unsafe characters, so `test` has no lastIndex state. */
const UNSAFE = new RegExp(UNSAFE_CHARS.source, 'u');

export function unsafeCharIn(text: string): string | undefined {
  const match = UNSAFE.exec(text);
  return match ? `U+${(match[0].codePointAt(0) ?? 0).toString(16).padStart(4, '0')} at ${match.index}` : undefined;
}

/** Runs `parse`; anything thrown must be an ExposureError (with one of `codes`, when given) or pass `allowed`. */
export function onlyOwnErrors<T>(parse: () => T, codes?: readonly ErrorCode[], allowed?: (error: unknown) => boolean): T | undefined {
  try {
    return parse();
  } catch (error) {
    if (allowed?.(error)) return undefined;
    if (isExposureError(error) && (codes === undefined || codes.includes(error.code))) return undefined;
    throw new Error(`threw outside its error type: ${error instanceof Error ? `${error.constructor.name} ${error.message.slice(0, 200)}` : String(error)}`);
  }
}

/** Wall time of one call, in ms. */
export function timeOf(run: () => unknown): number {
  const started = performance.now();
  run();
  return performance.now() - started;
}

/**
 * CPU time of one synchronous call, in ms: what the call itself costs, whatever else the machine runs. Wall time
 * also counts the time the process waited for a core while other test files ran (tap runs several at once on two
 * cores), which made "bounded time" fail on a loaded machine for work that was not slow.
 */
export function cpuTimeOf(run: () => unknown): number {
  const started = process.cpuUsage();
  run();
  const { user, system } = process.cpuUsage(started);
  return (user + system) / 1000;
}

/**
 * Throws when a call cost more CPU time than its budget: the property's way of saying "bounded time". A call over budget
 * is timed once more and the faster run counts, so a garbage collection or a JIT tier-up landing on one small
 * input is not a failure, while work that really is slow still is.
 */
export function within(budgetMs: number, what: string, run: () => unknown): void {
  const elapsed = cpuTimeOf(run);
  if (elapsed <= budgetMs) return;
  const again = cpuTimeOf(run);
  if (again > budgetMs) throw new Error(`${what} took ${Math.min(elapsed, again).toFixed(0)} ms (budget ${budgetMs} ms)`);
}

/** Characters a hostile device likes: controls, ANSI, bidi, zero-width, surrogate halves, XML specials. */
export const NASTY_CHARS = ['\u0000', '\u0007', '\b', '\t', '\n', '\r', '\u001b', '\u001b[2J', '\u001b]0;x\u0007', '\u007f', '\u0085', '\u009b', '\u200b', '\u200e', '\u2028', '\u202e', '\u2066', '\ufeff', '\ud800', '\udfff', '\u{1f4a9}', '<', '>', '&', '"', "'", '/', '\\', ':', '=', ';', ' ', '%00', 'ÿ'];

/** Text with a high share of hostile characters, plus ordinary text. */
export function nastyString(maxLength = 64): fc.Arbitrary<string> {
  return fc.oneof(
    fc.string({ maxLength, unit: 'binary' }),
    fc.array(fc.oneof(fc.constantFrom(...NASTY_CHARS), fc.string({ maxLength: 4 })), { maxLength: Math.max(1, Math.floor(maxLength / 2)) }).map((parts) => parts.join('')),
  );
}

/** Tokens that XML-ish parsers trip over; joined at random they make markup soup. */
export function xmlSoup(names: readonly string[], maxTokens = 60): fc.Arbitrary<string> {
  const token = fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...names).chain((name) => fc.constantFrom(`<${name}>`, `</${name}>`, `<${name}/>`, `<p:${name}>`, `</p:${name}>`, `<${name} a="1">`, `<${name} `, `<${name}`, `</${name}`)) },
    { weight: 2, arbitrary: fc.constantFrom('<', '>', '</', '/>', '<!--', '-->', '<![CDATA[', ']]>', '<?xml version="1.0"?>', '<!DOCTYPE x [<!ENTITY a "b">]>', '&lt;', '&amp;', '&#x1b;', '&#0;', '&#xD800;', '&#1114112;', '&#x10FFFF;', '&unknown;', '&', 'xmlns:p="urn:x"', '"', "'", '=') },
    { weight: 3, arbitrary: nastyString(16) },
    { weight: 1, arbitrary: fc.integer({ min: -1, max: 70000 }).map(String) },
  );
  return fc.array(token, { maxLength: maxTokens }).map((parts) => parts.join(''));
}

/** A recorded document with random damage: slices deleted, duplicated, or hostile tokens spliced in. */
export function mutated(document: string, splice: fc.Arbitrary<string>): fc.Arbitrary<string> {
  const edit = fc.tuple(fc.nat({ max: document.length }), fc.nat({ max: 64 }), fc.constantFrom('delete', 'insert', 'duplicate', 'replace'), splice);
  return fc.array(edit, { minLength: 1, maxLength: 6 }).map((edits) => {
    let text = document;
    for (const [at, length, kind, piece] of edits) {
      const position = Math.min(at, text.length);
      if (kind === 'delete') text = text.slice(0, position) + text.slice(position + length);
      else if (kind === 'insert') text = text.slice(0, position) + piece + text.slice(position);
      else if (kind === 'duplicate') text = text.slice(0, position + length) + text.slice(position, position + length) + text.slice(position + length);
      else text = text.slice(0, position) + piece + text.slice(position + length);
    }
    return text;
  });
}

const MIB = 1024 * 1024;

/**
 * Pathological shapes of about `bytes` (default 1 MiB, the HTTP read limit): what makes a naive parser
 * quadratic, recursive or explosive. `tags` names the elements the parser looks for.
 */
export function pathological(tags: readonly string[], bytes = MIB): Array<[name: string, text: string]> {
  const fill = (unit: string): string => unit.repeat(Math.max(1, Math.floor(bytes / unit.length)));
  const shapes: Array<[string, string]> = [
    ['1 MiB of "a"', fill('a')],
    ['1 MiB of "<"', fill('<')],
    ['1 MiB of "&"', fill('&')],
    ['1 MiB of spaces', fill(' ')],
    ['1 MiB of NUL', fill('\u0000')],
    ['deep nesting', fill('<a>')],
    ['deep nesting, closed', `${'<a>'.repeat(Math.floor(bytes / 8))}${'</a>'.repeat(Math.floor(bytes / 8))}`],
    ['huge attribute count', `<a ${fill('b="1" ').slice(0, bytes - 10)}/>`],
    ['entity-like text', `<a>${fill('&amp;&#x41;&lt;')}</a>`],
    ['unterminated entities', `<a>${fill('&#x41')}</a>`],
    ['CDATA never closed', `<a><![CDATA[${fill(']')}`],
    ['comments never closed', fill('<!--')],
  ];
  for (const tag of tags) {
    shapes.push(
      [`open <${tag} without ">"`, fill(`<${tag} `)],
      [`open <${tag}> never closed`, fill(`<${tag}>`)],
      [`close </${tag} without ">"`, fill(`</${tag} `)],
      [`prefixed <p:${tag} without ">"`, fill(`<p:${tag} x`)],
      [`one <${tag} then spaces`, `<${tag}${fill(' ')}`],
      [`<${tag}> then a long word`, `<${tag}>${fill('a')}`],
    );
  }
  return shapes;
}
