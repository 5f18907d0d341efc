/**
 * QNAP firmware and app versions: parsing and comparison, pure (no I/O).
 *
 * Formats seen (QNAP advisories, authLogin.cgi, Greenbone/nmap sources):
 *   5.1.1.2491 build 20230815     QTS: version.number build date
 *   4.2.6 build 20210327          QTS 4.2.6: no number, only the build date
 *   h5.0.0.1892 build 20211222    QuTS hero ("h"), QuTScloud ("c")
 *   c5.1.5.2651                   QuTScloud fix as advisories sometimes write it: no build date
 *   4.3.3                         legacy <version> only (old firmware, Photo Station's builtinFirmwareVersion)
 *   6.0.22, 16.0.0415             app versions (Photo Station, HBS 3): dotted numbers
 * Anything else is not a version: callers get null and must say "cannot tell".
 */

export type Flavor = '' | 'h' | 'c';

export interface FirmwareVersion {
  /** '' QTS (or QES), 'h' QuTS hero, 'c' QuTScloud. */
  flavor: Flavor;
  /** The three release components, e.g. [5, 1, 1]. */
  release: [number, number, number];
  /** The build number after the release (2491), when known. */
  number: number | null;
  /** The build date as yyyymmdd (20230815), when known. */
  build: number | null;
}

export type Ordering = -1 | 0 | 1;

const FIRMWARE = /^\s*(?:(?:QTS|QuTS hero|QuTScloud|QES)\s+)?([hc]?)(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?:\.(\d{1,6}))?(?:\s*(?:build|_)\s*(\d{8}))?\s*$/i;

/** Parses a whole firmware string ("5.1.1.2491 build 20230815", "h5.0.0.1892 build 20211222", "4.2.6 build 20210327"). */
export function parseFirmware(text: string | null | undefined): FirmwareVersion | null {
  if (typeof text !== 'string' || text.length > 100) return null;
  const match = FIRMWARE.exec(text);
  if (!match) return null;
  const [, flavor = '', major = '', minor = '', patch = '', number, build] = match;
  const buildDate = build === undefined ? null : Number(build);
  if (buildDate !== null && !plausibleDate(buildDate)) return null;
  return {
    flavor: flavor.toLowerCase() as Flavor,
    release: [Number(major), Number(minor), Number(patch)],
    number: number === undefined ? null : Number(number),
    build: buildDate,
  };
}

/**
 * Builds the firmware from authLogin.cgi's separate fields (<version>5.1.1</version><number>2491</number>
 * <build>20230815</build>). Each field must have its own shape; a stray value makes the whole version unknown
 * rather than half-parsed.
 */
export function firmwareFromParts(version: string | undefined, number: string | undefined, build: string | undefined): FirmwareVersion | null {
  if (version === undefined) return null;
  const parsed = parseFirmware(version);
  if (!parsed || parsed.number !== null || parsed.build !== null) return null;
  if (number !== undefined && number !== '') {
    if (!/^\d{1,6}$/.test(number)) return null;
    parsed.number = Number(number);
  }
  if (build !== undefined && build !== '') {
    if (!/^\d{8}$/.test(build) || !plausibleDate(Number(build))) return null;
    parsed.build = Number(build);
  }
  return parsed;
}

/** The way QNAP advisories write a build: "5.1.1.2491 build 20230815". */
export function formatFirmware(version: FirmwareVersion): string {
  const release = `${version.flavor}${version.release.join('.')}${version.number === null ? '' : `.${version.number}`}`;
  return version.build === null ? release : `${release} build ${version.build}`;
}

export function flavorName(flavor: Flavor): 'QTS' | 'QuTS hero' | 'QuTScloud' {
  return flavor === 'h' ? 'QuTS hero' : flavor === 'c' ? 'QuTScloud' : 'QTS';
}

function plausibleDate(date: number): boolean {
  const year = Math.floor(date / 10000);
  const month = Math.floor(date / 100) % 100;
  const day = date % 100;
  return year >= 2000 && year <= 2100 && month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

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

/**
 * Orders two builds of one flavor, or says it cannot (null). The release decides first; within one release the
 * build number, and when either side lacks it, the build date (QNAP numbers and dates rise together within a
 * release). A release with neither on one side cannot be ordered against the same release on the other.
 */
export function compareFirmware(a: FirmwareVersion, b: FirmwareVersion): Ordering | null {
  if (a.flavor !== b.flavor) return null;
  const release = compareNumbers(a.release, b.release);
  if (release !== 0) return release;
  if (a.number !== null && b.number !== null && a.number !== b.number) return sign(a.number - b.number);
  if (a.build !== null && b.build !== null) return sign(a.build - b.build);
  if (a.number !== null && b.number !== null) return 0;
  return null;
}

/** App versions (Photo Station 6.0.22, HBS 3 16.0.0415): dotted numbers, at most six parts. */
export function parseAppVersion(text: string | null | undefined): number[] | null {
  if (typeof text !== 'string' || !/^\s*\d{1,8}(\.\d{1,8}){0,5}\s*$/.test(text)) return null;
  return text.trim().split('.').map(Number);
}

/** Whether `version` lies on `branch` ("4.5" holds 4.5.x; "4.5.2" only 4.5.2): a prefix of the release. */
export function onBranch(version: readonly number[], branch: readonly number[]): boolean {
  return branch.length <= version.length && branch.every((part, index) => version[index] === part);
}

/** "4.5.2" -> [4, 5, 2]; null for anything else. */
export function parseBranch(text: string): number[] | null {
  return /^\d{1,8}(\.\d{1,8}){0,4}$/.test(text) ? text.split('.').map(Number) : null;
}
