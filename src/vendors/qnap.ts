import { builtinPacks, type Advisory, type Fingerprint, type LoadedPack } from './load.js';
import { compareNumbers, onBranch, parseBranch, type Ordering, type ParsedVersion } from './grammar.js';

/**
 * QNAP's versions in the shape the QNAP rules and their tests use, read with the QNAP pack's grammar (its qts line
 * parses every flavour: the h/c prefix is the `select` group). Nothing here knows QNAP's format: it is the data's.
 *
 * Formats seen (QNAP advisories, authLogin.cgi, Greenbone/nmap sources):
 *   5.1.1.2491 build 20230815     QTS: version.number build date
 *   4.2.6 build 20210327          QTS 4.2.6: no number, only the build date
 *   h5.0.0.1892 build 20211222    QuTS hero ("h"), QuTScloud ("c")
 *   c5.1.5.2651                   QuTScloud fix as advisories sometimes write it: no build date
 *   4.3.3                         legacy <version> only (old firmware, Photo Station's builtinFirmwareVersion)
 *   6.0.22, 16.0.0415             app versions (Photo Station, HBS 3): dotted numbers
 */

export { compareNumbers, onBranch, parseBranch, type Ordering };

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

export function qnapPack(): LoadedPack {
  const pack = builtinPacks().find((candidate) => candidate.pack.id === 'qnap');
  if (!pack) throw new Error('the QNAP vendor pack (probes/vendors/qnap) is missing');
  return pack;
}

function firmwareLine() {
  const line = qnapPack().lines.get('qts');
  if (!line) throw new Error('the QNAP pack has no qts product line');
  return line;
}

function appLine() {
  const line = qnapPack().lines.get('photo-station');
  if (!line) throw new Error('the QNAP pack has no photo-station product line');
  return line;
}

function toFirmware(parsed: ParsedVersion): FirmwareVersion {
  const { flavor = '', number, build } = parsed.groups;
  return {
    flavor: flavor.toLowerCase() as Flavor,
    release: [parsed.release[0] ?? 0, parsed.release[1] ?? 0, parsed.release[2] ?? 0],
    number: number === undefined || number === '' ? null : Number(number),
    build: build === undefined || build === '' ? null : Number(build),
  };
}

function fromFirmware(version: FirmwareVersion): ParsedVersion {
  const groups = { flavor: version.flavor, major: String(version.release[0]), minor: String(version.release[1]), patch: String(version.release[2]), number: version.number === null ? undefined : String(version.number), build: version.build === null ? undefined : String(version.build) };
  return { groups, release: [...version.release], text: '' };
}

/** Parses a whole firmware string ("5.1.1.2491 build 20230815", "h5.0.0.1892 build 20211222", "4.2.6 build 20210327"). */
export function parseFirmware(text: string | null | undefined): FirmwareVersion | null {
  const parsed = firmwareLine().grammar.parse(text);
  return parsed ? toFirmware(parsed) : null;
}

/**
 * Builds the firmware from authLogin.cgi's separate fields (<version>5.1.1</version><number>2491</number>
 * <build>20230815</build>). Each field must have its own shape; a stray value makes the whole version unknown
 * rather than half-parsed.
 */
export function firmwareFromParts(version: string | undefined, number: string | undefined, build: string | undefined): FirmwareVersion | null {
  if (version === undefined) return null;
  const alone = parseFirmware(version);
  if (!alone || alone.number !== null || alone.build !== null) return null;
  const composed = firmwareLine().grammar.compose({ version, number: number === '' ? undefined : number, build: build === '' ? undefined : build });
  return composed === undefined ? null : parseFirmware(composed);
}

/** The way QNAP advisories write a build: "5.1.1.2491 build 20230815". */
export function formatFirmware(version: FirmwareVersion): string {
  return firmwareLine().grammar.format(fromFirmware(version));
}

export function flavorName(flavor: Flavor): 'QTS' | 'QuTS hero' | 'QuTScloud' {
  return flavor === 'h' ? 'QuTS hero' : flavor === 'c' ? 'QuTScloud' : 'QTS';
}

/**
 * Orders two builds of one flavor, or says it cannot (null). The release decides first; within one release the
 * build number, and when either side lacks it, the build date (QNAP numbers and dates rise together within a
 * release). A release with neither on one side cannot be ordered against the same release on the other.
 */
export function compareFirmware(a: FirmwareVersion, b: FirmwareVersion): Ordering | null {
  return firmwareLine().grammar.compare(fromFirmware(a), fromFirmware(b));
}

/** App versions (Photo Station 6.0.22, HBS 3 16.0.0415): dotted numbers, at most six parts. */
export function parseAppVersion(text: string | null | undefined): number[] | null {
  return appLine().grammar.parse(text)?.release ?? null;
}

/** The QNAP pack's fingerprints and advisories, in the shape the QNAP tests and benchmarks read. */
export function loadFingerprints(): readonly Fingerprint[] {
  return qnapPack().pack.fingerprints;
}

export function loadVulnerabilities(): { kevCatalogVersion: string | undefined; advisories: readonly Advisory[] } {
  const { pack } = qnapPack();
  return { kevCatalogVersion: pack.kevCatalogVersion, advisories: pack.advisories };
}
