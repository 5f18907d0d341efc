// The diff tests in one process: each test process costs about 1 s of CPU before its first test, and these
// files are small and share no state (decision 0024). Each file still runs alone: npx tap test/diff/NAME.test.ts.
import '../diff/coverage-diff.test.js';
import '../diff/diff.test.js';
import '../diff/legacy-ids.test.js';
