// The access tests in one process: each test process costs about 1 s of CPU before its first test, and these
// files are small and share no state (decision 0024). Each file still runs alone: npx tap test/access/NAME.test.ts.
import '../access/classify.test.js';
import '../access/probe.test.js';
import '../access/vantage-whoami.test.js';
