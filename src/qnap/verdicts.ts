/** Kept for importers outside src/vendors (bench/): the verdicts are src/vendors/verdicts.ts. */
export * from '../vendors/verdicts.js';
