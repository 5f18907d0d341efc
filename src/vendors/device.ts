import type { QnapDevice as Device } from '../core/report.generated.js';
import type { Fingerprint, LoadedPack, PackLine } from './load.js';
import type { ParsedVersion } from './grammar.js';
import type { Extracted } from './match.js';

/** One fingerprint that matched on one port, with what it extracted. */
export interface MatchResult {
  pack: LoadedPack;
  fingerprint: Fingerprint;
  port: number;
  extracted: Extracted;
}

const RANK = { low: 0, medium: 1, high: 2 } as const;
const MAX_FLAGS = 64;

type Firmware = NonNullable<Device['firmware']>;

export interface FirmwareFact {
  firmware: Firmware;
  /** The firmware line the version belongs to, when it parses with one. */
  line?: PackLine;
  parsed?: ParsedVersion;
}

function firmwareLines(pack: LoadedPack): PackLine[] {
  return [...pack.lines.values()].filter((entry) => entry.line.kind === 'firmware');
}

/** The firmware line (of the pack) a version text belongs to, with the parsed version. */
export function firmwareLineOf(pack: LoadedPack, text: string): { line: PackLine; parsed: ParsedVersion } | undefined {
  for (const line of firmwareLines(pack)) {
    const parsed = line.grammar.parse(text);
    if (parsed && line.grammar.selects(parsed)) return { line, parsed };
  }
  return undefined;
}

/**
 * The firmware a device told, from a whole version or from parts (QNAP's authLogin.cgi gives <version>, <number> and
 * <build> apart), kept as the device wrote it even when it does not parse: the verdicts then say "cannot tell" with
 * the text in hand, rather than the report hiding what the device said. A version that parses is written the way
 * the vendor's advisories write it.
 */
export function firmwareOf(pack: LoadedPack, extracted: Pick<Extracted, 'fields' | 'parts'>): FirmwareFact | null {
  const version = extracted.fields.version;
  if (version === undefined) return null;
  const lines = firmwareLines(pack);
  const parts = { ...extracted.parts, version };
  const number = extracted.parts['number'];
  const build = extracted.parts['build'];
  const kept = { version, ...(number ? { number } : {}), ...(build ? { build } : {}) };
  for (const line of lines) {
    const composed = line.grammar.compose(parts);
    const parsed = composed === undefined ? null : line.grammar.parse(composed);
    if (parsed && line.grammar.selects(parsed)) return { firmware: { ...kept, full: line.grammar.format(parsed).slice(0, 200) }, line, parsed };
  }
  const raw = lines[0]?.grammar.compose(parts) ?? version;
  return { firmware: { ...kept, full: raw.slice(0, 200) } };
}

/** A firmware line named by its id, its name or an alias (case-insensitive). */
function lineNamed(pack: LoadedPack, name: string | undefined): PackLine | undefined {
  if (name === undefined) return undefined;
  const wanted = name.trim().toLowerCase();
  return firmwareLines(pack).find((entry) => entry.line.id === wanted || entry.line.name.toLowerCase() === wanted || (entry.line.aliases ?? []).some((alias) => alias.toLowerCase() === wanted));
}

/**
 * What the matches of one pack on all of a host's ports say it is. A host is the vendor's only when a fingerprint
 * that identifies it matched (QNAP: QDocRoot with QNAP's structure, the login page's markers, the default
 * certificate, the Photo Station page); a Server header or a title alone never makes one. Confidence is the best
 * such match's, raised to high when two different identifying medium fingerprints agree.
 */
export function buildDevice(results: readonly MatchResult[], pack?: LoadedPack): Device | null {
  const mine = pack ? results.filter((result) => result.pack === pack) : results;
  const identifying = mine.filter((result) => result.fingerprint.identifies);
  const owner = identifying[0]?.pack;
  if (!owner) return null;
  let confidence = identifying.reduce<Device['confidence']>((best, result) => (RANK[result.fingerprint.confidence] > RANK[best] ? result.fingerprint.confidence : best), 'low');
  if (confidence === 'medium' && new Set(identifying.filter((result) => result.fingerprint.confidence === 'medium').map((result) => result.fingerprint.id)).size >= 2) confidence = 'high';

  // Admin-UI answers (authLogin.cgi) first: they are the firmware's own word.
  const ordered = [...mine].sort((a, b) => Number(b.fingerprint.adminUi ?? false) - Number(a.fingerprint.adminUi ?? false) || RANK[b.fingerprint.confidence] - RANK[a.fingerprint.confidence]);
  const first = (field: keyof Extracted['fields']): string | undefined => ordered.map((result) => result.extracted.fields[field]).find((value) => value !== undefined);

  let fact: FirmwareFact | null = null;
  let factFrom: MatchResult | undefined;
  for (const result of ordered) {
    fact = firmwareOf(owner, result.extracted);
    if (fact) {
      factFrom = result;
      break;
    }
  }
  // A weaker source (Photo Station tells the firmware it was built for: the release only), used only when nothing better answered.
  const fallback = ordered.find((result) => result.extracted.fields.fallbackVersion !== undefined);
  const fallbackText = fallback?.extracted.fields.fallbackVersion;
  let fromFallback = false;
  if (!fact && fallback && fallbackText !== undefined) {
    fact = { firmware: { version: fallbackText, full: fallbackText } };
    factFrom = fallback;
    fromFallback = true;
  }

  const model = first('model');
  const displayModel = first('displayModel');
  const hostname = first('hostname');
  const firmwareLine = fact?.firmware ? (fact.line ?? firmwareLineOf(owner, fact.firmware.full)?.line) : undefined;
  const line = lineNamed(owner, first('productLine')) ?? lineNamed(owner, displayModel) ?? lineNamed(owner, model) ?? firmwareLine
    ?? ordered.map((result) => result.fingerprint.productLine).filter((id): id is string => id !== undefined).map((id) => owner.lines.get(id)).find((found) => found?.line.kind === 'firmware');

  const apps: Device['apps'] = [];
  for (const result of mine) {
    const app = result.fingerprint.app === undefined ? undefined : owner.lines.get(result.fingerprint.app);
    if (!app) continue;
    const name = app.line.name;
    const version = result.extracted.fields.appVersion ?? null;
    const existing = apps.find((candidate) => candidate.name === name && candidate.port === result.port);
    if (existing) existing.version ??= version;
    else apps.push({ name, version, port: result.port });
  }

  const flags: Record<string, string> = {};
  for (const result of ordered) {
    for (const [name, value] of Object.entries(result.extracted.flags)) {
      if (Object.keys(flags).length >= MAX_FLAGS) break;
      if (!(name in flags)) flags[name] = value;
    }
  }
  const adminPorts = [...new Set(mine.filter((result) => result.fingerprint.adminUi).map((result) => result.port))].sort((a, b) => a - b);
  const request = factFrom?.fingerprint.request;

  return {
    vendor: owner.pack.vendor,
    pack: owner.pack.id,
    ...(line ? { productLine: line.line.id } : {}),
    os: line?.line.name ?? null,
    ...(model !== undefined ? { model } : {}),
    ...(displayModel !== undefined ? { displayModel } : {}),
    ...(hostname !== undefined ? { hostname } : {}),
    confidence,
    firmware: fact?.firmware ?? null,
    ...(factFrom ? { versionSource: { port: factFrom.port, path: request ? `${request.method} ${request.path}` : 'tls', fingerprint: factFrom.fingerprint.id, field: fromFallback ? 'fallbackVersion' : 'version' } } : {}),
    apps,
    ...(adminPorts.length > 0 ? { adminPorts } : {}),
    ...(Object.keys(flags).length > 0 ? { flags } : {}),
  };
}

/**
 * The device a host is, across packs: the pack whose identifying fingerprints matched with the best confidence
 * (ties: the order packs were loaded in). A host two vendors both claim is reported as the stronger claim.
 */
export function bestDevice(results: readonly MatchResult[], packs: readonly LoadedPack[]): Device | null {
  let best: Device | null = null;
  for (const pack of packs) {
    const device = buildDevice(results, pack);
    if (device && (!best || RANK[device.confidence] > RANK[best.confidence])) best = device;
  }
  return best;
}
