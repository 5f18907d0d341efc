// The engine checks belong to the scan service (src/scan/engine-check.ts), which makes them for every face; the
// CLI's commands keep importing them from here.
export { checkScanEngine, THIS_MACHINE, type Machine } from '../scan/engine-check.js';
