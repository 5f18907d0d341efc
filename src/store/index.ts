export { openStore } from './open.js';
export { defaultDbFile } from './paths.js';
export { SCHEMA_VERSION } from './migrations.js';
export { DEFAULT_SITE, validateSite } from './site.js';
export { isPostgresUrl, redactUrl } from './location.js';
export type * from './types.js';
export { SCAN_STATUSES } from './types.js';
