/**
 * Loopback fakes of the NAS brands the ransomware gangs hit (issue 15), besides QNAP (./fake-qnap.ts): Synology
 * DSM, ASUSTOR ADM, TerraMaster TOS, WD My Cloud and My Book Live, DeadBolt's ransom screen, and the non-NAS
 * look-alikes no pack may match. Each answers from fixtures under test/fixtures/vendors/, whose ORIGIN.md says
 * which public fingerprint or recorded page each answer is built from.
 */
export { type FakeDevice, type RecordedRequest } from './fake-nas/serve.js';
export { startFakeSynology, startFakeSynologyRouter, type FakeSynologyOptions } from './fake-nas/synology.js';
export { startFakeAsustor, type FakeAsustorOptions } from './fake-nas/asustor.js';
export { startFakeTerramaster, startTermsOfServicePage, type FakeTerramasterOptions } from './fake-nas/terramaster.js';
export { startFakeMyCloud, startFakeMyBookLive, startMyCloudHomePage, isDangerousWdPath, DANGEROUS_WD_PATHS, type FakeMyCloudOptions, type FakeMyBookLiveOptions } from './fake-nas/wd.js';
export { deadboltScreen, startDeadboltQnap, EXAMPLE_BTC_ADDRESS, type DeadboltVendor } from './fake-nas/deadbolt.js';
export { startNegative, NEGATIVE_KINDS, type NegativeKind } from './fake-nas/negatives.js';
