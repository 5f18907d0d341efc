// The qnap tests in one process: each test process costs about 1 s of CPU before its first test, and these
// files are small and share no state (decision 0024). Each file still runs alone: npx tap test/qnap/NAME.test.ts.
import '../qnap/fingerprint-host.test.js';
import '../qnap/myqnapcloud-name.test.js';
import '../qnap/verdicts.test.js';
import '../qnap/version.test.js';
