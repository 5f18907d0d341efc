// The fuzz tests in one process: each test process costs about 1 s of CPU before its first test, and these
// files are small and share no state (decision 0024). Each file still runs alone: npx tap test/fuzz/NAME.test.ts.
import '../fuzz/datagrams.test.js';
import '../fuzz/http.test.js';
import '../fuzz/nmap-xml.test.js';
import '../fuzz/port-spec.test.js';
import '../fuzz/qnap.test.js';
import '../fuzz/soap-mapping.test.js';
import '../fuzz/xml-description.test.js';
