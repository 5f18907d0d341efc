#!/usr/bin/env node
// Thin launcher: the program is compiled to dist/ by `npm ci` (the package's prepare script).
import('../dist/src/cli/bin.js').catch((error) => {
  if (error && error.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes('dist')) {
    console.error('exposure: the program is not built yet. Run "npm ci" (or "npm run build") in the exposure-scanner folder first.');
    process.exit(2);
  }
  throw error;
});
