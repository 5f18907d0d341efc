/** Kept for importers outside src/vendors (bench/, test/fuzz/): the QNAP data now lives in probes/vendors/qnap. */
export { loadFingerprints, loadVulnerabilities } from '../vendors/qnap.js';
export type { Advisory, Affected, Condition, Extraction, Fingerprint, Fix } from '../vendors/load.js';
