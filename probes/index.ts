/**
 * The registered probes, one line each: adding a probe is its folder plus one line here. The order of these lines
 * does not matter: a probe names the probes whose observations it reads (`after`), and probes/registry.ts orders
 * them from that.
 */
export { manifest as access } from './access/manifest.js';
export { manifest as myqnapcloud } from './myqnapcloud/manifest.js';
export { manifest as natPmp } from './nat-pmp/manifest.js';
export { manifest as passiveInternetDb } from './passive-internetdb/manifest.js';
export { manifest as qnap } from './qnap/manifest.js';
export { manifest as upnpIgd } from './upnp-igd/manifest.js';
export { manifest as wanScan } from './wan-scan/manifest.js';
