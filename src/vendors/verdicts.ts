import type { QnapDevice, Verdict } from '../core/report.generated.js';
import { FIRMWARE_FLAVORS, loadVulnerabilities, type Advisory, type Affected, type Fix } from './data.js';
import { compareFirmware, compareNumbers, flavorName, onBranch, parseAppVersion, parseBranch, parseFirmware, type FirmwareVersion, type Ordering } from './version.js';

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

/** How one product entry's versions are read and ordered: firmware (flavoured, with builds) or an app (dotted). */
interface Scale {
  label: string;
  found: string;
  release: readonly number[];
  fixedRelease(fix: Fix): readonly number[];
  compare(fix: Fix): Ordering | null;
}

function firmwareScale(device: FirmwareVersion, found: string): Scale {
  return {
    label: flavorName(device.flavor),
    found,
    release: device.release,
    fixedRelease: (fix) => parseFirmware(fix.fixed)?.release ?? [],
    compare: (fix) => {
      const fixed = parseFirmware(fix.fixed);
      return fixed ? compareFirmware(device, fixed) : null;
    },
  };
}

function appScale(name: string, version: readonly number[], found: string): Scale {
  return {
    label: name,
    found,
    release: version,
    fixedRelease: (fix) => parseAppVersion(fix.fixed) ?? [],
    compare: (fix) => {
      const fixed = parseAppVersion(fix.fixed);
      return fixed ? compareNumbers(version, fixed) : null;
    },
  };
}

function byRelease(scale: Scale): (a: Fix, b: Fix) => number {
  return (a, b) => compareNumbers(scale.fixedRelease(a), scale.fixedRelease(b));
}

/** App fixes name the firmware branches they are for; a device whose firmware is known picks its own. */
function forPlatform(fixes: readonly Fix[], firmware: FirmwareVersion | null): Fix[] {
  if (!firmware) return [...fixes];
  const mine = fixes.filter((fix) =>
    (fix.platforms ?? []).some((platform) => {
      const flavor = /^[hc]/.test(platform) ? platform[0] : '';
      const branch = parseBranch(platform.replace(/^[hc]/, ''));
      return flavor === firmware.flavor && branch !== null && onBranch(firmware.release, branch);
    }),
  );
  return mine.length > 0 ? mine : [...fixes];
}

/**
 * The branch rules, the same for firmware and apps:
 * 1. Below `introduced` (when the advisory names a first affected release): not applicable.
 * 2. On a branch with a listed fix (the longest matching branch wins): below the fix is vulnerable, at or above
 *    it fixed; a build that cannot be ordered against it (no build number or date on one side) is unknown.
 * 3. On a branch newer than every listed fixed branch: released after the fix, so fixed (unless the entry says
 *    the fix lives elsewhere: unknown).
 * 4. On a branch with no fix, older than some fixed branch: that branch never received the fix. The entry says
 *    whether such branches are affected (vulnerable, citing the nearest fixed release above it as the upgrade),
 *    unknown, or not affected.
 */
function judge(entry: Affected, scale: Scale, tieBreak: (fixes: readonly Fix[]) => Fix[] = (fixes) => [...fixes]): Judgement {
  const found = scale.found;
  const introduced = entry.introduced === undefined ? null : parseBranch(entry.introduced);
  if (introduced && compareNumbers(scale.release.slice(0, introduced.length), introduced) < 0) {
    return { status: 'not-applicable', foundVersion: found, fixedVersion: null, reason: `${found} is older than ${scale.label} ${entry.introduced ?? ''}, the first release the advisory names as affected` };
  }
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

function deviceFirmware(device: QnapDevice): FirmwareVersion | null {
  return device.firmware ? parseFirmware(device.firmware.full) : null;
}

function judgeEntry(entry: Affected, device: QnapDevice): Judgement {
  const flavor = FIRMWARE_FLAVORS[entry.product];
  const firmware = deviceFirmware(device);
  if (flavor !== undefined) {
    if (!device.firmware) return { status: 'unknown', because: 'firmware-version', foundVersion: null, fixedVersion: null, reason: 'QNAP detected, version unknown: no answer told the firmware version without credentials' };
    if (device.os === 'QES') return { status: 'not-applicable', foundVersion: device.firmware.full, fixedVersion: null, reason: `the advisory concerns ${entry.product}, not QES` };
    if (!firmware) return { status: 'unknown', because: 'firmware-format', foundVersion: device.firmware.full, fixedVersion: null, reason: `the firmware "${device.firmware.full}" is not in a format that can be compared` };
    if (firmware.flavor !== flavor) return { status: 'not-applicable', foundVersion: device.firmware.full, fixedVersion: null, reason: `the device runs ${flavorName(firmware.flavor)}; this part concerns ${entry.product}` };
    return judge(entry, firmwareScale(firmware, `${entry.product} ${device.firmware.full}`));
  }
  const app = device.apps.find((candidate) => candidate.name === entry.product && candidate.version !== null);
  const platformFixes = forPlatform(entry.fixes, firmware);
  if (!app?.version) {
    const hint = platformFixes.length > 0 && platformFixes.length < entry.fixes.length ? platformFixes[0]?.fixed ?? null : null;
    return {
      status: 'unknown',
      because: 'app-version',
      foundVersion: null,
      fixedVersion: hint,
      reason: `${entry.product}: its presence and version could not be read without credentials; check App Center on the NAS${hint ? ` (fixed in ${entry.product} ${hint} for this firmware)` : ''}`,
    };
  }
  const version = parseAppVersion(app.version);
  if (!version) return { status: 'unknown', because: 'app-format', foundVersion: `${entry.product} ${app.version}`, fixedVersion: null, reason: `the ${entry.product} version "${app.version}" is not in a format that can be compared` };
  return judge(entry, appScale(entry.product, version, `${entry.product} ${app.version}`), (fixes) => forPlatform(fixes, firmware));
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

/** One advisory against one device: the worst of its parts (vulnerable, then cannot tell, then fixed), naming the part's product. */
export function verdictFor(advisory: Advisory, device: QnapDevice): Verdict {
  const judgements = advisory.affected.map((entry) => ({ entry, judgement: judgeEntry(entry, device) }));
  const chosen = judgements.reduce<(typeof judgements)[number] | undefined>((best, candidate) => (!best || rank(candidate.judgement) < rank(best.judgement) ? candidate : best), undefined);
  const judgement: Judgement = chosen?.judgement ?? { status: 'unknown', because: 'no-fix-listed', foundVersion: null, fixedVersion: null, reason: 'nothing to compare' };
  const product = chosen?.entry.product ?? advisory.component;
  return {
    advisory: advisory.id,
    component: advisory.component,
    product,
    productKind: FIRMWARE_FLAVORS[product] === undefined ? 'app' : 'firmware',
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

/** Every advisory held against a device. No device (not a QNAP), no verdicts. */
export function verdictsFor(device: QnapDevice | null, advisories: readonly Advisory[] = loadVulnerabilities().advisories): Verdict[] {
  if (!device) return [];
  return advisories.map((advisory) => verdictFor(advisory, device));
}
