// Every shipped vendor pack, as rapid7/recog checks its fingerprints: each fingerprint's and indicator's positive
// examples match with the engine the scan uses (src/vendors/match.ts) and extract what they say, the negative ones
// do not match; each grammar's examples parse (or not) and order as written; regexes stay fast on hostile answers.
import t from 'tap';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { builtinPacks, loadPacks, type Example, type LoadedPack } from '../../src/vendors/load.js';
import { extract, matchFingerprint, titleOf, type CertAnswer, type HttpAnswer } from '../../src/vendors/match.js';
import { firmwareOf } from '../../src/vendors/device.js';
import { regexProblem } from '../../src/vendors/regex-safety.js';

const MAX_EXAMPLE_BYTES = 256 * 1024;

function answerOf(pack: LoadedPack, example: Example): { http?: HttpAnswer; cert?: CertAnswer } {
  if (example.cert) return { cert: { subject: example.cert.subject, issuer: example.cert.issuer, selfSigned: example.cert.selfSigned } };
  let body = example.body ?? '';
  if (example.bodyFile !== undefined) {
    const file = path.join(pack.dir, example.bodyFile);
    if (statSync(file).size > MAX_EXAMPLE_BYTES) throw new Error(`${file} is larger than 256 KiB`);
    body = readFileSync(file, 'utf8');
  }
  return { http: { status: example.status ?? 200, headers: example.headers ?? {}, body, title: titleOf(body) } };
}

const packs = builtinPacks();

t.test('the shipped packs load together (ids unique across packs)', async (t) => {
  t.ok(packs.length >= 1);
  t.ok(packs.some((pack) => pack.pack.id === 'qnap'));
  t.doesNotThrow(() => loadPacks());
});

for (const pack of packs) {
  t.test(`${pack.pack.id}: every fingerprint and indicator against its own examples`, async (t) => {
    for (const fingerprint of pack.pack.fingerprints) {
      for (const example of fingerprint.examples.positive) {
        const answer = answerOf(pack, example);
        t.ok(matchFingerprint(fingerprint, answer), `${fingerprint.id} matches: ${example.description}`);
        const extracted = extract(fingerprint, answer);
        for (const [field, expected] of Object.entries(example.expect ?? {})) {
          const value = (extracted.fields as Record<string, string | undefined>)[field] ?? extracted.parts[field];
          t.equal(value, expected, `${fingerprint.id} extracts ${field}: ${example.description}`);
        }
        // A whole version extracted must be one the pack's grammars can read, or the verdicts could never use it.
        if (extracted.fields.version !== undefined && example.expect?.['version'] !== undefined) t.ok(firmwareOf(pack, extracted), `${fingerprint.id}: the version is kept`);
      }
      for (const example of fingerprint.examples.negative) {
        t.notOk(matchFingerprint(fingerprint, answerOf(pack, example)), `${fingerprint.id} does not match: ${example.description}`);
      }
    }
    for (const indicator of pack.pack.indicators ?? []) {
      for (const example of indicator.examples.positive) t.ok(matchFingerprint(indicator, answerOf(pack, example)), `${indicator.id} matches: ${example.description}`);
      for (const example of indicator.examples.negative) t.notOk(matchFingerprint(indicator, answerOf(pack, example)), `${indicator.id} does not match: ${example.description}`);
    }
  });

  t.test(`${pack.pack.id}: grammars read their examples, and fixes parse with their line's grammar`, async (t) => {
    for (const { line, grammar } of pack.lines.values()) {
      for (const text of line.version.examples?.valid ?? []) t.ok(grammar.parse(text), `${line.id}: "${text}" parses`);
      for (const text of line.version.examples?.invalid ?? []) {
        const parsed = grammar.parse(text);
        t.notOk(parsed && grammar.selects(parsed), `${line.id}: "${text}" is not one of its versions`);
      }
    }
  });

  t.test(`${pack.pack.id}: every regex stays fast on a hostile 256 KiB answer`, async (t) => {
    const patterns: string[] = [];
    for (const item of [...pack.pack.fingerprints, ...(pack.pack.indicators ?? [])]) {
      for (const condition of [...(item.match.all ?? []), ...(item.match.any ?? [])]) if (condition.regex) patterns.push(condition.regex);
      for (const extraction of 'extract' in item ? (item.extract ?? []) : []) if (extraction.regex) patterns.push(extraction.regex);
    }
    for (const pattern of patterns) {
      t.equal(regexProblem(pattern), undefined, pattern);
      const expression = new RegExp(pattern, 'i');
      // Runs of what the pattern's own characters are likely to be: spaces, digits, a repeated prefix.
      const prefix = pattern.replace(/[^A-Za-z<>="_ ]/g, '').slice(0, 12) || 'a';
      for (const hostile of [' '.repeat(MAX_EXAMPLE_BYTES), '1.'.repeat(MAX_EXAMPLE_BYTES / 2), prefix.repeat(Math.floor(MAX_EXAMPLE_BYTES / prefix.length))]) {
        const started = performance.now();
        expression.exec(hostile);
        const took = performance.now() - started;
        t.ok(took < 1000, `${pattern} on ${hostile.slice(0, 6)}...: ${took.toFixed(1)} ms`);
      }
    }
  });
}
