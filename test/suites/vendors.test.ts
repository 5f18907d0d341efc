// The vendors tests in one process: each test process costs about 1 s of CPU before its first test, and these
// files are small and share no state (decision 0024). Each file still runs alone: npx tap test/vendors/NAME.test.ts.
import '../vendors/asustor.test.js';
import '../vendors/deadbolt.test.js';
import '../vendors/engine-findings.test.js';
import '../vendors/negatives.test.js';
import '../vendors/packs.test.js';
import '../vendors/qnap-pack.test.js';
import '../vendors/synology.test.js';
import '../vendors/terramaster.test.js';
import '../vendors/user-pack.test.js';
import '../vendors/wd.test.js';
