/* Generated from schemas/fingerprint.schema.json and schemas/vulnerability.schema.json by scripts/gen-types.mjs. Do not edit: change the schema and run npm run gen:types. */

/**
 * Data-driven fingerprints (probes/qnap/fingerprints.json): which request to send, what in the answer must match, and what to extract. Adding a fingerprint is a data-only change. Every request is a safe, unauthenticated read; nothing resembling an exploit.
 */
export interface QnapFingerprints {
  $schema?: string;
  /**
   * @minItems 1
   * @maxItems 64
   */
  fingerprints: [Fingerprint, ...Fingerprint[]];
}
export interface Fingerprint {
  id: string;
  name: string;
  /**
   * http: applies to the answer to `request` (on http and https ports); tls: to the certificate of an https port.
   */
  kind: 'http' | 'tls';
  product: string;
  /**
   * Only safe fingerprints exist: unauthenticated reads of pages a browser would load.
   */
  safety: 'safe';
  request?: Request;
  /**
   * Run only after (or unless) other fingerprints matched on the same port: saves requests.
   */
  when?: {
    matched?: string[];
    notMatched?: string[];
  };
  /**
   * Every condition in all, and at least one in any (when present), must hold.
   */
  match: {
    /**
     * @minItems 1
     */
    all?: [Condition, ...Condition[]];
    /**
     * @minItems 1
     */
    any?: [Condition, ...Condition[]];
  };
  extract?: Extraction[];
  confidence: 'high' | 'medium' | 'low';
  /**
   * Whether this match alone makes the host a QNAP. Never true for a Server header or a generic word.
   */
  identifiesQnap: boolean;
  /**
   * The port serves the QNAP admin UI (reported in device.adminPorts).
   */
  adminUi?: boolean;
  /**
   * The match shows this app (device.apps); its version comes from an appVersion extraction.
   */
  app?: string;
  /**
   * What a match means, in words.
   */
  evidence: string;
  /**
   * @minItems 1
   */
  references: [string, ...string[]];
}
/**
 * Required for http fingerprints; a tls fingerprint sends none.
 */
export interface Request {
  method: 'GET' | 'POST';
  path: string;
  body?: string;
  contentType?: string;
}
export interface Condition {
  source: 'status' | 'body' | 'title' | 'header' | 'cert.subject' | 'cert.issuer' | 'cert.selfSigned';
  /**
   * For source header: the header name, lower case.
   */
  header?: string;
  /**
   * For cert.subject / cert.issuer: one attribute (CN, O, OU, ...).
   */
  attribute?: string;
  equals?: string | number | boolean;
  in?: number[];
  contains?: string;
  regex?: string;
  ignoreCase?: boolean;
}
export interface Extraction {
  field:
    | 'model'
    | 'displayModel'
    | 'hostname'
    | 'version'
    | 'number'
    | 'build'
    | 'appVersion'
    | 'appBuild'
    | 'builtinFirmware'
    | 'flags';
  source?: 'body' | 'title' | 'header';
  header?: string;
  /**
   * Text of the first element with this name (CDATA unwrapped).
   */
  xmlTag?: string;
  /**
   * For field flags: each element's text, by name.
   *
   * @maxItems 64
   */
  xmlTags?: string[];
  /**
   * First capture group.
   */
  regex?: string;
}

/**
 * QNAP advisories held against a device's firmware or app version (probes/qnap/vulnerabilities.json). A verdict is a version fact: below the fixed build on the device's branch (vulnerable), at or above it (fixed), or cannot tell (unknown). See README 'QNAP fingerprints and vulnerability verdicts' for the branch rules.
 */
export interface QnapVulnerabilities {
  $schema?: string;
  /**
   * The CISA KEV catalog version the kev fields were read from.
   */
  kevCatalogVersion: string;
  /**
   * What was left out and why.
   */
  notes?: string[];
  /**
   * @minItems 1
   */
  advisories: [Advisory, ...Advisory[]];
}
export interface Advisory {
  /**
   * The QSA id, or the CVE when one advisory is split.
   */
  id: string;
  title: string;
  component: string;
  cve: string[];
  qsa: string | null;
  cwe?: string[];
  cvss?: string;
  kev: {
    listed: boolean;
    dateAdded?: string;
    knownRansomwareCampaignUse?: 'Known' | 'Unknown';
  };
  /**
   * Known ransomware use: KEV says Known, or QNAP named a ransomware campaign that used it.
   */
  knownRansomware: boolean;
  campaigns: string[];
  /**
   * @minItems 1
   */
  affected: [Affected, ...Affected[]];
  /**
   * @minItems 1
   */
  references: [string, ...string[]];
  notes?: string;
}
export interface Affected {
  /**
   * A firmware (QTS, QuTS hero, QuTScloud: compared with the device firmware of that flavour only) or an app (compared with the app's version, when it could be read).
   */
  product:
    'QTS' | 'QuTS hero' | 'QuTScloud' | 'Photo Station' | 'HBS 3' | 'Multimedia Console' | 'Media Streaming add-on';
  /**
   * Lowest affected release (e.g. 4.5.3), only when the advisory says so; below it: not applicable.
   */
  introduced?: string;
  fixes: Fix[];
  /**
   * A release on a branch with no listed fix, older than the newest fixed branch: affected (it never got the fix; the nearest fixed release above it is cited), unknown, or not affected.
   */
  olderBranches: 'affected' | 'unknown' | 'not-affected';
  /**
   * A release newer than every listed fixed branch: fixed (released after the fix), or unknown (e.g. the fix lives in an app, not the firmware).
   */
  newerBranches: 'fixed' | 'unknown';
}
export interface Fix {
  /**
   * Release prefix the fix belongs to: 4.5.2 holds only 4.5.2.x, 4.5 every 4.5.x. The longest matching branch wins.
   */
  branch: string;
  /**
   * The first fixed build as QNAP writes it: 5.1.1.2491 build 20230815, h5.0.0.1892 build 20211222, c5.1.5.2651, or an app version 6.0.22.
   */
  fixed: string;
  /**
   * App fixes only: the firmware branches this app build is for (h/c prefix for QuTS hero/QuTScloud).
   */
  platforms?: string[];
}
