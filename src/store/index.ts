export { openStore } from './sqlite-store.js';
export { defaultDbFile } from './paths.js';
export { SCHEMA_VERSION } from './migrations.js';
export type * from './types.js';
export { SCAN_STATUSES } from './types.js';
