// The schedule tests in one process: each test process costs about 1 s of CPU before its first test, and these
// files are small and share no state (decision 0024). Each file still runs alone: npx tap test/schedule/NAME.test.ts.
import '../schedule/coverage-watch.test.js';
import '../schedule/scheduler.test.js';
