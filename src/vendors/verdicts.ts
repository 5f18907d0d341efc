import type { QnapDevice as Device, Verdict } from '../core/report.generated.js';
import { firmwareLineOf } from './device.js';
import { compareNumbers, onBranch, parseBranch, type Ordering, type ParsedVersion } from './grammar.js';
import { builtinPacks, type Advisory, type Affected, type Fix, type LoadedPack, type PackLine } from './load.js';

/**
 * Verdicts: one advisory of a vendor pack held against one device's facts (its firmware and app versions), pure.
 * The same rules for every vendor; only the data (each product line's grammar, each advisory's fixes) differs.
 */

type Status = Verdict['status'];
type UnknownBecause = NonNullable<Verdict['unknownBecause']>;

interface Judgement {
  status: Status;
  foundVersion: string | null;
  fixedVersion: string | null;
  reason: string;
  /** With status unknown: what could not be read or decided. */
  because?: UnknownBecause;
}

/** How one product entry's versions are read and ordered: by its line's grammar. */
interface Scale {
  label: string;
  found: string;
  release: readonly number[];
  fixedRelease(fix: Fix): readonly number[];
  compare(fix: Fix): Ordering | null;
}

function scaleOf(line: PackLine, version: ParsedVersion, found: string): Scale {
  return {
    label: line.line.name,
    found,
    release: version.release,
    fixedRelease: (fix) => line.grammar.parse(fix.fixed)?.release ?? [],
    compare: (fix) => {
      const fixed = line.grammar.parse(fix.fixed);
      return fixed ? line.grammar.compare(version, fixed) : null;
    },
  };
}

function byRelease(scale: Scale): (a: Fix, b: Fix) => number {
  return (a, b) => compareNumbers(scale.fixedRelease(a), scale.fixedRelease(b));
}

interface DeviceFirmware {
  line: PackLine;
  parsed: ParsedVersion;
}

/** App fixes name the firmware branches they are for; a device whose firmware is known picks its own. */
function forPlatform(fixes: readonly Fix[], firmware: DeviceFirmware | undefined): Fix[] {
  if (!firmware) return [...fixes];
  const mine = fixes.filter((fix) =>
    (fix.platforms ?? []).some((platform) => {
      const branch = parseBranch(platform.branch);
      return platform.productLine === firmware.line.line.id && branch !== null && onBranch(firmware.parsed.release, branch);
    }),
  );
  return mine.length > 0 ? mine : [...fixes];
}

/**
 * The branch rules, the same for firmware and apps:
 * 1. Below `introduced` (when the advisory names a first affected release): not applicable.
 * 2. A line the vendor never fixed (`unfixed`): vulnerable.
 * 3. On a branch with a listed fix (the longest matching branch wins): below the fix is vulnerable, at or above
 *    it fixed; a build that cannot be ordered against it (no build number or date on one side) is unknown.
 * 4. On a branch newer than every listed fixed branch: released after the fix, so fixed (unless the entry says
 *    the fix lives elsewhere: unknown).
 * 5. On a branch with no fix, older than some fixed branch: that branch never received the fix. The entry says
 *    whether such branches are affected (vulnerable, citing the nearest fixed release above it as the upgrade),
 *    unknown, or not affected.
 */
function judge(entry: Affected, scale: Scale, tieBreak: (fixes: readonly Fix[]) => Fix[] = (fixes) => [...fixes]): Judgement {
  const found = scale.found;
  const introduced = entry.introduced === undefined ? null : parseBranch(entry.introduced);
  if (introduced && compareNumbers(scale.release.slice(0, introduced.length), introduced) < 0) {
    return { status: 'not-applicable', foundVersion: found, fixedVersion: null, reason: `${found} is older than ${scale.label} ${entry.introduced ?? ''}, the first release the advisory names as affected` };
  }
  if (entry.unfixed) return { status: 'vulnerable', foundVersion: found, fixedVersion: null, reason: `${scale.label} never received a fix for it: every release is affected` };
  const fixes = entry.fixes;
  const onMine = fixes.filter((fix) => onBranch(scale.release, parseBranch(fix.branch) ?? [-1]));
  if (onMine.length > 0) {
    const longest = Math.max(...onMine.map((fix) => fix.branch.split('.').length));
    // Two fixes on one app branch (HBS 3 16.0 for QTS and for QuTS hero): the device's firmware picks.
    const candidates = tieBreak(onMine.filter((fix) => fix.branch.split('.').length === longest)).sort(byRelease(scale));
    const orderings = candidates.map((fix) => scale.compare(fix));
    const lowest = candidates[0];
    const highest = candidates[candidates.length - 1];
    if (!lowest || !highest || orderings.some((ordering) => ordering === null)) {
      return { status: 'unknown', because: 'build', foundVersion: found, fixedVersion: lowest?.fixed ?? null, reason: `${found} cannot be ordered against the fix ${lowest?.fixed ?? ''} on branch ${lowest?.branch ?? ''}: the build number or date is missing` };
    }
    if (orderings.every((ordering) => ordering !== null && ordering < 0)) {
      return { status: 'vulnerable', foundVersion: found, fixedVersion: lowest.fixed, reason: `${found} is below ${lowest.fixed}, the fix on branch ${lowest.branch}` };
    }
    if (orderings.every((ordering) => ordering !== null && ordering >= 0)) {
      return { status: 'fixed', foundVersion: found, fixedVersion: highest.fixed, reason: `${found} is at or above ${highest.fixed}, the fix on branch ${highest.branch}` };
    }
    return { status: 'unknown', because: 'firmware-choice', foundVersion: found, fixedVersion: highest.fixed, reason: `${found} lies between the fixes for different firmware (${candidates.map((fix) => fix.fixed).join(', ')}); which applies depends on the firmware` };
  }
  if (fixes.length === 0) return { status: 'unknown', because: 'no-fix-listed', foundVersion: found, fixedVersion: null, reason: `the advisory lists no fixed ${scale.label} release that can be compared` };
  const above = fixes.filter((fix) => compareNumbers(scale.release.slice(0, fix.branch.split('.').length), parseBranch(fix.branch) ?? []) < 0).sort(byRelease(scale));
  const nearest = above[0];
  if (!nearest) {
    const newest = [...fixes].sort(byRelease(scale)).at(-1)?.fixed ?? '';
    return entry.newerBranches === 'fixed'
      ? { status: 'fixed', foundVersion: found, fixedVersion: newest, reason: `${found} is on a newer branch than every fixed one (newest fix ${newest}): released after the fix` }
      : { status: 'unknown', because: 'branch-not-listed', foundVersion: found, fixedVersion: null, reason: `${found} is newer than every fixed ${scale.label} branch, but the advisory's fix for it lies elsewhere (see the other components)` };
  }
  if (entry.olderBranches === 'affected') {
    return { status: 'vulnerable', foundVersion: found, fixedVersion: nearest.fixed, reason: `${found} is on a branch that never received the fix; the nearest fixed release is ${nearest.fixed}` };
  }
  if (entry.olderBranches === 'not-affected') {
    return { status: 'not-applicable', foundVersion: found, fixedVersion: null, reason: `the advisory names only branches ${fixes.map((fix) => fix.branch).join(', ')} as affected` };
  }
  return { status: 'unknown', because: 'branch-not-listed', foundVersion: found, fixedVersion: nearest.fixed, reason: `${found} is on a branch the advisory does not list (it names fixes from ${nearest.fixed}); older branches cannot tell` };
}

/** The device's firmware as a version of one of the pack's firmware lines, when it is one. */
function deviceFirmware(pack: LoadedPack, device: Device): DeviceFirmware | undefined {
  return device.firmware ? firmwareLineOf(pack, device.firmware.full) : undefined;
}

function judgeEntry(pack: LoadedPack, entry: Affected, device: Device): Judgement {
  const line = pack.lines.get(entry.productLine);
  if (!line) return { status: 'unknown', because: 'no-fix-listed', foundVersion: null, fixedVersion: null, reason: `the pack has no product line ${entry.productLine}` };
  const name = line.line.name;
  const firmware = deviceFirmware(pack, device);
  if (line.line.kind === 'firmware') {
    if (!device.firmware) {
      if (entry.unfixed && device.productLine === line.line.id) return { status: 'vulnerable', foundVersion: null, fixedVersion: null, reason: `${name} never received a fix for it: every release is affected` };
      return { status: 'unknown', because: 'firmware-version', foundVersion: null, fixedVersion: null, reason: `${device.vendor} detected, version unknown: no answer told the firmware version without credentials` };
    }
    const full = device.firmware.full;
    if (firmware && firmware.line !== line) return { status: 'not-applicable', foundVersion: full, fixedVersion: null, reason: `the device runs ${firmware.line.line.name}; this part concerns ${name}` };
    const parsed = firmware?.parsed ?? line.grammar.parse(full);
    if (!parsed) return { status: 'unknown', because: 'firmware-format', foundVersion: full, fixedVersion: null, reason: `the firmware "${full}" is not in a format that can be compared` };
    if (!line.grammar.selects(parsed)) return { status: 'not-applicable', foundVersion: full, fixedVersion: null, reason: `the device runs ${device.os ?? 'another product line'}; this part concerns ${name}` };
    return judge(entry, scaleOf(line, parsed, `${name} ${full}`));
  }
  const app = device.apps.find((candidate) => candidate.name === name && candidate.version !== null);
  const platformFixes = forPlatform(entry.fixes, firmware);
  if (!app?.version) {
    const hint = platformFixes.length > 0 && platformFixes.length < entry.fixes.length ? platformFixes[0]?.fixed ?? null : null;
    return {
      status: 'unknown',
      because: 'app-version',
      foundVersion: null,
      fixedVersion: hint,
      reason: `${name}: its presence and version could not be read without credentials; check ${line.line.update ?? 'the installed apps'} on the NAS${hint ? ` (fixed in ${name} ${hint} for this firmware)` : ''}`,
    };
  }
  const version = line.grammar.parse(app.version);
  if (!version) return { status: 'unknown', because: 'app-format', foundVersion: `${name} ${app.version}`, fixedVersion: null, reason: `the ${name} version "${app.version}" is not in a format that can be compared` };
  return judge(entry, scaleOf(line, version, `${name} ${app.version}`), (fixes) => forPlatform(fixes, firmware));
}

const PRECEDENCE: readonly Status[] = ['vulnerable', 'unknown', 'fixed', 'not-applicable'];

/**
 * Among parts that cannot tell, the one naming something to read wins: QSA-21-11 on QTS 4.5 cannot tell because its
 * fix moved to Multimedia Console, so "the Multimedia Console version could not be read" is the useful answer.
 */
const UNKNOWN_ORDER: readonly UnknownBecause[] = ['firmware-version', 'app-version', 'build', 'firmware-format', 'app-format', 'firmware-choice', 'branch-not-listed', 'no-fix-listed'];

function rank(judgement: Judgement): number {
  const status = PRECEDENCE.indexOf(judgement.status) * UNKNOWN_ORDER.length;
  return status + (judgement.because ? UNKNOWN_ORDER.indexOf(judgement.because) : 0);
}

/** The pack a device was recognised by (its `pack`, or for reports written before packs, its vendor). */
export function packOf(device: Pick<Device, 'pack' | 'vendor'>, packs: readonly LoadedPack[] = builtinPacks()): LoadedPack | undefined {
  return device.pack !== undefined ? packs.find((pack) => pack.pack.id === device.pack) : packs.find((pack) => pack.pack.vendor === device.vendor);
}

/** One advisory against one device: the worst of its parts (vulnerable, then cannot tell, then fixed), naming the part's product. */
export function verdictFor(advisory: Advisory, device: Device, pack: LoadedPack | undefined = packOf(device)): Verdict {
  const judgements = pack ? advisory.affected.map((entry) => ({ entry, judgement: judgeEntry(pack, entry, device) })) : [];
  const chosen = judgements.reduce<(typeof judgements)[number] | undefined>((best, candidate) => (!best || rank(candidate.judgement) < rank(best.judgement) ? candidate : best), undefined);
  const judgement: Judgement = chosen?.judgement ?? { status: 'unknown', because: 'no-fix-listed', foundVersion: null, fixedVersion: null, reason: 'nothing to compare' };
  const line = chosen ? pack?.lines.get(chosen.entry.productLine) : undefined;
  return {
    advisory: advisory.id,
    component: advisory.component,
    product: line?.line.name ?? advisory.component,
    productKind: line?.line.kind === 'app' ? 'app' : 'firmware',
    status: judgement.status,
    ...(judgement.status === 'unknown' && judgement.because ? { unknownBecause: judgement.because } : {}),
    foundVersion: judgement.foundVersion,
    fixedVersion: judgement.fixedVersion,
    reason: judgement.reason,
    cve: [...advisory.cve],
    kev: advisory.kev.listed,
    knownRansomware: advisory.knownRansomware,
  };
}

/** Every advisory of the device's pack held against it. No device, or no pack for it, no verdicts. */
export function verdictsFor(device: Device | null, advisories?: readonly Advisory[], packs: readonly LoadedPack[] = builtinPacks()): Verdict[] {
  if (!device) return [];
  const pack = packOf(device, packs);
  if (!pack) return [];
  return (advisories ?? pack.pack.advisories).map((advisory) => verdictFor(advisory, device, pack));
}
