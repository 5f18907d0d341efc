// The probes tests in one process: each test process costs about 1 s of CPU before its first test, and these
// files are small and share no state (decision 0024). Each file still runs alone: npx tap test/probes/NAME.test.ts.
import '../probes/adding-a-probe.test.js';
import '../probes/manifests.test.js';
import '../probes/run-probes.test.js';
