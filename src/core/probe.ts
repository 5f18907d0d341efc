import type { Observation } from './observation.js';
import type { ScanOptions } from './options.js';
import type { ExposureReport } from './report.generated.js';
import type { ReportSection } from './report-section.js';
import type { Scope } from './scope.js';

export interface ProbeContext {
  options: ScanOptions;
  scope: Scope;
  /**
   * What the probes this one runs `after` observed (and this machine's networks), in a fixed order: a probe builds
   * on them (NAT-PMP asks the gateways UPnP found), and never sees what a probe it did not name happened to finish.
   */
  observations: readonly Observation[];
  /** Date.now() value after which no new network work starts. */
  deadline: number;
  signal: AbortSignal;
  progress(message: string): void;
  /**
   * Hands out one observation before the probe is done, for the probes that start early on it (`startsEarly`). It
   * is final: the probe returns it too, in its place among the others (the runner keeps it once).
   */
  publish(observation: Observation): void;
  /**
   * For a probe that names `probe` in `startsAtOnce`: waits until that probe has handed out an observation of `kind`
   * (or has finished) and gives what it had handed out by then (this machine's networks stay in `observations`).
   * Absent where a caller runs a probe on its own (tests, a replay): the probe then reads `observations`.
   */
  awaitPublished?(probe: string, kind: string): Promise<readonly Observation[]>;
  /** The same for a probe that must be done: everything it observed. */
  awaitFinished?(probe: string): Promise<readonly Observation[]>;
}

/** What a probe does: when it applies and how it runs. Loaded only when a scan runs (it pulls in the network code). */
export interface ProbeAction {
  appliesTo(context: ProbeContext): boolean;
  run(context: ProbeContext): Promise<Observation[]>;
}

/** A JSON Schema (draft-07) fragment; `$ref`s may point into schemas/report.schema.json by its `$id`. */
export type JsonSchema = Readonly<Record<string, unknown>>;

/** Where a probe's observations go in the report, and how people read them there. */
export interface ReportContribution {
  /**
   * The schema 1.0 report fields this probe fills, from the scan's observations (it is called when the probe did not
   * run too, and then gives the field's "not checked" value). Probes added later leave it out: their observations'
   * data go to `report.probes[id][kind]`, each item checked against the kind's schema in `observes`.
   */
  fields?(observations: readonly Observation[]): Partial<ExposureReport>;
  /** The section renderers show. Read from the report, never from observations: stored reports are rendered too. */
  section?(report: ExposureReport): ReportSection | undefined;
  /** A few words for the report's header line ("1 router(s), 3 mapping(s)"). */
  summary?(report: ExposureReport): string | undefined;
  /**
   * Rules with one finding per item of this probe's (one per port mapping): the terminal shows each as one line and
   * the advice once, after them.
   */
  compactFindings?: { rules: readonly string[]; title: string; advice: readonly string[] };
}

/**
 * A probe as the scan, the report and the renderers see it: what it is, what it needs, what it observes and how
 * that is reported. Light on purpose (no network code): `load` brings the action in when a scan runs, so `history`
 * or `diff` render with the probes' sections without loading SSDP, SOAP or nmap. Modelled on nmap NSE scripts
 * (metadata, a rule saying when it applies, an action) with nuclei's kebab-case ids.
 */
export interface ProbeManifest {
  /** kebab-case, unique; the folder's name under probes/. */
  id: string;
  name: string;
  description: string;
  safety: 'safe' | 'intrusive';
  references: readonly string[];
  /** Probes whose observations this one reads: it starts when they are done. Independent probes run at once. */
  after?: readonly string[];
  /**
   * Probes in `after` this one need not wait to finish: it starts as soon as that probe has published an
   * observation of the given kind (or has finished, whichever comes first), and sees what it published so far.
   * The outside view starts on the default gateway's table while discovery still listens for other routers.
   */
  startsEarly?: Readonly<Record<string, string>>;
  /**
   * Probes in `after` this one does not wait for at all: it starts with the scan and reads what they hand out with
   * `context.awaitPublished` or `context.awaitFinished` when it needs it. The line's probe asks the vantage agent,
   * and the IPv6 inventory sends its mDNS question, while discovery still runs.
   */
  startsAtOnce?: readonly string[];
  /** The observation kinds this probe emits, each with the JSON Schema of its data. */
  observes: Readonly<Record<string, JsonSchema>>;
  report?: ReportContribution;
  load(): Promise<ProbeAction>;
}

/** The `$id` built-in probes' schemas point into (`{ $ref: reportSchemaRef('Gateway') }`). */
export const REPORT_SCHEMA_ID = 'https://exposure-scanner.dev/schemas/report.schema.json';

export function reportSchemaRef(definition: string): JsonSchema {
  return { $ref: `${REPORT_SCHEMA_ID}#/definitions/${definition}` };
}
