/** Kept for importers outside src/vendors (test/fuzz/): QNAP's versions are read with its pack's grammar, src/vendors/qnap.ts. */
export * from '../vendors/qnap.js';
