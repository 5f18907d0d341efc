// The ipv6 tests in one process: each test process costs about 1 s of CPU before its first test, and these
// files are small and share no state (decision 0024). Each file still runs alone: npx tap test/ipv6/NAME.test.ts.
import '../ipv6/address.test.js';
import '../ipv6/igd-firewall.test.js';
import '../ipv6/ipv6-lan.test.js';
import '../ipv6/ipv6-lan-mdns.test.js';
import '../ipv6/mdns.test.js';
import '../ipv6/neighbours.test.js';
import '../ipv6/rules.test.js';
import '../ipv6/wan6-scan.test.js';
import '../ipv6/warm.test.js';
