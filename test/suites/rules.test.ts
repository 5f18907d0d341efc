// The rules tests in one process: each test process costs about 1 s of CPU before its first test, and these
// files are small and share no state (decision 0024). Each file still runs alone: npx tap test/rules/NAME.test.ts.
import '../rules/coverage.test.js';
import '../rules/finding-ids.test.js';
import '../rules/network-rules.test.js';
import '../rules/qnap-rules.test.js';
import '../rules/score.test.js';
