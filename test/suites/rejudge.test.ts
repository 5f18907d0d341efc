// The rejudge tests in one process: each test process costs about 1 s of CPU before its first test, and these
// files are small and share no state (decision 0024). Each file still runs alone: npx tap test/rejudge/NAME.test.ts.
import '../rejudge/incident.test.js';
import '../rejudge/rejudge.test.js';
