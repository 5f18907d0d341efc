/** Kept for importers outside src/vendors (test/fuzz/): the matcher is src/vendors/match.ts. */
export * from '../vendors/match.js';
