// The passive tests in one process: each test process costs about 1 s of CPU before its first test, and these
// files are small and share no state (decision 0024). Each file still runs alone: npx tap test/passive/NAME.test.ts.
import '../passive/hostile.test.js';
import '../passive/internetdb.test.js';
import '../passive/options.test.js';
import '../passive/scope.test.js';
