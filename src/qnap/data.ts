import type { ErrorObject } from 'ajv';
import { validateFingerprintsSchema, validateVulnerabilitiesSchema } from './data-validators.generated.js';
import fingerprintData from '../../probes/qnap/fingerprints.json' with { type: 'json' };
import vulnerabilityData from '../../probes/qnap/vulnerabilities.json' with { type: 'json' };
import { createError } from '../core/errors.js';
import type { Affected, Fingerprint, QnapFingerprints, QnapVulnerabilities } from './data.generated.js';
import { onBranch, parseAppVersion, parseBranch, parseFirmware, type Flavor } from './version.js';

export type { Advisory, Affected, Condition, Extraction, Fingerprint, Fix } from './data.generated.js';

export const FIRMWARE_FLAVORS: Readonly<Record<string, Flavor>> = { QTS: '', 'QuTS hero': 'h', QuTScloud: 'c' };

function invalid(file: string, problem: string): Error {
  return createError('EXP_ERR_QNAP_DATA', `${file} is not valid: ${problem}`, { hint: 'Fix the data file (its schema is in schemas/); npx tap test/qnap/data.test.ts shows every problem.' });
}

/** Checks what a schema cannot: regexes compile, `when` names known fingerprints, a fix lies on its branch. */
function checkFingerprints(data: QnapFingerprints, file: string): void {
  const ids = new Set<string>();
  for (const fingerprint of data.fingerprints) {
    if (ids.has(fingerprint.id)) throw invalid(file, `duplicate id ${fingerprint.id}`);
    for (const id of [...(fingerprint.when?.matched ?? []), ...(fingerprint.when?.notMatched ?? [])]) {
      // Only earlier fingerprints have run when this one is considered.
      if (!ids.has(id)) throw invalid(file, `${fingerprint.id}: "when" names ${id}, which is not an earlier fingerprint`);
    }
    ids.add(fingerprint.id);
    if (fingerprint.kind === 'tls' && fingerprint.request) throw invalid(file, `${fingerprint.id}: a tls fingerprint sends no request`);
    if (fingerprint.kind === 'http' && !fingerprint.request) throw invalid(file, `${fingerprint.id}: an http fingerprint needs a request`);
    for (const condition of [...(fingerprint.match.all ?? []), ...(fingerprint.match.any ?? [])]) {
      if (condition.regex !== undefined) compile(condition.regex, file, fingerprint.id);
      if (condition.source === 'header' && condition.header === undefined) throw invalid(file, `${fingerprint.id}: a header condition needs "header"`);
      if ((condition.source === 'cert.subject' || condition.source === 'cert.issuer') && condition.attribute === undefined) throw invalid(file, `${fingerprint.id}: a certificate condition needs "attribute"`);
      if (fingerprint.kind === 'http' && condition.source.startsWith('cert.')) throw invalid(file, `${fingerprint.id}: an http fingerprint cannot test the certificate`);
      if (fingerprint.kind === 'tls' && !condition.source.startsWith('cert.')) throw invalid(file, `${fingerprint.id}: a tls fingerprint can only test the certificate`);
    }
    for (const extraction of fingerprint.extract ?? []) {
      const ways = [extraction.xmlTag, extraction.xmlTags, extraction.regex].filter((way) => way !== undefined).length;
      if (ways !== 1) throw invalid(file, `${fingerprint.id}: extraction of ${extraction.field} needs exactly one of xmlTag, xmlTags, regex`);
      if ((extraction.field === 'flags') !== (extraction.xmlTags !== undefined)) throw invalid(file, `${fingerprint.id}: flags are extracted with xmlTags, and xmlTags only extract flags`);
      if (extraction.regex !== undefined && (new RegExp(`${compile(extraction.regex, file, fingerprint.id).source}|`).exec('') ?? []).length < 2) {
        throw invalid(file, `${fingerprint.id}: the ${extraction.field} regex needs a capture group`);
      }
    }
  }
}

function compile(pattern: string, file: string, id: string): RegExp {
  try {
    return new RegExp(pattern);
  } catch (error) {
    throw invalid(file, `${id}: regex ${pattern} does not compile (${(error as Error).message})`);
  }
}

function checkAffected(affected: Affected, advisory: string, file: string): void {
  const flavor = FIRMWARE_FLAVORS[affected.product];
  for (const fix of affected.fixes) {
    const branch = parseBranch(fix.branch);
    if (!branch) throw invalid(file, `${advisory}: branch ${fix.branch} is not a release prefix`);
    if (flavor !== undefined) {
      const fixed = parseFirmware(fix.fixed);
      if (!fixed) throw invalid(file, `${advisory}: fixed build "${fix.fixed}" is not in QNAP's format (5.1.1.2491 build 20230815)`);
      if (fixed.flavor !== flavor) throw invalid(file, `${advisory}: ${affected.product} fix "${fix.fixed}" has the wrong prefix (QuTS hero: h, QuTScloud: c, QTS: none)`);
      if (!onBranch(fixed.release, branch)) throw invalid(file, `${advisory}: ${fix.fixed} is not on branch ${fix.branch}`);
      if (fix.platforms) throw invalid(file, `${advisory}: platforms belong to app fixes only`);
    } else {
      const fixed = parseAppVersion(fix.fixed);
      if (!fixed) throw invalid(file, `${advisory}: app version "${fix.fixed}" is not dotted numbers`);
      if (!onBranch(fixed, branch)) throw invalid(file, `${advisory}: ${fix.fixed} is not on branch ${fix.branch}`);
    }
  }
}

function checkVulnerabilities(data: QnapVulnerabilities, file: string): void {
  const ids = new Set<string>();
  for (const advisory of data.advisories) {
    if (ids.has(advisory.id)) throw invalid(file, `duplicate id ${advisory.id}`);
    ids.add(advisory.id);
    if (advisory.kev.listed && (advisory.kev.dateAdded === undefined || advisory.cve.length === 0)) throw invalid(file, `${advisory.id}: a KEV listing needs its CVE and dateAdded`);
    if (advisory.kev.knownRansomwareCampaignUse === 'Known' && !advisory.knownRansomware) throw invalid(file, `${advisory.id}: KEV says known ransomware use; knownRansomware must be true`);
    for (const affected of advisory.affected) checkAffected(affected, advisory.id, file);
  }
}

/** The ajv validators for both schemas, compiled ahead of time by scripts/gen-types.mjs (as the report's is). */
type Validator = ((data: unknown) => boolean) & { errors?: ErrorObject[] | null };
const fingerprintSchemaValid = validateFingerprintsSchema as unknown as Validator;
const vulnerabilitySchemaValid = validateVulnerabilitiesSchema as unknown as Validator;

function schemaProblem(validate: Validator): string {
  const error = validate.errors?.[0];
  return `${error?.instancePath ?? ''} ${error?.message ?? ''}`;
}

/** Validates fingerprint data against schemas/fingerprint.schema.json and the checks above. */
export function validateFingerprints(data: unknown, file = 'probes/qnap/fingerprints.json'): QnapFingerprints {
  if (!fingerprintSchemaValid(data)) throw invalid(file, schemaProblem(fingerprintSchemaValid));
  const fingerprints = data as QnapFingerprints;
  checkFingerprints(fingerprints, file);
  return fingerprints;
}

/** Validates advisory data against schemas/vulnerability.schema.json and the checks above. */
export function validateVulnerabilities(data: unknown, file = 'probes/qnap/vulnerabilities.json'): QnapVulnerabilities {
  if (!vulnerabilitySchemaValid(data)) throw invalid(file, schemaProblem(vulnerabilitySchemaValid));
  const vulnerabilities = data as QnapVulnerabilities;
  checkVulnerabilities(vulnerabilities, file);
  return vulnerabilities;
}

let fingerprints: readonly Fingerprint[] | undefined;
let vulnerabilities: QnapVulnerabilities | undefined;

/** The shipped fingerprints, validated once on first use. */
export function loadFingerprints(): readonly Fingerprint[] {
  fingerprints ??= validateFingerprints(fingerprintData).fingerprints;
  return fingerprints;
}

/** The shipped advisories, validated once on first use. */
export function loadVulnerabilities(): QnapVulnerabilities {
  vulnerabilities ??= validateVulnerabilities(vulnerabilityData);
  return vulnerabilities;
}
