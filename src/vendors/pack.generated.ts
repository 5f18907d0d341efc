/* Generated from schemas/vendor-pack.schema.json by scripts/gen-types.mjs. Do not edit: change the schema and run npm run gen:types. */

export type Port = number;
export type Id = string;
/**
 * A JavaScript regular expression without backreferences, lookbehind or nested quantifiers (the loader refuses what could run in more than linear time); run on at most 256 KiB of input.
 */
export type Regex = string;
export type GroupName = string;
export type XmlTag = string;
/**
 * RFC 6901, at most 8 steps: /data/version.
 */
export type JsonPointer = string;
/**
 * A URL, or a precise pointer to public source text (repository and file).
 */
export type Reference = string;
export type Date = string;
export type Step = string;
export type Url = string;

/**
 * One vendor's data (probes/vendors/<id>/pack.json, or a folder given with --vendor-pack): its product lines and their version grammar, the fingerprints that recognise its devices (each with its own positive and negative examples), its advisories, remediation per product line, end-of-support models and indicators of compromise visible without logging in. Data only: adding a vendor or an advisory is a data change. Every request is a safe, unauthenticated read of a page a browser would load. How to write one: docs/vendor-packs.md.
 */
export interface VendorPack {
  $schema?: string;
  /**
   * The version of this format. A loader refuses a format it does not know.
   */
  formatVersion: 1;
  /**
   * The pack's id: the folder's name, kebab-case (qnap, synology).
   */
  id: string;
  /**
   * The vendor's name as people write it (QNAP, Synology): the device's vendor in the report.
   */
  vendor: string;
  /**
   * The pack's own version (major.minor.patch); raise it with every data change. Stated in the report.
   */
  packVersion: string;
  /**
   * When the advisory data was last reviewed against its sources. A scan more than 90 days after it gets an info finding.
   */
  dataDate: string;
  description?: string;
  /**
   * The CISA KEV catalog version the kev fields were read from.
   */
  kevCatalogVersion?: string;
  /**
   * What was left out and why.
   *
   * @maxItems 50
   */
  notes?: string[];
  /**
   * Ports the vendor's admin UI listens on by default: each LAN host the scan looks at is also tried on these.
   */
  ports?: {
    /**
     * @maxItems 8
     */
    admin?:
      | []
      | [Port]
      | [Port, Port]
      | [Port, Port, Port]
      | [Port, Port, Port, Port]
      | [Port, Port, Port, Port, Port]
      | [Port, Port, Port, Port, Port, Port]
      | [Port, Port, Port, Port, Port, Port, Port]
      | [Port, Port, Port, Port, Port, Port, Port, Port];
    /**
     * A service flag (extracted with xmlTags) that names the device's HTTPS admin port: that port is looked at too (QNAP: stunnelPort).
     */
    namedByFlag?: string;
  };
  /**
   * @minItems 1
   * @maxItems 32
   */
  productLines: [ProductLine, ...ProductLine[]];
  /**
   * @minItems 1
   * @maxItems 64
   */
  fingerprints: [Fingerprint, ...Fingerprint[]];
  /**
   * @maxItems 500
   */
  advisories: Advisory[];
  /**
   * @maxItems 32
   */
  remediation: Remediation[];
  /**
   * @maxItems 200
   */
  endOfSupport?: EndOfSupport[];
  /**
   * @maxItems 32
   */
  indicators?: Indicator[];
}
/**
 * A firmware or an app of the vendor whose versions an advisory can be held against.
 */
export interface ProductLine {
  id: Id;
  /**
   * As the vendor writes it (QTS, QuTS hero, DSM, Photo Station): the name in verdicts and findings.
   */
  name: string;
  /**
   * firmware: the device's operating system (one per device); app: an add-on whose version is read on its own.
   */
  kind: 'firmware' | 'app';
  /**
   * Other names a device may give for this line (a model or product-line extraction equal to one of them picks the line).
   *
   * @maxItems 8
   */
  aliases?:
    | []
    | [string]
    | [string, string]
    | [string, string, string]
    | [string, string, string, string]
    | [string, string, string, string, string]
    | [string, string, string, string, string, string]
    | [string, string, string, string, string, string, string]
    | [string, string, string, string, string, string, string, string];
  version: VersionGrammar;
  /**
   * Where the owner installs a newer release (Control Panel > System > Firmware Update; App Center).
   */
  update?: string;
}
/**
 * How a version string of the line is read and ordered. The pattern matches a whole version (as the device says it, or as an advisory writes a fixed build); its named groups are the parts. Two versions order by release first (each group's digits, dot-separated, compared as numbers, missing parts as 0), then by the `then` groups in turn: the first present on both sides and different decides. When every `then` group is missing on one side or the other, the two cannot be ordered (unknown), unless the grammar has no `then`.
 */
export interface VersionGrammar {
  pattern: Regex;
  ignoreCase?: boolean;
  /**
   * The groups that make the release (a branch is a prefix of it: 4.5 holds 4.5.x). Each holds digits, or digits separated by dots.
   *
   * @minItems 1
   * @maxItems 6
   */
  release:
    | [GroupName]
    | [GroupName, GroupName]
    | [GroupName, GroupName, GroupName]
    | [GroupName, GroupName, GroupName, GroupName]
    | [GroupName, GroupName, GroupName, GroupName, GroupName]
    | [GroupName, GroupName, GroupName, GroupName, GroupName, GroupName];
  /**
   * Groups that order two builds of one release, in order (QNAP: the build number, then the build date). A group absent on one side takes its `default` when it has one.
   *
   * @maxItems 4
   */
  then?:
    | []
    | [
        {
          group: GroupName;
          compare: 'numeric' | 'text';
          /**
           * The value of the group when a version leaves it out, so the two are ordered: Synology writes DSM 7.1.1-42962 for 7.1.1-42962-0 (Update 0).
           */
          default?: string;
        }
      ]
    | [
        {
          group: GroupName;
          compare: 'numeric' | 'text';
          /**
           * The value of the group when a version leaves it out, so the two are ordered: Synology writes DSM 7.1.1-42962 for 7.1.1-42962-0 (Update 0).
           */
          default?: string;
        },
        {
          group: GroupName;
          compare: 'numeric' | 'text';
          /**
           * The value of the group when a version leaves it out, so the two are ordered: Synology writes DSM 7.1.1-42962 for 7.1.1-42962-0 (Update 0).
           */
          default?: string;
        }
      ]
    | [
        {
          group: GroupName;
          compare: 'numeric' | 'text';
          /**
           * The value of the group when a version leaves it out, so the two are ordered: Synology writes DSM 7.1.1-42962 for 7.1.1-42962-0 (Update 0).
           */
          default?: string;
        },
        {
          group: GroupName;
          compare: 'numeric' | 'text';
          /**
           * The value of the group when a version leaves it out, so the two are ordered: Synology writes DSM 7.1.1-42962 for 7.1.1-42962-0 (Update 0).
           */
          default?: string;
        },
        {
          group: GroupName;
          compare: 'numeric' | 'text';
          /**
           * The value of the group when a version leaves it out, so the two are ordered: Synology writes DSM 7.1.1-42962 for 7.1.1-42962-0 (Update 0).
           */
          default?: string;
        }
      ]
    | [
        {
          group: GroupName;
          compare: 'numeric' | 'text';
          /**
           * The value of the group when a version leaves it out, so the two are ordered: Synology writes DSM 7.1.1-42962 for 7.1.1-42962-0 (Update 0).
           */
          default?: string;
        },
        {
          group: GroupName;
          compare: 'numeric' | 'text';
          /**
           * The value of the group when a version leaves it out, so the two are ordered: Synology writes DSM 7.1.1-42962 for 7.1.1-42962-0 (Update 0).
           */
          default?: string;
        },
        {
          group: GroupName;
          compare: 'numeric' | 'text';
          /**
           * The value of the group when a version leaves it out, so the two are ordered: Synology writes DSM 7.1.1-42962 for 7.1.1-42962-0 (Update 0).
           */
          default?: string;
        },
        {
          group: GroupName;
          compare: 'numeric' | 'text';
          /**
           * The value of the group when a version leaves it out, so the two are ordered: Synology writes DSM 7.1.1-42962 for 7.1.1-42962-0 (Update 0).
           */
          default?: string;
        }
      ];
  /**
   * A version belongs to this line only when this group has this value (QNAP: the h prefix is QuTS hero, c QuTScloud, none QTS). An absent group counts as the empty string.
   */
  select?: {
    group: GroupName;
    equals: string;
  };
  /**
   * Groups that hold a date as yyyymmdd: a version with an impossible date is no version.
   *
   * @maxItems 4
   */
  dateGroups?:
    | []
    | [GroupName]
    | [GroupName, GroupName]
    | [GroupName, GroupName, GroupName]
    | [GroupName, GroupName, GroupName, GroupName];
  /**
   * How a version is written from separately extracted parts ({version}, and each versionPart by name; text in [brackets] only when the parts inside it were read): {version}[.{number}][ build {build}]. The result must match the pattern.
   */
  compose?: string;
  /**
   * How the version is written back from its groups, the way advisories write it, with the same [optional] brackets: {flavor}{major}.{minor}.{patch}[.{number}][ build {build}]. Without it, the text as read.
   */
  format?: string;
  /**
   * Checked by the tests: each valid string parses, each invalid one does not; each pair in order is in rising order.
   */
  examples?: {
    /**
     * @minItems 1
     * @maxItems 20
     */
    valid:
      | [string]
      | [string, string]
      | [string, string, string]
      | [string, string, string, string]
      | [string, string, string, string, string]
      | [string, string, string, string, string, string]
      | [string, string, string, string, string, string, string]
      | [string, string, string, string, string, string, string, string]
      | [string, string, string, string, string, string, string, string, string]
      | [string, string, string, string, string, string, string, string, string, string]
      | [string, string, string, string, string, string, string, string, string, string, string]
      | [string, string, string, string, string, string, string, string, string, string, string, string]
      | [string, string, string, string, string, string, string, string, string, string, string, string, string]
      | [string, string, string, string, string, string, string, string, string, string, string, string, string, string]
      | [
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string
        ]
      | [
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string
        ]
      | [
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string
        ]
      | [
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string
        ]
      | [
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string
        ]
      | [
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string
        ];
    /**
     * @maxItems 20
     */
    invalid:
      | []
      | [string]
      | [string, string]
      | [string, string, string]
      | [string, string, string, string]
      | [string, string, string, string, string]
      | [string, string, string, string, string, string]
      | [string, string, string, string, string, string, string]
      | [string, string, string, string, string, string, string, string]
      | [string, string, string, string, string, string, string, string, string]
      | [string, string, string, string, string, string, string, string, string, string]
      | [string, string, string, string, string, string, string, string, string, string, string]
      | [string, string, string, string, string, string, string, string, string, string, string, string]
      | [string, string, string, string, string, string, string, string, string, string, string, string, string]
      | [string, string, string, string, string, string, string, string, string, string, string, string, string, string]
      | [
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string
        ]
      | [
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string
        ]
      | [
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string
        ]
      | [
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string
        ]
      | [
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string
        ]
      | [
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string
        ];
    /**
     * @maxItems 20
     */
    ordered?:
      | []
      | [[string, string]]
      | [[string, string], [string, string]]
      | [[string, string], [string, string], [string, string]]
      | [[string, string], [string, string], [string, string], [string, string]]
      | [[string, string], [string, string], [string, string], [string, string], [string, string]]
      | [[string, string], [string, string], [string, string], [string, string], [string, string], [string, string]]
      | [
          [string, string],
          [string, string],
          [string, string],
          [string, string],
          [string, string],
          [string, string],
          [string, string]
        ]
      | [
          [string, string],
          [string, string],
          [string, string],
          [string, string],
          [string, string],
          [string, string],
          [string, string],
          [string, string]
        ]
      | [
          [string, string],
          [string, string],
          [string, string],
          [string, string],
          [string, string],
          [string, string],
          [string, string],
          [string, string],
          [string, string]
        ]
      | [
          [string, string],
          [string, string],
          [string, string],
          [string, string],
          [string, string],
          [string, string],
          [string, string],
          [string, string],
          [string, string],
          [string, string]
        ]
      | [
          [string, string],
          [string, string],
          [string, string],
          [string, string],
          [string, string],
          [string, string],
          [string, string],
          [string, string],
          [string, string],
          [string, string],
          [string, string]
        ]
      | [
          [string, string],
          [string, string],
          [string, string],
          [string, string],
          [string, string],
          [string, string],
          [string, string],
          [string, string],
          [string, string],
          [string, string],
          [string, string],
          [string, string]
        ]
      | [
          [string, string],
          [string, string],
          [string, string],
          [string, string],
          [string, string],
          [string, string],
          [string, string],
          [string, string],
          [string, string],
          [string, string],
          [string, string],
          [string, string],
          [string, string]
        ]
      | [
          [string, string],
          [string, string],
          [string, string],
          [string, string],
          [string, string],
          [string, string],
          [string, string],
          [string, string],
          [string, string],
          [string, string],
          [string, string],
          [string, string],
          [string, string],
          [string, string]
        ]
      | [
          [string, string],
          [string, string],
          [string, string],
          [string, string],
          [string, string],
          [string, string],
          [string, string],
          [string, string],
          [string, string],
          [string, string],
          [string, string],
          [string, string],
          [string, string],
          [string, string],
          [string, string]
        ]
      | [
          [string, string],
          [string, string],
          [string, string],
          [string, string],
          [string, string],
          [string, string],
          [string, string],
          [string, string],
          [string, string],
          [string, string],
          [string, string],
          [string, string],
          [string, string],
          [string, string],
          [string, string],
          [string, string]
        ]
      | [
          [string, string],
          [string, string],
          [string, string],
          [string, string],
          [string, string],
          [string, string],
          [string, string],
          [string, string],
          [string, string],
          [string, string],
          [string, string],
          [string, string],
          [string, string],
          [string, string],
          [string, string],
          [string, string],
          [string, string]
        ]
      | [
          [string, string],
          [string, string],
          [string, string],
          [string, string],
          [string, string],
          [string, string],
          [string, string],
          [string, string],
          [string, string],
          [string, string],
          [string, string],
          [string, string],
          [string, string],
          [string, string],
          [string, string],
          [string, string],
          [string, string],
          [string, string]
        ]
      | [
          [string, string],
          [string, string],
          [string, string],
          [string, string],
          [string, string],
          [string, string],
          [string, string],
          [string, string],
          [string, string],
          [string, string],
          [string, string],
          [string, string],
          [string, string],
          [string, string],
          [string, string],
          [string, string],
          [string, string],
          [string, string],
          [string, string]
        ]
      | [
          [string, string],
          [string, string],
          [string, string],
          [string, string],
          [string, string],
          [string, string],
          [string, string],
          [string, string],
          [string, string],
          [string, string],
          [string, string],
          [string, string],
          [string, string],
          [string, string],
          [string, string],
          [string, string],
          [string, string],
          [string, string],
          [string, string],
          [string, string]
        ];
  };
}
export interface Fingerprint {
  /**
   * Unique across all packs (the report names a match by it): start it with the vendor or product.
   */
  id: string;
  name: string;
  /**
   * http: applies to the answer to `request` (on http and https ports); tls: to the certificate of an https port.
   */
  kind: 'http' | 'tls';
  /**
   * What a match shows, in words (the report's fingerprint line).
   */
  product: string;
  /**
   * Only safe fingerprints exist: unauthenticated reads of pages a browser would load. Never a login, never an exploit, never an endpoint that changes the device.
   */
  safety: 'safe';
  request?: Request;
  when?: When;
  match: Match;
  /**
   * @maxItems 16
   */
  extract?:
    | []
    | [Extraction]
    | [Extraction, Extraction]
    | [Extraction, Extraction, Extraction]
    | [Extraction, Extraction, Extraction, Extraction]
    | [Extraction, Extraction, Extraction, Extraction, Extraction]
    | [Extraction, Extraction, Extraction, Extraction, Extraction, Extraction]
    | [Extraction, Extraction, Extraction, Extraction, Extraction, Extraction, Extraction]
    | [Extraction, Extraction, Extraction, Extraction, Extraction, Extraction, Extraction, Extraction]
    | [Extraction, Extraction, Extraction, Extraction, Extraction, Extraction, Extraction, Extraction, Extraction]
    | [
        Extraction,
        Extraction,
        Extraction,
        Extraction,
        Extraction,
        Extraction,
        Extraction,
        Extraction,
        Extraction,
        Extraction
      ]
    | [
        Extraction,
        Extraction,
        Extraction,
        Extraction,
        Extraction,
        Extraction,
        Extraction,
        Extraction,
        Extraction,
        Extraction,
        Extraction
      ]
    | [
        Extraction,
        Extraction,
        Extraction,
        Extraction,
        Extraction,
        Extraction,
        Extraction,
        Extraction,
        Extraction,
        Extraction,
        Extraction,
        Extraction
      ]
    | [
        Extraction,
        Extraction,
        Extraction,
        Extraction,
        Extraction,
        Extraction,
        Extraction,
        Extraction,
        Extraction,
        Extraction,
        Extraction,
        Extraction,
        Extraction
      ]
    | [
        Extraction,
        Extraction,
        Extraction,
        Extraction,
        Extraction,
        Extraction,
        Extraction,
        Extraction,
        Extraction,
        Extraction,
        Extraction,
        Extraction,
        Extraction,
        Extraction
      ]
    | [
        Extraction,
        Extraction,
        Extraction,
        Extraction,
        Extraction,
        Extraction,
        Extraction,
        Extraction,
        Extraction,
        Extraction,
        Extraction,
        Extraction,
        Extraction,
        Extraction,
        Extraction
      ]
    | [
        Extraction,
        Extraction,
        Extraction,
        Extraction,
        Extraction,
        Extraction,
        Extraction,
        Extraction,
        Extraction,
        Extraction,
        Extraction,
        Extraction,
        Extraction,
        Extraction,
        Extraction,
        Extraction
      ];
  confidence: 'high' | 'medium' | 'low';
  /**
   * Whether this match alone makes the host a device of this vendor. Never true for a Server header, a title or a generic word.
   */
  identifies: boolean;
  /**
   * A match means the device runs this product line (of this pack), when no version says otherwise.
   */
  productLine?: string;
  /**
   * The port serves the vendor's admin UI (the device's adminPorts).
   */
  adminUi?: boolean;
  /**
   * The match shows this app (a product line of kind app); its version comes from an appVersion extraction.
   */
  app?: string;
  /**
   * What a match means, in words.
   */
  evidence: string;
  /**
   * @minItems 1
   * @maxItems 10
   */
  references:
    | [Reference]
    | [Reference, Reference]
    | [Reference, Reference, Reference]
    | [Reference, Reference, Reference, Reference]
    | [Reference, Reference, Reference, Reference, Reference]
    | [Reference, Reference, Reference, Reference, Reference, Reference]
    | [Reference, Reference, Reference, Reference, Reference, Reference, Reference]
    | [Reference, Reference, Reference, Reference, Reference, Reference, Reference, Reference]
    | [Reference, Reference, Reference, Reference, Reference, Reference, Reference, Reference, Reference]
    | [Reference, Reference, Reference, Reference, Reference, Reference, Reference, Reference, Reference, Reference];
  examples: Examples;
}
/**
 * Required for http fingerprints; a tls fingerprint sends none.
 */
export interface Request {
  method: 'GET' | 'POST';
  path: string;
  body?: string;
  contentType?: string;
  /**
   * Request headers a device needs before it answers as it does to a browser (My Cloud OS 5 refuses scanner user agents with 403). Only these three, each a short printable value: never a cookie, a credential or an authorization.
   */
  headers?: {
    'user-agent'?: string;
    accept?: string;
    'accept-language'?: string;
  };
  /**
   * Send the request without `headers` first (the request every pack shares) and again with them only when that answer has one of these statuses: Greenbone's retry as a browser after My Cloud OS 5's 403. Without it, the headers go with the only request.
   *
   * @minItems 1
   * @maxItems 8
   */
  headersOnStatus?:
    | [number]
    | [number, number]
    | [number, number, number]
    | [number, number, number, number]
    | [number, number, number, number, number]
    | [number, number, number, number, number, number]
    | [number, number, number, number, number, number, number]
    | [number, number, number, number, number, number, number, number];
  /**
   * A cookie the device sets on its first answer as an anti-CSRF token (TerraMaster TOS 5: X-Csrf-Token). When the first answer is not a 2xx and sets it, the same request is sent once more on the same origin with the token as a header and as a cookie of that name. The token is the device's own, never a credential; nothing else is echoed.
   */
  csrfCookie?: string;
}
/**
 * Run only after (or unless) earlier fingerprints of this pack matched on the same port: saves requests.
 */
export interface When {
  /**
   * @maxItems 8
   */
  matched?:
    | []
    | [Id]
    | [Id, Id]
    | [Id, Id, Id]
    | [Id, Id, Id, Id]
    | [Id, Id, Id, Id, Id]
    | [Id, Id, Id, Id, Id, Id]
    | [Id, Id, Id, Id, Id, Id, Id]
    | [Id, Id, Id, Id, Id, Id, Id, Id];
  /**
   * @maxItems 8
   */
  notMatched?:
    | []
    | [Id]
    | [Id, Id]
    | [Id, Id, Id]
    | [Id, Id, Id, Id]
    | [Id, Id, Id, Id, Id]
    | [Id, Id, Id, Id, Id, Id]
    | [Id, Id, Id, Id, Id, Id, Id]
    | [Id, Id, Id, Id, Id, Id, Id, Id];
}
/**
 * Every condition in all, and at least one in any (when present), must hold.
 */
export interface Match {
  /**
   * @minItems 1
   * @maxItems 16
   */
  all?:
    | [Condition]
    | [Condition, Condition]
    | [Condition, Condition, Condition]
    | [Condition, Condition, Condition, Condition]
    | [Condition, Condition, Condition, Condition, Condition]
    | [Condition, Condition, Condition, Condition, Condition, Condition]
    | [Condition, Condition, Condition, Condition, Condition, Condition, Condition]
    | [Condition, Condition, Condition, Condition, Condition, Condition, Condition, Condition]
    | [Condition, Condition, Condition, Condition, Condition, Condition, Condition, Condition, Condition]
    | [Condition, Condition, Condition, Condition, Condition, Condition, Condition, Condition, Condition, Condition]
    | [
        Condition,
        Condition,
        Condition,
        Condition,
        Condition,
        Condition,
        Condition,
        Condition,
        Condition,
        Condition,
        Condition
      ]
    | [
        Condition,
        Condition,
        Condition,
        Condition,
        Condition,
        Condition,
        Condition,
        Condition,
        Condition,
        Condition,
        Condition,
        Condition
      ]
    | [
        Condition,
        Condition,
        Condition,
        Condition,
        Condition,
        Condition,
        Condition,
        Condition,
        Condition,
        Condition,
        Condition,
        Condition,
        Condition
      ]
    | [
        Condition,
        Condition,
        Condition,
        Condition,
        Condition,
        Condition,
        Condition,
        Condition,
        Condition,
        Condition,
        Condition,
        Condition,
        Condition,
        Condition
      ]
    | [
        Condition,
        Condition,
        Condition,
        Condition,
        Condition,
        Condition,
        Condition,
        Condition,
        Condition,
        Condition,
        Condition,
        Condition,
        Condition,
        Condition,
        Condition
      ]
    | [
        Condition,
        Condition,
        Condition,
        Condition,
        Condition,
        Condition,
        Condition,
        Condition,
        Condition,
        Condition,
        Condition,
        Condition,
        Condition,
        Condition,
        Condition,
        Condition
      ];
  /**
   * @minItems 1
   * @maxItems 16
   */
  any?:
    | [Condition]
    | [Condition, Condition]
    | [Condition, Condition, Condition]
    | [Condition, Condition, Condition, Condition]
    | [Condition, Condition, Condition, Condition, Condition]
    | [Condition, Condition, Condition, Condition, Condition, Condition]
    | [Condition, Condition, Condition, Condition, Condition, Condition, Condition]
    | [Condition, Condition, Condition, Condition, Condition, Condition, Condition, Condition]
    | [Condition, Condition, Condition, Condition, Condition, Condition, Condition, Condition, Condition]
    | [Condition, Condition, Condition, Condition, Condition, Condition, Condition, Condition, Condition, Condition]
    | [
        Condition,
        Condition,
        Condition,
        Condition,
        Condition,
        Condition,
        Condition,
        Condition,
        Condition,
        Condition,
        Condition
      ]
    | [
        Condition,
        Condition,
        Condition,
        Condition,
        Condition,
        Condition,
        Condition,
        Condition,
        Condition,
        Condition,
        Condition,
        Condition
      ]
    | [
        Condition,
        Condition,
        Condition,
        Condition,
        Condition,
        Condition,
        Condition,
        Condition,
        Condition,
        Condition,
        Condition,
        Condition,
        Condition
      ]
    | [
        Condition,
        Condition,
        Condition,
        Condition,
        Condition,
        Condition,
        Condition,
        Condition,
        Condition,
        Condition,
        Condition,
        Condition,
        Condition,
        Condition
      ]
    | [
        Condition,
        Condition,
        Condition,
        Condition,
        Condition,
        Condition,
        Condition,
        Condition,
        Condition,
        Condition,
        Condition,
        Condition,
        Condition,
        Condition,
        Condition
      ]
    | [
        Condition,
        Condition,
        Condition,
        Condition,
        Condition,
        Condition,
        Condition,
        Condition,
        Condition,
        Condition,
        Condition,
        Condition,
        Condition,
        Condition,
        Condition,
        Condition
      ];
}
export interface Condition {
  source: 'status' | 'body' | 'title' | 'header' | 'json' | 'xml' | 'cert.subject' | 'cert.issuer' | 'cert.selfSigned';
  /**
   * For source header: the header name, lower case.
   */
  header?: string;
  /**
   * For cert.subject / cert.issuer: one attribute (CN, O, OU, ...).
   */
  attribute?: string;
  /**
   * For source json: the value at this JSON pointer of the body, as text.
   */
  pointer?: string;
  /**
   * For source xml: the text of the first element with this name.
   */
  xmlTag?: string;
  equals?: string | number | boolean;
  /**
   * @minItems 1
   * @maxItems 20
   */
  in?:
    | [number]
    | [number, number]
    | [number, number, number]
    | [number, number, number, number]
    | [number, number, number, number, number]
    | [number, number, number, number, number, number]
    | [number, number, number, number, number, number, number]
    | [number, number, number, number, number, number, number, number]
    | [number, number, number, number, number, number, number, number, number]
    | [number, number, number, number, number, number, number, number, number, number]
    | [number, number, number, number, number, number, number, number, number, number, number]
    | [number, number, number, number, number, number, number, number, number, number, number, number]
    | [number, number, number, number, number, number, number, number, number, number, number, number, number]
    | [number, number, number, number, number, number, number, number, number, number, number, number, number, number]
    | [
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number
      ]
    | [
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number
      ]
    | [
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number
      ]
    | [
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number
      ]
    | [
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number
      ]
    | [
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number
      ];
  contains?: string;
  regex?: Regex;
  ignoreCase?: boolean;
}
/**
 * One fact out of a matched answer: exactly one of xmlTag, xmlTags, pointer, regex (its first capture group). The first extraction of a field that yields something wins. With map, the value is looked up in a table first.
 */
export interface Extraction {
  /**
   * What the value means: the device's model (as the vendor names it internally) or displayed model, its host name, its product line (matched against the lines' names and aliases), the firmware version (whole, or its first part when versionParts follow), a named part of it (versionPart, with part), a weaker firmware version used only when no other answer told one (fallbackVersion), an app's version or build, or named service flags (flags, with xmlTags).
   */
  field:
    | 'model'
    | 'displayModel'
    | 'hostname'
    | 'productLine'
    | 'version'
    | 'versionPart'
    | 'fallbackVersion'
    | 'appVersion'
    | 'appBuild'
    | 'flags';
  /**
   * For versionPart: the part's name, as compose names it.
   */
  part?: string;
  source?: 'body' | 'title' | 'header';
  header?: string;
  xmlTag?: XmlTag;
  /**
   * For field flags: each element's text, by name.
   *
   * @minItems 1
   * @maxItems 64
   */
  xmlTags?: [XmlTag, ...XmlTag[]];
  pointer?: JsonPointer;
  regex?: Regex;
  /**
   * A lookup table for values a device tells only as a number (Synology DSM 4.x/5.x tell a build, not a version): the extracted value, read as an integer, becomes the `value` of the row whose range [from, below) holds it; a number no row holds yields nothing. Rows are sorted and do not overlap. Put only the ranges a source gives.
   *
   * @minItems 1
   * @maxItems 64
   */
  map?: [
    {
      /**
       * First number of the range (inclusive).
       */
      from?: number;
      /**
       * End of the range (exclusive).
       */
      below?: number;
      value: string;
    },
    ...{
      /**
       * First number of the range (inclusive).
       */
      from?: number;
      /**
       * End of the range (exclusive).
       */
      below?: number;
      value: string;
    }[]
  ];
}
/**
 * As rapid7/recog does: answers this fingerprint must match (with what it must extract) and answers it must not. The tests run every one.
 */
export interface Examples {
  /**
   * @minItems 1
   * @maxItems 10
   */
  positive:
    | [Example]
    | [Example, Example]
    | [Example, Example, Example]
    | [Example, Example, Example, Example]
    | [Example, Example, Example, Example, Example]
    | [Example, Example, Example, Example, Example, Example]
    | [Example, Example, Example, Example, Example, Example, Example]
    | [Example, Example, Example, Example, Example, Example, Example, Example]
    | [Example, Example, Example, Example, Example, Example, Example, Example, Example]
    | [Example, Example, Example, Example, Example, Example, Example, Example, Example, Example];
  /**
   * @minItems 1
   * @maxItems 10
   */
  negative:
    | [Example]
    | [Example, Example]
    | [Example, Example, Example]
    | [Example, Example, Example, Example]
    | [Example, Example, Example, Example, Example]
    | [Example, Example, Example, Example, Example, Example]
    | [Example, Example, Example, Example, Example, Example, Example]
    | [Example, Example, Example, Example, Example, Example, Example, Example]
    | [Example, Example, Example, Example, Example, Example, Example, Example, Example]
    | [Example, Example, Example, Example, Example, Example, Example, Example, Example, Example];
}
/**
 * One answer: an HTTP answer (status, headers, body inline or bodyFile, a path inside the pack folder) or a certificate.
 */
export interface Example {
  /**
   * What the answer is and where it comes from.
   */
  description: string;
  status?: number;
  headers?: {
    [k: string]: string;
  };
  body?: string;
  /**
   * A file in the pack folder holding the body (at most 256 KiB).
   */
  bodyFile?: string;
  cert?: {
    subject: {
      [k: string]: string;
    };
    issuer: {
      [k: string]: string;
    };
    selfSigned: boolean;
  };
  /**
   * For a positive example: field (or versionPart name) -> the value the extraction must give.
   */
  expect?: {
    [k: string]: string;
  };
}
export interface Advisory {
  /**
   * The vendor's advisory id (QSA-21-13, Synology-SA-22:01), or the CVE; unique in the pack.
   */
  id: string;
  title: string;
  /**
   * Everything the advisory concerns, in words.
   */
  component: string;
  /**
   * @maxItems 50
   */
  cve: string[];
  /**
   * The vendor's own advisory id, when there is one.
   */
  vendorAdvisory?: string | null;
  /**
   * The vendor's advisory page.
   */
  url?: string;
  /**
   * @maxItems 10
   */
  cwe?:
    | []
    | [string]
    | [string, string]
    | [string, string, string]
    | [string, string, string, string]
    | [string, string, string, string, string]
    | [string, string, string, string, string, string]
    | [string, string, string, string, string, string, string]
    | [string, string, string, string, string, string, string, string]
    | [string, string, string, string, string, string, string, string, string]
    | [string, string, string, string, string, string, string, string, string, string];
  cvss?: string;
  kev: {
    listed: boolean;
    dateAdded?: Date;
    knownRansomwareCampaignUse?: 'Known' | 'Unknown';
    /**
     * Where the listing was read (the KEV catalog, or its entry).
     */
    source?: string;
  };
  /**
   * Known ransomware use: KEV says Known, or the vendor or a named report tied a ransomware campaign to it.
   */
  knownRansomware: boolean;
  /**
   * Required when knownRansomware: where that was read.
   */
  ransomwareSource?: string;
  /**
   * @maxItems 10
   */
  campaigns?:
    | []
    | [string]
    | [string, string]
    | [string, string, string]
    | [string, string, string, string]
    | [string, string, string, string, string]
    | [string, string, string, string, string, string]
    | [string, string, string, string, string, string, string]
    | [string, string, string, string, string, string, string, string]
    | [string, string, string, string, string, string, string, string, string]
    | [string, string, string, string, string, string, string, string, string, string];
  /**
   * @minItems 1
   * @maxItems 16
   */
  affected:
    | [Affected]
    | [Affected, Affected]
    | [Affected, Affected, Affected]
    | [Affected, Affected, Affected, Affected]
    | [Affected, Affected, Affected, Affected, Affected]
    | [Affected, Affected, Affected, Affected, Affected, Affected]
    | [Affected, Affected, Affected, Affected, Affected, Affected, Affected]
    | [Affected, Affected, Affected, Affected, Affected, Affected, Affected, Affected]
    | [Affected, Affected, Affected, Affected, Affected, Affected, Affected, Affected, Affected]
    | [Affected, Affected, Affected, Affected, Affected, Affected, Affected, Affected, Affected, Affected]
    | [Affected, Affected, Affected, Affected, Affected, Affected, Affected, Affected, Affected, Affected, Affected]
    | [
        Affected,
        Affected,
        Affected,
        Affected,
        Affected,
        Affected,
        Affected,
        Affected,
        Affected,
        Affected,
        Affected,
        Affected
      ]
    | [
        Affected,
        Affected,
        Affected,
        Affected,
        Affected,
        Affected,
        Affected,
        Affected,
        Affected,
        Affected,
        Affected,
        Affected,
        Affected
      ]
    | [
        Affected,
        Affected,
        Affected,
        Affected,
        Affected,
        Affected,
        Affected,
        Affected,
        Affected,
        Affected,
        Affected,
        Affected,
        Affected,
        Affected
      ]
    | [
        Affected,
        Affected,
        Affected,
        Affected,
        Affected,
        Affected,
        Affected,
        Affected,
        Affected,
        Affected,
        Affected,
        Affected,
        Affected,
        Affected,
        Affected
      ]
    | [
        Affected,
        Affected,
        Affected,
        Affected,
        Affected,
        Affected,
        Affected,
        Affected,
        Affected,
        Affected,
        Affected,
        Affected,
        Affected,
        Affected,
        Affected,
        Affected
      ];
  /**
   * @minItems 1
   * @maxItems 20
   */
  references:
    | [Reference]
    | [Reference, Reference]
    | [Reference, Reference, Reference]
    | [Reference, Reference, Reference, Reference]
    | [Reference, Reference, Reference, Reference, Reference]
    | [Reference, Reference, Reference, Reference, Reference, Reference]
    | [Reference, Reference, Reference, Reference, Reference, Reference, Reference]
    | [Reference, Reference, Reference, Reference, Reference, Reference, Reference, Reference]
    | [Reference, Reference, Reference, Reference, Reference, Reference, Reference, Reference, Reference]
    | [Reference, Reference, Reference, Reference, Reference, Reference, Reference, Reference, Reference, Reference]
    | [
        Reference,
        Reference,
        Reference,
        Reference,
        Reference,
        Reference,
        Reference,
        Reference,
        Reference,
        Reference,
        Reference
      ]
    | [
        Reference,
        Reference,
        Reference,
        Reference,
        Reference,
        Reference,
        Reference,
        Reference,
        Reference,
        Reference,
        Reference,
        Reference
      ]
    | [
        Reference,
        Reference,
        Reference,
        Reference,
        Reference,
        Reference,
        Reference,
        Reference,
        Reference,
        Reference,
        Reference,
        Reference,
        Reference
      ]
    | [
        Reference,
        Reference,
        Reference,
        Reference,
        Reference,
        Reference,
        Reference,
        Reference,
        Reference,
        Reference,
        Reference,
        Reference,
        Reference,
        Reference
      ]
    | [
        Reference,
        Reference,
        Reference,
        Reference,
        Reference,
        Reference,
        Reference,
        Reference,
        Reference,
        Reference,
        Reference,
        Reference,
        Reference,
        Reference,
        Reference
      ]
    | [
        Reference,
        Reference,
        Reference,
        Reference,
        Reference,
        Reference,
        Reference,
        Reference,
        Reference,
        Reference,
        Reference,
        Reference,
        Reference,
        Reference,
        Reference,
        Reference
      ]
    | [
        Reference,
        Reference,
        Reference,
        Reference,
        Reference,
        Reference,
        Reference,
        Reference,
        Reference,
        Reference,
        Reference,
        Reference,
        Reference,
        Reference,
        Reference,
        Reference,
        Reference
      ]
    | [
        Reference,
        Reference,
        Reference,
        Reference,
        Reference,
        Reference,
        Reference,
        Reference,
        Reference,
        Reference,
        Reference,
        Reference,
        Reference,
        Reference,
        Reference,
        Reference,
        Reference,
        Reference
      ]
    | [
        Reference,
        Reference,
        Reference,
        Reference,
        Reference,
        Reference,
        Reference,
        Reference,
        Reference,
        Reference,
        Reference,
        Reference,
        Reference,
        Reference,
        Reference,
        Reference,
        Reference,
        Reference,
        Reference
      ]
    | [
        Reference,
        Reference,
        Reference,
        Reference,
        Reference,
        Reference,
        Reference,
        Reference,
        Reference,
        Reference,
        Reference,
        Reference,
        Reference,
        Reference,
        Reference,
        Reference,
        Reference,
        Reference,
        Reference,
        Reference
      ];
  notes?: string;
}
export interface Affected {
  /**
   * A product line of this pack: a firmware (compared with the device's firmware of that line only) or an app (compared with the app's version, when it could be read).
   */
  productLine: string;
  /**
   * Lowest affected release (e.g. 4.5.3), only when the advisory says so; below it: not applicable.
   */
  introduced?: string;
  /**
   * @maxItems 32
   */
  fixes: Fix[];
  /**
   * The vendor never released a fix for this line (fixes is empty): every release at or above introduced is vulnerable.
   */
  unfixed?: boolean;
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
   * The first fixed build as the vendor writes it; it must parse with the product line's grammar and lie on the branch.
   */
  fixed: string;
  /**
   * App fixes only: the firmware branches this app build is for.
   *
   * @maxItems 16
   */
  platforms?:
    | []
    | [
        {
          productLine: Id;
          branch: string;
        }
      ]
    | [
        {
          productLine: Id;
          branch: string;
        },
        {
          productLine: Id;
          branch: string;
        }
      ]
    | [
        {
          productLine: Id;
          branch: string;
        },
        {
          productLine: Id;
          branch: string;
        },
        {
          productLine: Id;
          branch: string;
        }
      ]
    | [
        {
          productLine: Id;
          branch: string;
        },
        {
          productLine: Id;
          branch: string;
        },
        {
          productLine: Id;
          branch: string;
        },
        {
          productLine: Id;
          branch: string;
        }
      ]
    | [
        {
          productLine: Id;
          branch: string;
        },
        {
          productLine: Id;
          branch: string;
        },
        {
          productLine: Id;
          branch: string;
        },
        {
          productLine: Id;
          branch: string;
        },
        {
          productLine: Id;
          branch: string;
        }
      ]
    | [
        {
          productLine: Id;
          branch: string;
        },
        {
          productLine: Id;
          branch: string;
        },
        {
          productLine: Id;
          branch: string;
        },
        {
          productLine: Id;
          branch: string;
        },
        {
          productLine: Id;
          branch: string;
        },
        {
          productLine: Id;
          branch: string;
        }
      ]
    | [
        {
          productLine: Id;
          branch: string;
        },
        {
          productLine: Id;
          branch: string;
        },
        {
          productLine: Id;
          branch: string;
        },
        {
          productLine: Id;
          branch: string;
        },
        {
          productLine: Id;
          branch: string;
        },
        {
          productLine: Id;
          branch: string;
        },
        {
          productLine: Id;
          branch: string;
        }
      ]
    | [
        {
          productLine: Id;
          branch: string;
        },
        {
          productLine: Id;
          branch: string;
        },
        {
          productLine: Id;
          branch: string;
        },
        {
          productLine: Id;
          branch: string;
        },
        {
          productLine: Id;
          branch: string;
        },
        {
          productLine: Id;
          branch: string;
        },
        {
          productLine: Id;
          branch: string;
        },
        {
          productLine: Id;
          branch: string;
        }
      ]
    | [
        {
          productLine: Id;
          branch: string;
        },
        {
          productLine: Id;
          branch: string;
        },
        {
          productLine: Id;
          branch: string;
        },
        {
          productLine: Id;
          branch: string;
        },
        {
          productLine: Id;
          branch: string;
        },
        {
          productLine: Id;
          branch: string;
        },
        {
          productLine: Id;
          branch: string;
        },
        {
          productLine: Id;
          branch: string;
        },
        {
          productLine: Id;
          branch: string;
        }
      ]
    | [
        {
          productLine: Id;
          branch: string;
        },
        {
          productLine: Id;
          branch: string;
        },
        {
          productLine: Id;
          branch: string;
        },
        {
          productLine: Id;
          branch: string;
        },
        {
          productLine: Id;
          branch: string;
        },
        {
          productLine: Id;
          branch: string;
        },
        {
          productLine: Id;
          branch: string;
        },
        {
          productLine: Id;
          branch: string;
        },
        {
          productLine: Id;
          branch: string;
        },
        {
          productLine: Id;
          branch: string;
        }
      ]
    | [
        {
          productLine: Id;
          branch: string;
        },
        {
          productLine: Id;
          branch: string;
        },
        {
          productLine: Id;
          branch: string;
        },
        {
          productLine: Id;
          branch: string;
        },
        {
          productLine: Id;
          branch: string;
        },
        {
          productLine: Id;
          branch: string;
        },
        {
          productLine: Id;
          branch: string;
        },
        {
          productLine: Id;
          branch: string;
        },
        {
          productLine: Id;
          branch: string;
        },
        {
          productLine: Id;
          branch: string;
        },
        {
          productLine: Id;
          branch: string;
        }
      ]
    | [
        {
          productLine: Id;
          branch: string;
        },
        {
          productLine: Id;
          branch: string;
        },
        {
          productLine: Id;
          branch: string;
        },
        {
          productLine: Id;
          branch: string;
        },
        {
          productLine: Id;
          branch: string;
        },
        {
          productLine: Id;
          branch: string;
        },
        {
          productLine: Id;
          branch: string;
        },
        {
          productLine: Id;
          branch: string;
        },
        {
          productLine: Id;
          branch: string;
        },
        {
          productLine: Id;
          branch: string;
        },
        {
          productLine: Id;
          branch: string;
        },
        {
          productLine: Id;
          branch: string;
        }
      ]
    | [
        {
          productLine: Id;
          branch: string;
        },
        {
          productLine: Id;
          branch: string;
        },
        {
          productLine: Id;
          branch: string;
        },
        {
          productLine: Id;
          branch: string;
        },
        {
          productLine: Id;
          branch: string;
        },
        {
          productLine: Id;
          branch: string;
        },
        {
          productLine: Id;
          branch: string;
        },
        {
          productLine: Id;
          branch: string;
        },
        {
          productLine: Id;
          branch: string;
        },
        {
          productLine: Id;
          branch: string;
        },
        {
          productLine: Id;
          branch: string;
        },
        {
          productLine: Id;
          branch: string;
        },
        {
          productLine: Id;
          branch: string;
        }
      ]
    | [
        {
          productLine: Id;
          branch: string;
        },
        {
          productLine: Id;
          branch: string;
        },
        {
          productLine: Id;
          branch: string;
        },
        {
          productLine: Id;
          branch: string;
        },
        {
          productLine: Id;
          branch: string;
        },
        {
          productLine: Id;
          branch: string;
        },
        {
          productLine: Id;
          branch: string;
        },
        {
          productLine: Id;
          branch: string;
        },
        {
          productLine: Id;
          branch: string;
        },
        {
          productLine: Id;
          branch: string;
        },
        {
          productLine: Id;
          branch: string;
        },
        {
          productLine: Id;
          branch: string;
        },
        {
          productLine: Id;
          branch: string;
        },
        {
          productLine: Id;
          branch: string;
        }
      ]
    | [
        {
          productLine: Id;
          branch: string;
        },
        {
          productLine: Id;
          branch: string;
        },
        {
          productLine: Id;
          branch: string;
        },
        {
          productLine: Id;
          branch: string;
        },
        {
          productLine: Id;
          branch: string;
        },
        {
          productLine: Id;
          branch: string;
        },
        {
          productLine: Id;
          branch: string;
        },
        {
          productLine: Id;
          branch: string;
        },
        {
          productLine: Id;
          branch: string;
        },
        {
          productLine: Id;
          branch: string;
        },
        {
          productLine: Id;
          branch: string;
        },
        {
          productLine: Id;
          branch: string;
        },
        {
          productLine: Id;
          branch: string;
        },
        {
          productLine: Id;
          branch: string;
        },
        {
          productLine: Id;
          branch: string;
        }
      ]
    | [
        {
          productLine: Id;
          branch: string;
        },
        {
          productLine: Id;
          branch: string;
        },
        {
          productLine: Id;
          branch: string;
        },
        {
          productLine: Id;
          branch: string;
        },
        {
          productLine: Id;
          branch: string;
        },
        {
          productLine: Id;
          branch: string;
        },
        {
          productLine: Id;
          branch: string;
        },
        {
          productLine: Id;
          branch: string;
        },
        {
          productLine: Id;
          branch: string;
        },
        {
          productLine: Id;
          branch: string;
        },
        {
          productLine: Id;
          branch: string;
        },
        {
          productLine: Id;
          branch: string;
        },
        {
          productLine: Id;
          branch: string;
        },
        {
          productLine: Id;
          branch: string;
        },
        {
          productLine: Id;
          branch: string;
        },
        {
          productLine: Id;
          branch: string;
        }
      ];
}
/**
 * What the vendor tells owners of these product lines to do about exposure and ransomware, in the vendor's order.
 */
export interface Remediation {
  /**
   * @minItems 1
   * @maxItems 16
   */
  productLines:
    | [Id]
    | [Id, Id]
    | [Id, Id, Id]
    | [Id, Id, Id, Id]
    | [Id, Id, Id, Id, Id]
    | [Id, Id, Id, Id, Id, Id]
    | [Id, Id, Id, Id, Id, Id, Id]
    | [Id, Id, Id, Id, Id, Id, Id, Id]
    | [Id, Id, Id, Id, Id, Id, Id, Id, Id]
    | [Id, Id, Id, Id, Id, Id, Id, Id, Id, Id]
    | [Id, Id, Id, Id, Id, Id, Id, Id, Id, Id, Id]
    | [Id, Id, Id, Id, Id, Id, Id, Id, Id, Id, Id, Id]
    | [Id, Id, Id, Id, Id, Id, Id, Id, Id, Id, Id, Id, Id]
    | [Id, Id, Id, Id, Id, Id, Id, Id, Id, Id, Id, Id, Id, Id]
    | [Id, Id, Id, Id, Id, Id, Id, Id, Id, Id, Id, Id, Id, Id, Id]
    | [Id, Id, Id, Id, Id, Id, Id, Id, Id, Id, Id, Id, Id, Id, Id, Id];
  /**
   * @minItems 1
   * @maxItems 20
   */
  steps:
    | [Step]
    | [Step, Step]
    | [Step, Step, Step]
    | [Step, Step, Step, Step]
    | [Step, Step, Step, Step, Step]
    | [Step, Step, Step, Step, Step, Step]
    | [Step, Step, Step, Step, Step, Step, Step]
    | [Step, Step, Step, Step, Step, Step, Step, Step]
    | [Step, Step, Step, Step, Step, Step, Step, Step, Step]
    | [Step, Step, Step, Step, Step, Step, Step, Step, Step, Step]
    | [Step, Step, Step, Step, Step, Step, Step, Step, Step, Step, Step]
    | [Step, Step, Step, Step, Step, Step, Step, Step, Step, Step, Step, Step]
    | [Step, Step, Step, Step, Step, Step, Step, Step, Step, Step, Step, Step, Step]
    | [Step, Step, Step, Step, Step, Step, Step, Step, Step, Step, Step, Step, Step, Step]
    | [Step, Step, Step, Step, Step, Step, Step, Step, Step, Step, Step, Step, Step, Step, Step]
    | [Step, Step, Step, Step, Step, Step, Step, Step, Step, Step, Step, Step, Step, Step, Step, Step]
    | [Step, Step, Step, Step, Step, Step, Step, Step, Step, Step, Step, Step, Step, Step, Step, Step, Step]
    | [Step, Step, Step, Step, Step, Step, Step, Step, Step, Step, Step, Step, Step, Step, Step, Step, Step, Step]
    | [Step, Step, Step, Step, Step, Step, Step, Step, Step, Step, Step, Step, Step, Step, Step, Step, Step, Step, Step]
    | [
        Step,
        Step,
        Step,
        Step,
        Step,
        Step,
        Step,
        Step,
        Step,
        Step,
        Step,
        Step,
        Step,
        Step,
        Step,
        Step,
        Step,
        Step,
        Step,
        Step
      ];
  source: Url;
}
/**
 * Models (by pattern) or a whole product line that no longer get security updates. At least one of models, productLine.
 */
export interface EndOfSupport {
  id: Id;
  /**
   * In words: the TS-x20 series, My Book Live.
   */
  name: string;
  /**
   * A JavaScript regular expression without backreferences, lookbehind or nested quantifiers (the loader refuses what could run in more than linear time); run on at most 256 KiB of input.
   */
  models?: string;
  /**
   * The device's product line (or, with models, both must hold).
   */
  productLine?: string;
  /**
   * Only versions of the product line below this one (a version in its grammar).
   */
  below?: string;
  /**
   * The date of the last security update, as precisely as the source says it (2015, 2022-04, 2022-04-15).
   */
  lastSecurityUpdate: string;
  source: Url;
  /**
   * @minItems 1
   * @maxItems 10
   */
  steps:
    | [Step]
    | [Step, Step]
    | [Step, Step, Step]
    | [Step, Step, Step, Step]
    | [Step, Step, Step, Step, Step]
    | [Step, Step, Step, Step, Step, Step]
    | [Step, Step, Step, Step, Step, Step, Step]
    | [Step, Step, Step, Step, Step, Step, Step, Step]
    | [Step, Step, Step, Step, Step, Step, Step, Step, Step]
    | [Step, Step, Step, Step, Step, Step, Step, Step, Step, Step];
}
/**
 * A sign, visible without logging in, that a device of this vendor has already been hit (a ransom screen in place of the login page). A match is a critical finding whose first steps are incident response. Matched on every web port the scan looks at, whether or not the device was recognised (the ransom page replaces the pages the fingerprints read).
 */
export interface Indicator {
  id: Id;
  /**
   * DeadBolt, Qlocker...
   */
  campaign: string;
  title: string;
  kind: 'http';
  request?: Request1;
  match: Match;
  evidence: string;
  /**
   * @minItems 1
   * @maxItems 10
   */
  sources:
    | [Reference]
    | [Reference, Reference]
    | [Reference, Reference, Reference]
    | [Reference, Reference, Reference, Reference]
    | [Reference, Reference, Reference, Reference, Reference]
    | [Reference, Reference, Reference, Reference, Reference, Reference]
    | [Reference, Reference, Reference, Reference, Reference, Reference, Reference]
    | [Reference, Reference, Reference, Reference, Reference, Reference, Reference, Reference]
    | [Reference, Reference, Reference, Reference, Reference, Reference, Reference, Reference, Reference]
    | [Reference, Reference, Reference, Reference, Reference, Reference, Reference, Reference, Reference, Reference];
  /**
   * The vendor's incident advice, first steps first (QNAP: do not restart; take it off the internet...).
   *
   * @minItems 1
   * @maxItems 12
   */
  incidentSteps:
    | [Step]
    | [Step, Step]
    | [Step, Step, Step]
    | [Step, Step, Step, Step]
    | [Step, Step, Step, Step, Step]
    | [Step, Step, Step, Step, Step, Step]
    | [Step, Step, Step, Step, Step, Step, Step]
    | [Step, Step, Step, Step, Step, Step, Step, Step]
    | [Step, Step, Step, Step, Step, Step, Step, Step, Step]
    | [Step, Step, Step, Step, Step, Step, Step, Step, Step, Step]
    | [Step, Step, Step, Step, Step, Step, Step, Step, Step, Step, Step]
    | [Step, Step, Step, Step, Step, Step, Step, Step, Step, Step, Step, Step];
  incidentSource?: Url;
  examples: Examples;
}
export interface Request1 {
  method: 'GET' | 'POST';
  path: string;
  body?: string;
  contentType?: string;
  /**
   * Request headers a device needs before it answers as it does to a browser (My Cloud OS 5 refuses scanner user agents with 403). Only these three, each a short printable value: never a cookie, a credential or an authorization.
   */
  headers?: {
    'user-agent'?: string;
    accept?: string;
    'accept-language'?: string;
  };
  /**
   * Send the request without `headers` first (the request every pack shares) and again with them only when that answer has one of these statuses: Greenbone's retry as a browser after My Cloud OS 5's 403. Without it, the headers go with the only request.
   *
   * @minItems 1
   * @maxItems 8
   */
  headersOnStatus?:
    | [number]
    | [number, number]
    | [number, number, number]
    | [number, number, number, number]
    | [number, number, number, number, number]
    | [number, number, number, number, number, number]
    | [number, number, number, number, number, number, number]
    | [number, number, number, number, number, number, number, number];
  /**
   * A cookie the device sets on its first answer as an anti-CSRF token (TerraMaster TOS 5: X-Csrf-Token). When the first answer is not a 2xx and sets it, the same request is sent once more on the same origin with the token as a header and as a cookie of that name. The token is the device's own, never a credential; nothing else is echoed.
   */
  csrfCookie?: string;
}
