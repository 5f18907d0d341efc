/**
 * A stand-in for the engine's fingerprint matcher, used by the vendor data tests until src/vendors/ has one
 * (issue 15, docs/readme-drafts/vendor-data-needs.md): fetches each fingerprint's request from a loopback fake and
 * holds the answer against the pack's conditions and extractions as docs/vendor-packs.md defines them. It reads
 * only loopback URLs a test hands it, never follows a redirect, and bounds what it reads.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { TapTest } from '../../lab/lab.js';
import { compileGrammar } from '../../../src/vendors/grammar.js';
import type { Condition, Example, Extraction, Fingerprint, Indicator, VendorPack } from '../../../src/vendors/load.js';

const MAX_BODY = 256 * 1024;

const XML_ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&apos;': "'" };
const decode = (text: string): string => text.replace(/&(?:amp|lt|gt|quot|apos);/g, (entity) => XML_ENTITIES[entity] ?? entity);

/** The page's <title>, the five XML entities decoded (as the engine reads it), or undefined. */
export function titleOf(body: string): string | undefined {
  const title = /<title[^>]{0,100}>([^<]{0,500})<\/title>/i.exec(body.slice(0, 64 * 1024))?.[1];
  const text = title === undefined ? '' : decode(title).trim();
  return text === '' ? undefined : text;
}

/** The text of the first <tag>...</tag> without markup inside, CDATA unwrapped. */
export function xmlTagText(body: string, tag: string): string | undefined {
  const inner = new RegExp(`<${tag}(?:\\s[^>]{0,200})?>([^<]{0,2000}|<!\\[CDATA\\[[^\\]]{0,2000}\\]\\]>)</${tag}>`).exec(body)?.[1];
  if (inner === undefined) return undefined;
  return inner.startsWith('<![CDATA[') ? inner.slice(9, -3) : decode(inner);
}

export interface PackAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
  title?: string;
}

export function packAt(id: string): { pack: VendorPack; dir: string } {
  const dir = new URL(`../../../probes/vendors/${id}/`, import.meta.url).pathname;
  return { pack: JSON.parse(readFileSync(path.join(dir, 'pack.json'), 'utf8')) as VendorPack, dir };
}

function pointerValue(body: string, pointer: string): string | undefined {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return undefined;
  }
  for (const step of pointer.split('/').slice(1)) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[step.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : undefined;
}

function sourceText(answer: PackAnswer, condition: Pick<Condition, 'source' | 'header' | 'pointer' | 'xmlTag'>): string | undefined {
  switch (condition.source) {
    case 'status':
      return String(answer.status);
    case 'body':
      return answer.body;
    case 'title':
      return answer.title;
    case 'header':
      return condition.header === undefined ? undefined : answer.headers[condition.header];
    case 'json':
      return condition.pointer === undefined ? undefined : pointerValue(answer.body, condition.pointer);
    case 'xml':
      return condition.xmlTag === undefined ? undefined : xmlTagText(answer.body, condition.xmlTag);
    default:
      return undefined;
  }
}

export function holds(answer: PackAnswer, condition: Condition): boolean {
  if (condition.source === 'status' && condition.in) return condition.in.includes(answer.status);
  const text = sourceText(answer, condition);
  if (text === undefined) return false;
  const fold = (value: string): string => (condition.ignoreCase ? value.toLowerCase() : value);
  if (condition.equals !== undefined) return fold(text) === fold(String(condition.equals));
  if (condition.contains !== undefined) return fold(text).includes(fold(condition.contains));
  if (condition.regex !== undefined) return new RegExp(condition.regex, condition.ignoreCase ? 'i' : '').test(text);
  return false;
}

export function matches(answer: PackAnswer, match: Fingerprint['match']): boolean {
  return (match.all ?? []).every((condition) => holds(answer, condition)) && (match.any === undefined || match.any.some((condition) => holds(answer, condition)));
}

export function extractAll(answer: PackAnswer, extractions: readonly Extraction[] = []): Record<string, string> {
  const out: Record<string, string> = {};
  for (const extraction of extractions) {
    const key = extraction.field === 'versionPart' ? (extraction.part ?? '') : extraction.field;
    if (key in out) continue;
    const from = extraction.source === 'title' ? answer.title : extraction.source === 'header' ? answer.headers[extraction.header ?? ''] : answer.body;
    if (from === undefined) continue;
    let value: string | undefined;
    if (extraction.regex !== undefined) value = new RegExp(extraction.regex).exec(from)?.[1];
    else if (extraction.xmlTag !== undefined) value = xmlTagText(from, extraction.xmlTag);
    else if (extraction.pointer !== undefined) value = pointerValue(from, extraction.pointer);
    if (value !== undefined && value !== '') out[key] = value;
  }
  return out;
}

/** One of a pack's own examples as an answer. */
export function exampleAnswer(dir: string, example: Example): PackAnswer {
  const body = example.bodyFile !== undefined ? readFileSync(path.join(dir, example.bodyFile), 'utf8') : (example.body ?? '');
  const title = titleOf(body);
  return { status: example.status ?? 200, headers: { ...example.headers }, body, ...(title !== undefined ? { title } : {}) };
}

/** GET (or POST) a path on a loopback fake, no redirect followed. */
export async function fetchAnswer(base: string, request: NonNullable<Fingerprint['request'] | Indicator['request']>, headers: Record<string, string> = {}): Promise<PackAnswer> {
  const url = new URL(request.path, base);
  if (!['127.0.0.1', '[::1]', 'localhost'].includes(url.hostname)) throw new Error(`pack-match only talks to loopback, not ${url.hostname}`);
  const response = await fetch(url, { method: request.method, redirect: 'manual', headers: { 'user-agent': 'exposure-scanner', ...headers }, ...(request.body !== undefined ? { body: request.body } : {}), signal: AbortSignal.timeout(5000) });
  const body = (await response.text()).slice(0, MAX_BODY);
  const title = titleOf(body);
  return { status: response.status, headers: Object.fromEntries(response.headers), body, ...(title !== undefined ? { title } : {}) };
}

export interface Recognition {
  matched: string[];
  identified: boolean;
  facts: Record<string, string>;
  version?: string;
  productLine?: string;
}

/** Every http fingerprint of the pack against one fake, in order, honouring `when`; the facts the first matches told. */
export async function recognise(pack: VendorPack, base: string): Promise<Recognition> {
  const matched: string[] = [];
  const facts: Record<string, string> = {};
  let productLine: string | undefined;
  for (const fingerprint of pack.fingerprints) {
    if (fingerprint.kind !== 'http' || fingerprint.request === undefined) continue;
    if (fingerprint.when?.matched && !fingerprint.when.matched.some((id) => matched.includes(id))) continue;
    if (fingerprint.when?.notMatched?.some((id) => matched.includes(id))) continue;
    const answer = await fetchAnswer(base, fingerprint.request);
    if (!matches(answer, fingerprint.match)) continue;
    matched.push(fingerprint.id);
    productLine ??= fingerprint.productLine;
    for (const [key, value] of Object.entries(extractAll(answer, fingerprint.extract))) facts[key] ??= value;
  }
  const identified = pack.fingerprints.some((fingerprint) => fingerprint.identifies && matched.includes(fingerprint.id));
  let version: string | undefined;
  const lines = pack.productLines.filter((line) => line.kind === 'firmware' && (productLine === undefined || line.id === productLine));
  for (const line of lines) {
    const grammar = compileGrammar(line.version);
    const composed = grammar.compose(facts);
    const parsed = grammar.parse(composed);
    if (parsed && grammar.selects(parsed)) {
      version = composed;
      productLine = line.id;
      break;
    }
  }
  return { matched, identified, facts, ...(version !== undefined ? { version } : {}), ...(productLine !== undefined ? { productLine } : {}) };
}

export type Verdict = 'vulnerable' | 'fixed' | 'not-applicable' | 'unknown';

/** docs/vendor-packs.md "How a verdict is reached", for one advisory and one firmware version. */
export function verdict(pack: VendorPack, advisoryId: string, productLine: string, version: string): Verdict {
  const advisory = pack.advisories.find((candidate) => candidate.id === advisoryId);
  const affected = advisory?.affected.find((entry) => entry.productLine === productLine);
  const line = pack.productLines.find((candidate) => candidate.id === productLine);
  if (!affected || !line) return 'not-applicable';
  const grammar = compileGrammar(line.version);
  const parsed = grammar.parse(version);
  if (!parsed) return 'unknown';
  const prefix = (text: string): number[] => text.split('.').map(Number);
  const onBranch = (branch: number[]): boolean => branch.every((part, index) => parsed.release[index] === part);
  const compareRelease = (left: number[], right: number[]): number => {
    for (let index = 0; index < Math.max(left.length, right.length); index++) {
      const difference = (left[index] ?? 0) - (right[index] ?? 0);
      if (difference !== 0) return Math.sign(difference);
    }
    return 0;
  };
  if (affected.introduced !== undefined && compareRelease(parsed.release, prefix(affected.introduced)) < 0) return 'not-applicable';
  if (affected.unfixed) return 'vulnerable';
  const fix = affected.fixes.filter((candidate) => onBranch(prefix(candidate.branch))).sort((a, b) => b.branch.length - a.branch.length)[0];
  if (fix) {
    const fixed = grammar.parse(fix.fixed);
    const order = fixed ? grammar.compare(parsed, fixed) : null;
    return order === null ? 'unknown' : order < 0 ? 'vulnerable' : 'fixed';
  }
  const newer = affected.fixes.every((candidate) => compareRelease(parsed.release, prefix(candidate.branch)) > 0);
  if (newer) return affected.newerBranches === 'fixed' ? 'fixed' : 'unknown';
  return affected.olderBranches === 'affected' ? 'vulnerable' : affected.olderBranches === 'not-affected' ? 'fixed' : 'unknown';
}

/** recog's rule: every fingerprint and indicator matches its positive examples (extracting what they expect) and none of its negatives. */
export function checkOwnExamples(t: TapTest, id: string): void {
  const { pack, dir } = packAt(id);
  const entries: Array<{ id: string; match: Fingerprint['match']; extract?: readonly Extraction[]; examples: Fingerprint['examples']; tls: boolean }> = [
    ...pack.fingerprints.map((fingerprint) => ({ id: fingerprint.id, match: fingerprint.match, ...(fingerprint.extract ? { extract: fingerprint.extract } : {}), examples: fingerprint.examples, tls: fingerprint.kind === 'tls' })),
    ...(pack.indicators ?? []).map((indicator) => ({ id: indicator.id, match: indicator.match, examples: indicator.examples, tls: false })),
  ];
  for (const entry of entries) {
    if (entry.tls) continue;
    for (const example of entry.examples.positive) {
      const answer = exampleAnswer(dir, example);
      t.ok(matches(answer, entry.match), `${entry.id} matches: ${example.description}`);
      if (example.expect) {
        const facts = extractAll(answer, entry.extract);
        for (const [key, value] of Object.entries(example.expect)) t.same(facts[key], value, `${entry.id} extracts ${key}`);
      }
    }
    for (const example of entry.examples.negative) t.notOk(matches(exampleAnswer(dir, example), entry.match), `${entry.id} does not match: ${example.description}`);
  }
}
