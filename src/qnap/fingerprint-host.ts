/** Kept for importers outside src/vendors (bench/, test/fuzz/): the fingerprinting is src/vendors/fingerprint-host.ts. */
export * from '../vendors/fingerprint-host.js';
