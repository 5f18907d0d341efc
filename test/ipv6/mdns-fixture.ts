import type { AvahiOptions } from '../lab/avahi.js';

/**
 * What the lab's NAS publishes through avahi-daemon: QNAP's discovery type with the TXT keys QNAP puts there (the
 * research sheet's qnap/report.md §1: accessType, accessPort, model, displayModel, fwVer; the values are the lab's,
 * modelled on that row) and its web UI as _http._tcp. The recorder (record-mdns.ts) and the lab test use the same.
 */
export const LAB_NAS_AVAHI: AvahiOptions = {
  hostName: 'labnas',
  instance: 'LabNAS',
  services: [
    { type: '_qdiscover._tcp', port: 8080, txt: ['accessType=http', 'accessPort=8080', 'model=TS-X64', 'displayModel=TS-464C', 'fwVer=5.2.9', 'fwBuildNum=20240902'] },
    { type: '_http._tcp', port: 8080 },
  ],
};
