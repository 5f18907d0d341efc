import type { VersionGrammar } from './pack.generated.js';

/**
 * A product line's version grammar, read from its pack: parsing, ordering and writing versions, pure (no I/O).
 * QNAP's "5.1.1.2491 build 20230815", an app's "16.0.0415" and any vendor's format are the same code with other data
 * (docs/vendor-packs.md "Product lines and their version grammar").
 */

export type Ordering = -1 | 0 | 1;

export interface ParsedVersion {
  /** The named groups as matched; an absent group is undefined. */
  groups: Readonly<Record<string, string | undefined>>;
  /** The release: each release group's dotted digits, in order. */
  release: number[];
  /** The text as read (trimmed). */
  text: string;
}

export interface Grammar {
  /** The whole text as a version of this grammar, or null. Ignores `select`: see `selects`. */
  parse(text: string | null | undefined): ParsedVersion | null;
  /** Whether a parsed version belongs to the line (its `select` group has the line's value). */
  selects(version: ParsedVersion): boolean;
  /** Orders two versions, or says it cannot (null): the release first, then the `then` groups in turn. */
  compare(a: ParsedVersion, b: ParsedVersion): Ordering | null;
  /** The version written the way advisories write it (`format`), or its text. */
  format(version: ParsedVersion): string;
  /** A version written from separately extracted parts (`compose`), or undefined when there is no `version` part. */
  compose(parts: Readonly<Record<string, string | undefined>>): string | undefined;
}

/** Longest version text looked at: versions are short, anything longer is noise or an attack. */
export const MAX_VERSION_TEXT = 100;
const DOTTED = /^\d{1,8}(?:\.\d{1,8}){0,7}$/;

function sign(value: number): Ordering {
  return value < 0 ? -1 : value > 0 ? 1 : 0;
}

export function compareNumbers(a: readonly number[], b: readonly number[]): Ordering {
  const length = Math.max(a.length, b.length);
  for (let index = 0; index < length; index++) {
    const difference = (a[index] ?? 0) - (b[index] ?? 0);
    if (difference !== 0) return sign(difference);
  }
  return 0;
}

/** Whether `version` lies on `branch` ("4.5" holds 4.5.x; "4.5.2" only 4.5.2): a prefix of the release. */
export function onBranch(version: readonly number[], branch: readonly number[]): boolean {
  return branch.length <= version.length && branch.every((part, index) => version[index] === part);
}

/** "4.5.2" -> [4, 5, 2]; null for anything else. */
export function parseBranch(text: string): number[] | null {
  return /^\d{1,8}(\.\d{1,8}){0,5}$/.test(text) ? text.split('.').map(Number) : null;
}

export function plausibleDate(text: string): boolean {
  if (!/^\d{8}$/.test(text)) return false;
  const date = Number(text);
  const year = Math.floor(date / 10000);
  const month = Math.floor(date / 100) % 100;
  const day = date % 100;
  return year >= 2000 && year <= 2100 && month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

const present = (value: string | undefined): value is string => value !== undefined && value !== '';

/**
 * Fills a template: `{name}` is the value (empty when absent), `[...]` is kept only when every name inside it has a
 * value. Digits-only values are written as numbers (no leading zeros) and the rest as read, lower-cased when the
 * grammar ignores case: the way advisories write builds.
 */
export function fillTemplate(template: string, values: Readonly<Record<string, string | undefined>>, normalise: (value: string) => string = (value) => value): string {
  const NAME = /\{([a-zA-Z][a-zA-Z0-9]{0,30})\}/g;
  const fill = (text: string): string => text.replace(NAME, (_whole, name: string) => {
    const value = values[name];
    return present(value) ? normalise(value) : '';
  });
  // Each piece is filled once, so a value that itself looks like {name} is never filled again.
  return template.split(/(\[[^\]]{0,200}\])/).map((piece) => {
    if (!piece.startsWith('[') || !piece.endsWith(']')) return fill(piece);
    const inner = piece.slice(1, -1);
    const names = [...inner.matchAll(NAME)].map((match) => match[1] ?? '');
    return names.every((name) => present(values[name])) ? fill(inner) : '';
  }).join('');
}

export function compileGrammar(grammar: VersionGrammar): Grammar {
  const pattern = new RegExp(grammar.pattern, grammar.ignoreCase ? 'i' : '');
  const fold = (value: string): string => (grammar.ignoreCase ? value.toLowerCase() : value);
  const then = grammar.then ?? [];

  const parse = (text: string | null | undefined): ParsedVersion | null => {
    if (typeof text !== 'string' || text.length > MAX_VERSION_TEXT) return null;
    const match = pattern.exec(text);
    if (!match) return null;
    const groups: Record<string, string | undefined> = { ...match.groups };
    const release: number[] = [];
    for (const name of grammar.release) {
      const value = groups[name];
      if (!present(value)) continue;
      if (!DOTTED.test(value)) return null;
      release.push(...value.split('.').map(Number));
    }
    if (release.length === 0) return null;
    for (const name of grammar.dateGroups ?? []) {
      const value = groups[name];
      if (present(value) && !plausibleDate(value)) return null;
    }
    return { groups, release, text: text.trim() };
  };

  const selects = (version: ParsedVersion): boolean => {
    if (!grammar.select) return true;
    return fold(version.groups[grammar.select.group] ?? '') === fold(grammar.select.equals);
  };

  const compare = (a: ParsedVersion, b: ParsedVersion): Ordering | null => {
    if (grammar.select && fold(a.groups[grammar.select.group] ?? '') !== fold(b.groups[grammar.select.group] ?? '')) return null;
    const release = compareNumbers(a.release, b.release);
    if (release !== 0) return release;
    if (then.length === 0) return 0;
    let comparable = false;
    for (const { group, compare: how, default: fallback } of then) {
      // A group left out takes its default (Synology's 7.1.1-42962 is 7.1.1-42962-0): then the two are ordered.
      const left = present(a.groups[group]) ? a.groups[group] : fallback;
      const right = present(b.groups[group]) ? b.groups[group] : fallback;
      if (!present(left) || !present(right)) continue;
      comparable = true;
      const order = how === 'numeric' ? sign(Number(left) - Number(right)) : left < right ? -1 : left > right ? 1 : 0;
      if (order !== 0) return order;
    }
    return comparable ? 0 : null;
  };

  const normalise = (value: string): string => (/^\d{1,15}$/.test(value) ? String(Number(value)) : fold(value));

  return {
    parse,
    selects,
    compare,
    format: (version) => (grammar.format ? fillTemplate(grammar.format, version.groups, normalise) : version.text),
    compose: (parts) => (present(parts['version']) ? fillTemplate(grammar.compose ?? '{version}', parts) : undefined),
  };
}
