import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ErrorObject } from 'ajv';
import { createError } from '../core/errors.js';
import { compileGrammar, onBranch, parseBranch, type Grammar } from './grammar.js';
import validateVendorPack from './pack-validator.generated.js';
import type { Condition, Extraction, Fingerprint, Indicator, ProductLine, VendorPack } from './pack.generated.js';
import { regexProblem } from './regex-safety.js';

export type { Advisory, Affected, Condition, EndOfSupport, Example, Extraction, Fingerprint, Fix, Indicator, ProductLine, VendorPack } from './pack.generated.js';

/** A pack file larger than this is refused before it is parsed: the QNAP pack is about 60 KiB. */
export const MAX_PACK_BYTES = 2 * 1024 * 1024;
/** Packs loaded at once (shipped and --vendor-pack together). */
export const MAX_PACKS = 64;
export const PACK_FILE = 'pack.json';

export interface PackLine {
  line: ProductLine;
  grammar: Grammar;
}

/** A pack that passed the schema and every check below, with its grammars compiled. */
export interface LoadedPack {
  pack: VendorPack;
  /** The folder it was read from (or a label, for packs validated from memory). */
  dir: string;
  /** The file, as error messages name it. */
  file: string;
  source: 'builtin' | 'user';
  lines: ReadonlyMap<string, PackLine>;
}

export interface PackSet {
  packs: readonly LoadedPack[];
}

type Validator = ((data: unknown) => boolean) & { errors?: ErrorObject[] | null };
const schemaValid = validateVendorPack as unknown as Validator;

function invalid(file: string, at: string, problem: string): Error {
  return createError('EXP_ERR_VENDOR_PACK', { file, path: at || '/', problem });
}

function unsafe(file: string, at: string, problem: string): Error {
  return createError('EXP_ERR_VENDOR_PACK_REGEX', { file, path: at, problem });
}

function checkRegex(pattern: string | undefined, file: string, at: string): void {
  if (pattern === undefined) return;
  const problem = regexProblem(pattern);
  if (problem !== undefined) throw unsafe(file, at, problem);
}

function checkCondition(condition: Condition, kind: 'http' | 'tls', file: string, at: string): void {
  checkRegex(condition.regex, file, `${at}/regex`);
  const needs: Partial<Record<Condition['source'], keyof Condition>> = { header: 'header', json: 'pointer', xml: 'xmlTag', 'cert.subject': 'attribute', 'cert.issuer': 'attribute' };
  const needed = needs[condition.source];
  if (needed !== undefined && condition[needed] === undefined) throw invalid(file, at, `a ${condition.source} condition needs "${needed}"`);
  const tests = [condition.equals, condition.in, condition.contains, condition.regex].filter((test) => test !== undefined).length;
  if (tests !== 1) throw invalid(file, at, 'a condition needs exactly one of equals, in, contains, regex');
  if (kind === 'http' && condition.source.startsWith('cert.')) throw invalid(file, at, 'an http fingerprint cannot test the certificate');
  if (kind === 'tls' && !condition.source.startsWith('cert.')) throw invalid(file, at, 'a tls fingerprint can only test the certificate');
}

function checkExtraction(extraction: Extraction, file: string, at: string): void {
  const ways = [extraction.xmlTag, extraction.xmlTags, extraction.pointer, extraction.regex].filter((way) => way !== undefined).length;
  if (ways !== 1) throw invalid(file, at, `extraction of ${extraction.field} needs exactly one of xmlTag, xmlTags, pointer, regex`);
  if ((extraction.field === 'flags') !== (extraction.xmlTags !== undefined)) throw invalid(file, at, 'flags are extracted with xmlTags, and xmlTags only extract flags');
  if ((extraction.field === 'versionPart') !== (extraction.part !== undefined)) throw invalid(file, at, 'a versionPart extraction names its part, and only it does');
  if (extraction.source === 'header' && extraction.header === undefined) throw invalid(file, at, 'a header extraction needs "header"');
  const rows = extraction.map;
  if (rows) {
    if (extraction.field === 'flags') throw invalid(file, `${at}/map`, 'flags cannot be looked up in a table');
    let end = -1;
    rows.forEach((row, index) => {
      const from = row.from ?? 0;
      if (row.below !== undefined && row.below <= from) throw invalid(file, `${at}/map/${index}`, `the range ${from} to ${row.below} is empty`);
      if (from < end || (index > 0 && row.from === undefined)) throw invalid(file, `${at}/map/${index}`, 'rows must be sorted by their ranges and must not overlap');
      if (row.below === undefined && index < rows.length - 1) throw invalid(file, `${at}/map/${index}`, 'only the last row may be open-ended');
      end = row.below ?? Number.MAX_SAFE_INTEGER;
    });
  }
  if (extraction.regex !== undefined) {
    checkRegex(extraction.regex, file, `${at}/regex`);
    // An empty alternative makes the pattern match '' so the group count shows up in the result's length.
    if ((new RegExp(`${extraction.regex}|`).exec('') ?? []).length < 2) throw invalid(file, `${at}/regex`, `the ${extraction.field} regex needs a capture group`);
  }
}

function checkMatcher(item: Fingerprint | Indicator, kind: 'http' | 'tls', earlier: ReadonlySet<string>, file: string, at: string): void {
  if (kind === 'tls' && item.request) throw invalid(file, `${at}/request`, 'a tls fingerprint sends no request');
  const when = 'when' in item ? item.when : undefined;
  for (const id of [...(when?.matched ?? []), ...(when?.notMatched ?? [])]) {
    // Only earlier fingerprints of the pack have run when this one is considered.
    if (!earlier.has(id)) throw invalid(file, `${at}/when`, `"when" names ${id}, which is not an earlier fingerprint of this pack`);
  }
  (item.match.all ?? []).forEach((condition, index) => checkCondition(condition, kind, file, `${at}/match/all/${index}`));
  (item.match.any ?? []).forEach((condition, index) => checkCondition(condition, kind, file, `${at}/match/any/${index}`));
  const examples = item.examples;
  [...examples.positive.map((example, index) => ({ example, at: `${at}/examples/positive/${index}` })), ...examples.negative.map((example, index) => ({ example, at: `${at}/examples/negative/${index}` }))].forEach(({ example, at: where }) => {
    if (example.bodyFile !== undefined && example.bodyFile.split('/').some((segment) => segment === '.' || segment === '..')) throw invalid(file, `${where}/bodyFile`, 'an example file must lie inside the pack folder');
    if (example.body !== undefined && example.bodyFile !== undefined) throw invalid(file, where, 'an example has body or bodyFile, not both');
    if ((example.cert !== undefined) !== (kind === 'tls')) throw invalid(file, where, kind === 'tls' ? 'a tls example is a certificate' : 'an http example is an answer, not a certificate');
  });
}

function compileLines(pack: VendorPack, file: string): Map<string, PackLine> {
  const lines = new Map<string, PackLine>();
  pack.productLines.forEach((line, index) => {
    const at = `/productLines/${index}`;
    if (lines.has(line.id)) throw invalid(file, `${at}/id`, `duplicate product line ${line.id}`);
    checkRegex(line.version.pattern, file, `${at}/version/pattern`);
    const grammar = compileGrammar(line.version);
    for (const name of [...line.version.release, ...(line.version.then ?? []).map((item) => item.group), ...(line.version.dateGroups ?? []), ...(line.version.select ? [line.version.select.group] : [])]) {
      if (!new RegExp(`\\(\\?<${name}>`).test(line.version.pattern)) throw invalid(file, `${at}/version`, `group ${name} is not a named group of the pattern`);
    }
    const examples = line.version.examples;
    for (const text of examples?.valid ?? []) {
      const parsed = grammar.parse(text);
      if (!parsed || !grammar.selects(parsed)) throw invalid(file, `${at}/version/examples/valid`, `"${text}" does not parse as ${line.name}`);
    }
    for (const text of examples?.invalid ?? []) {
      const parsed = grammar.parse(text);
      if (parsed && grammar.selects(parsed)) throw invalid(file, `${at}/version/examples/invalid`, `"${text}" parses as ${line.name}`);
    }
    for (const [low = '', high = ''] of examples?.ordered ?? []) {
      const a = grammar.parse(low);
      const b = grammar.parse(high);
      if (!a || !b || grammar.compare(a, b) !== -1) throw invalid(file, `${at}/version/examples/ordered`, `"${low}" is not ordered below "${high}"`);
    }
    lines.set(line.id, { line, grammar });
  });
  return lines;
}

function checkPack(pack: VendorPack, file: string): Map<string, PackLine> {
  const lines = compileLines(pack, file);
  const lineOf = (id: string, at: string, kind?: ProductLine['kind']): PackLine => {
    const found = lines.get(id);
    if (!found) throw invalid(file, at, `product line ${id} is not in this pack`);
    if (kind !== undefined && found.line.kind !== kind) throw invalid(file, at, `product line ${id} is not ${kind === 'app' ? 'an app' : 'a firmware'}`);
    return found;
  };

  const fingerprints = new Set<string>();
  pack.fingerprints.forEach((fingerprint, index) => {
    const at = `/fingerprints/${index}`;
    if (fingerprints.has(fingerprint.id)) throw invalid(file, `${at}/id`, `duplicate fingerprint ${fingerprint.id}`);
    if (fingerprint.kind === 'http' && !fingerprint.request) throw invalid(file, at, 'an http fingerprint needs a request');
    checkMatcher(fingerprint, fingerprint.kind, fingerprints, file, at);
    (fingerprint.extract ?? []).forEach((extraction, position) => checkExtraction(extraction, file, `${at}/extract/${position}`));
    if (fingerprint.app !== undefined) lineOf(fingerprint.app, `${at}/app`, 'app');
    if (fingerprint.productLine !== undefined) lineOf(fingerprint.productLine, `${at}/productLine`);
    fingerprints.add(fingerprint.id);
  });

  const advisories = new Set<string>();
  pack.advisories.forEach((advisory, index) => {
    const at = `/advisories/${index}`;
    if (advisories.has(advisory.id)) throw invalid(file, `${at}/id`, `duplicate advisory ${advisory.id}`);
    advisories.add(advisory.id);
    if (advisory.kev.listed && (advisory.kev.dateAdded === undefined || advisory.cve.length === 0 || advisory.kev.source === undefined)) throw invalid(file, `${at}/kev`, 'a KEV listing needs its CVE, dateAdded and source');
    if (advisory.kev.knownRansomwareCampaignUse === 'Known' && !advisory.knownRansomware) throw invalid(file, `${at}/knownRansomware`, 'KEV says known ransomware use; knownRansomware must be true');
    if (advisory.knownRansomware && advisory.ransomwareSource === undefined) throw invalid(file, `${at}/ransomwareSource`, 'knownRansomware needs the source that says so');
    advisory.affected.forEach((affected, position) => {
      const where = `${at}/affected/${position}`;
      const { line, grammar } = lineOf(affected.productLine, `${where}/productLine`);
      if (affected.unfixed && affected.fixes.length > 0) throw invalid(file, `${where}/unfixed`, 'an unfixed line lists no fixes');
      affected.fixes.forEach((fix, number) => {
        const fixAt = `${where}/fixes/${number}`;
        const branch = parseBranch(fix.branch);
        const fixed = grammar.parse(fix.fixed);
        if (!branch) throw invalid(file, `${fixAt}/branch`, `branch ${fix.branch} is not a release prefix`);
        if (!fixed || !grammar.selects(fixed)) throw invalid(file, `${fixAt}/fixed`, `"${fix.fixed}" is not a ${line.name} version (its grammar: ${line.version.pattern})`);
        if (!onBranch(fixed.release, branch)) throw invalid(file, `${fixAt}/fixed`, `${fix.fixed} is not on branch ${fix.branch}`);
        if (fix.platforms && line.kind !== 'app') throw invalid(file, `${fixAt}/platforms`, 'platforms belong to app fixes only');
        (fix.platforms ?? []).forEach((platform, which) => lineOf(platform.productLine, `${fixAt}/platforms/${which}/productLine`, 'firmware'));
      });
    });
  });

  pack.remediation.forEach((remediation, index) => remediation.productLines.forEach((id, position) => lineOf(id, `/remediation/${index}/productLines/${position}`)));

  const ends = new Set<string>();
  (pack.endOfSupport ?? []).forEach((end, index) => {
    const at = `/endOfSupport/${index}`;
    if (ends.has(end.id)) throw invalid(file, `${at}/id`, `duplicate end-of-support entry ${end.id}`);
    ends.add(end.id);
    if (end.models === undefined && end.productLine === undefined) throw invalid(file, at, 'an end-of-support entry names models, a product line, or both');
    checkRegex(end.models, file, `${at}/models`);
    if (end.productLine !== undefined) {
      const { grammar, line } = lineOf(end.productLine, `${at}/productLine`);
      if (end.below !== undefined && !grammar.parse(end.below)) throw invalid(file, `${at}/below`, `"${end.below}" is not a ${line.name} version`);
    } else if (end.below !== undefined) throw invalid(file, `${at}/below`, '"below" needs a product line');
  });

  const indicators = new Set<string>();
  (pack.indicators ?? []).forEach((indicator, index) => {
    const at = `/indicators/${index}`;
    if (indicators.has(indicator.id)) throw invalid(file, `${at}/id`, `duplicate indicator ${indicator.id}`);
    indicators.add(indicator.id);
    checkMatcher(indicator, 'http', new Set(), file, at);
  });
  return lines;
}

/** Validates one pack (already parsed) against the schema and every check beyond it. */
export function validatePack(data: unknown, file: string, dir = path.dirname(file), source: LoadedPack['source'] = 'user'): LoadedPack {
  if (!schemaValid(data)) {
    const error = schemaValid.errors?.[0];
    const detail = error?.params && 'additionalProperty' in error.params ? ` (${String(error.params['additionalProperty'])})` : error?.params && 'allowedValues' in error.params ? ` (${(error.params['allowedValues'] as unknown[]).join(', ')})` : '';
    throw invalid(file, error?.instancePath ?? '', `${error?.message ?? 'does not match the schema'}${detail}`);
  }
  const pack = data as VendorPack;
  const lines = checkPack(pack, file);
  if (source === 'user' || path.basename(dir) === pack.id || dir.startsWith('<')) return { pack, dir, file, source, lines };
  throw invalid(file, '/id', `the pack's id ${pack.id} is not its folder's name ${path.basename(dir)}`);
}

/** Reads and validates `dir/pack.json`: bounded in size, never executed. */
export function readPack(dir: string, source: LoadedPack['source'] = 'user'): LoadedPack {
  const file = path.join(dir, PACK_FILE);
  let text: string;
  try {
    const stats = statSync(file);
    if (!stats.isFile()) throw new Error(`${PACK_FILE} is not a file`);
    if (stats.size > MAX_PACK_BYTES) throw new Error(`${stats.size} bytes, more than ${MAX_PACK_BYTES}`);
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw createError('EXP_ERR_VENDOR_PACK_READ', { file, problem: (error as Error).message });
  }
  let data: unknown;
  try {
    data = JSON.parse(text) as unknown;
  } catch (error) {
    throw createError('EXP_ERR_VENDOR_PACK_READ', { file, problem: `not JSON (${(error as Error).message})` });
  }
  return validatePack(data, file, dir, source);
}

/**
 * Where the shipped packs are: probes/vendors/ beside src/ when run from the sources (tsx), and at the package's
 * root when run from dist/ (the package ships probes/**\/*.json, not a copy under dist/).
 */
export function builtinPackRoot(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const candidates = [path.resolve(here, '../../probes/vendors'), path.resolve(here, '../../../probes/vendors')];
  return candidates.find((candidate) => existsSync(candidate)) ?? candidates[0] ?? '';
}

let builtin: readonly LoadedPack[] | undefined;

/** The shipped packs, read and validated once per process. */
export function builtinPacks(): readonly LoadedPack[] {
  if (builtin) return builtin;
  const root = builtinPackRoot();
  const folders = readdirSync(root, { withFileTypes: true }).filter((entry) => entry.isDirectory() && existsSync(path.join(root, entry.name, PACK_FILE))).map((entry) => entry.name).sort();
  builtin = folders.map((folder) => readPack(path.join(root, folder), 'builtin'));
  return builtin;
}

/** Refuses what only a set of packs can get wrong: two packs with one id, a fingerprint or indicator id twice. */
export function checkPackSet(packs: readonly LoadedPack[]): PackSet {
  if (packs.length > MAX_PACKS) throw invalid(packs[MAX_PACKS]?.file ?? '', '/', `more than ${MAX_PACKS} packs`);
  const ids = new Map<string, string>();
  const matchers = new Map<string, string>();
  for (const loaded of packs) {
    const known = ids.get(loaded.pack.id);
    if (known !== undefined) throw invalid(loaded.file, '/id', `pack ${loaded.pack.id} is also loaded from ${known}`);
    ids.set(loaded.pack.id, loaded.file);
    const items = [...loaded.pack.fingerprints.map((item, index) => ({ id: item.id, at: `/fingerprints/${index}/id` })), ...(loaded.pack.indicators ?? []).map((item, index) => ({ id: item.id, at: `/indicators/${index}/id` }))];
    for (const { id, at } of items) {
      const other = matchers.get(id);
      if (other !== undefined) throw invalid(loaded.file, at, `fingerprint or indicator id ${id} is also used by ${other}`);
      matchers.set(id, loaded.file);
    }
  }
  return { packs };
}

/** The shipped packs and those in the folders given (--vendor-pack), checked together. */
export function loadPacks(extraDirs: readonly string[] = []): PackSet {
  return checkPackSet([...builtinPacks(), ...extraDirs.map((dir) => readPack(path.resolve(dir), 'user'))]);
}
