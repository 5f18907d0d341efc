// The alerts tests in one process: each test process costs about 1 s of CPU before its first test, and these
// files are small and share no state (decision 0024). Each file still runs alone: npx tap test/alerts/NAME.test.ts.
import '../alerts/alerts.test.js';
import '../alerts/coverage-alerts.test.js';
import '../alerts/payload-contract.test.js';
import '../alerts/payload-outbox.test.js';
