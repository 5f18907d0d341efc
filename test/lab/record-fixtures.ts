/**
 * Records the raw answers of miniupnpd 2.3.1 into test/fixtures/miniupnpd-2.3.1/ (see the README there).
 *
 *   npx tsx test/lab/record-fixtures.ts record [outDir]
 *
 * (Without `record` it does nothing: `tap test/lab/` loads every file in the folder, this one included.)
 *
 * Needs root, the lab tools (see lab.ts) and curl. Everything is sent inside the lab's namespaces.
 * The lab uses a fixed net (LAN 10.1.2.0/24, router 10.1.2.1, NAS 10.1.2.20, other 10.1.2.30, scanner 10.1.2.10,
 * WAN 11.1.2.1 / 100.64.2.1 for the reserved-WAN recordings) so that the fixtures are stable between runs,
 * apart from the uuid, uptime, BOOTID, the Server header (host kernel version) and the bytes that
 * GetGenericPortMappingEntry leaks past a 64-byte description.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { binaries, leaseLine, msearch, startLab, type Lab, type LeaseMapping } from './lab.js';

const OUT = resolve(process.argv[3] ?? 'test/fixtures/miniupnpd-2.3.1');
const WANIPC = (v: 1 | 2): string => `urn:schemas-upnp-org:service:WANIPConnection:${v}`;

export const FIXTURE_MAPPINGS: LeaseMapping[] = [
  { protocol: 'TCP', externalPort: 8080, internalClient: '@nas', internalPort: 80, description: 'NAS web UI' },
  { protocol: 'TCP', externalPort: 81, internalClient: '@nas', internalPort: 81, description: '<b>x</b>' },
  { protocol: 'TCP', externalPort: 82, internalClient: '@nas', internalPort: 82, description: 'a&b' },
  {
    protocol: 'TCP',
    externalPort: 83,
    internalClient: '@nas',
    internalPort: 83,
    description: 'x</NewPortMappingDescription><NewInternalClient>6.6.6.6</NewInternalClient><NewPortMappingDescription>y',
  },
  {
    protocol: 'TCP',
    externalPort: 84,
    internalClient: '@nas',
    internalPort: 84,
    description: 'x</p:NewDescription><p:NewInternalClient>6.6.6.6</p:NewInternalClient><p:NewDescription>y',
  },
  { protocol: 'TCP', externalPort: 85, internalClient: '@nas', internalPort: 85, description: 'x</NewPortMappingDescription><NewInternalClient>6.6.6.6' },
  { protocol: 'TCP', externalPort: 86, internalClient: '@nas', internalPort: 86, description: 'cdata]]>break<p:x>' },
  { protocol: 'TCP', externalPort: 87, internalClient: '@nas', internalPort: 87, description: '&lt;i&gt; &amp;' },
  { protocol: 'TCP', externalPort: 88, internalClient: '@nas', internalPort: 88, description: `exactly-64-bytes-${'-'.repeat(64 - 17 - 3)}end` },
  { protocol: 'TCP', externalPort: 8443, internalClient: '@nas', internalPort: 443, description: '' },
  { protocol: 'TCP', externalPort: 32400, internalClient: '@nas', internalPort: 32400, description: 'Plex Média Server ☕' },
  { protocol: 'UDP', externalPort: 5353, internalClient: '@other', internalPort: 53, description: 'has:colons:in it' },
];

const SSDP_STS = [
  'urn:schemas-upnp-org:device:InternetGatewayDevice:1',
  'urn:schemas-upnp-org:device:InternetGatewayDevice:2',
  'urn:schemas-upnp-org:service:WANIPConnection:1',
  'urn:schemas-upnp-org:service:WANIPConnection:2',
  'urn:schemas-upnp-org:service:WANPPPConnection:1',
  'upnp:rootdevice',
  'ssdp:all',
];

const commands: string[] = [];

async function curl(lab: Lab, name: string, url: string, soap?: { action: string; service: string; args?: Record<string, string | number> }): Promise<void> {
  const body = join(OUT, name);
  const headers = `${body}.headers`;
  const args = ['-sS', '--max-time', '10', '-D', headers, '-o', body];
  if (soap) {
    const argXml = Object.entries(soap.args ?? {})
      .map(([k, v]) => `<${k}>${String(v)}</${k}>`)
      .join('');
    const envelope =
      '<?xml version="1.0"?>\r\n<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" s:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/">' +
      `<s:Body><u:${soap.action} xmlns:u="${soap.service}">${argXml}</u:${soap.action}></s:Body></s:Envelope>\r\n`;
    const reqFile = join(lab.tmpDir, `${name}.request`);
    writeFileSync(reqFile, envelope);
    args.push('-X', 'POST', '-H', 'Content-Type: text/xml; charset="utf-8"', '-H', `SOAPAction: "${soap.service}#${soap.action}"`, '--data-binary', `@${reqFile}`);
    commands.push(`${name}: SOAP ${soap.service}#${soap.action} ${argXml} → ${url}`);
  } else {
    commands.push(`${name}: GET ${url}`);
  }
  args.push(url);
  const r = await lab.exec(lab.scanner, 'curl', args, { timeoutMs: 15_000 });
  if (r.code !== 0) throw new Error(`curl ${name}: ${r.stderr}`);
  process.stdout.write(`recorded ${name}\n`);
}

const NATPMP_SCRIPT = `
const s = require('node:dgram').createSocket('udp4');
s.on('message', (m) => { process.stdout.write(m.toString('hex')); s.close(); });
s.bind(0, () => s.send(Buffer.from([0, 0]), 5351, process.argv[1]));
setTimeout(() => { process.stderr.write('no answer'); process.exit(3); }, 3000).unref();
`;

async function natpmp(lab: Lab, name: string): Promise<string> {
  const r = await lab.exec(lab.scanner, process.execPath, ['-e', NATPMP_SCRIPT, lab.router.address], { timeoutMs: 10_000 });
  if (r.code !== 0) throw new Error(`natpmp: ${r.stderr}`);
  writeFileSync(join(OUT, name), Buffer.from(r.stdout, 'hex'));
  process.stdout.write(`recorded ${name}\n`);
  return r.stdout;
}

async function ssdpTable(lab: Lab): Promise<string[]> {
  const rows: string[] = [];
  for (const st of SSDP_STS) {
    const replies = await msearch(lab, lab.scanner, { st, target: lab.router.address, waitMs: 1200 });
    rows.push(`| \`${st}\` | ${replies.length} | ${replies.map((r) => `\`${r.headers.st ?? ''}\``).join('<br>') || '—'} |`);
  }
  return rows;
}

async function upnpcOut(lab: Lab, name: string, ...args: string[]): Promise<void> {
  const r = await lab.exec(lab.scanner, binaries.upnpc, ['-u', lab.router.rootDescUrl, ...args], { timeoutMs: 60_000 });
  writeFileSync(join(OUT, name), r.stdout + r.stderr);
  commands.push(`${name}: upnpc -u ${lab.router.rootDescUrl} ${args.join(' ')}`);
  process.stdout.write(`recorded ${name}\n`);
}

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  for (const f of readdirSync(OUT)) if (f !== 'README.md') rmSync(join(OUT, f), { recursive: true, force: true });
  const lab = await startLab({ net: { a: 1, b: 2 }, uuid: 'e5c0a5e0-2a3b-4c1d-8e0f-000000000001', mappings: FIXTURE_MAPPINGS });
  const notes: Record<string, string> = {};
  try {
    const ctl = `http://${lab.router.address}:5000/ctl/IPConn`;
    writeFileSync(join(OUT, 'leases.txt'), `${FIXTURE_MAPPINGS.map((m) => leaseLine({ ...m, internalClient: lab.resolveClient(m.internalClient) })).join('\n')}\n`);

    // IGDv2 (default)
    await curl(lab, 'rootDesc.xml', lab.router.rootDescUrl);
    await curl(lab, 'WANIPCn.xml', `http://${lab.router.address}:5000/WANIPCn.xml`);
    await curl(lab, 'GetExternalIPAddress.xml', ctl, { action: 'GetExternalIPAddress', service: WANIPC(2) });
    await curl(lab, 'GetStatusInfo.xml', ctl, { action: 'GetStatusInfo', service: WANIPC(2) });
    const n = FIXTURE_MAPPINGS.length;
    for (let i = 0; i < n; i++) {
      await curl(lab, `GetGenericPortMappingEntry-${i}.xml`, ctl, { action: 'GetGenericPortMappingEntry', service: WANIPC(2), args: { NewPortMappingIndex: i } });
    }
    await curl(lab, 'GetGenericPortMappingEntry-past-end.xml', ctl, { action: 'GetGenericPortMappingEntry', service: WANIPC(2), args: { NewPortMappingIndex: n } });
    const specific = (port: number, proto = 'TCP'): Record<string, string | number> => ({ NewRemoteHost: '', NewExternalPort: port, NewProtocol: proto });
    await curl(lab, 'GetSpecificPortMappingEntry.xml', ctl, { action: 'GetSpecificPortMappingEntry', service: WANIPC(2), args: specific(8080) });
    await curl(lab, 'GetSpecificPortMappingEntry-83.xml', ctl, { action: 'GetSpecificPortMappingEntry', service: WANIPC(2), args: specific(83) });
    await curl(lab, 'GetSpecificPortMappingEntry-714.xml', ctl, { action: 'GetSpecificPortMappingEntry', service: WANIPC(2), args: specific(1) });
    const list = (proto: string): Record<string, string | number> => ({ NewStartPort: 0, NewEndPort: 65535, NewProtocol: proto, NewManage: 1, NewNumberOfPorts: 1000 });
    await curl(lab, 'GetListOfPortMappings.xml', ctl, { action: 'GetListOfPortMappings', service: WANIPC(2), args: list('TCP') });
    await curl(lab, 'GetListOfPortMappings-UDP.xml', ctl, { action: 'GetListOfPortMappings', service: WANIPC(2), args: list('UDP') });
    await upnpcOut(lab, 'upnpc-l.txt', '-l');
    await upnpcOut(lab, 'upnpc-L.txt', '-L');
    notes.natpmp = await natpmp(lab, 'natpmp-external-address.bin');

    const ssdp = await msearch(lab, lab.scanner, { st: 'urn:schemas-upnp-org:device:InternetGatewayDevice:1', target: lab.router.address, waitMs: 1200 });
    if (ssdp.length !== 1 || !ssdp[0]) throw new Error(`expected one SSDP answer, got ${ssdp.length}`);
    writeFileSync(join(OUT, 'ssdp-response.txt'), ssdp[0].raw);
    process.stdout.write('recorded ssdp-response.txt\n');
    notes.ssdpV2 = (await ssdpTable(lab)).join('\n');

    const fromWan = await lab.exec(lab.wan, 'curl', ['-sS', '--max-time', '3', '-o', '/dev/null', '-w', '%{http_code}', `http://${lab.router.wanAddress}:5000/rootDesc.xml`]);
    notes.fromWan = `code ${String(fromWan.code)} http ${fromWan.stdout} ${fromWan.stderr.trim()}`;

    // IGDv1
    await lab.restartRouter({ igdV1: true });
    await curl(lab, 'rootDesc-v1.xml', lab.router.rootDescUrl);
    await curl(lab, 'WANIPCn-v1.xml', `http://${lab.router.address}:5000/WANIPCn.xml`);
    await curl(lab, 'GetGenericPortMappingEntry-v1-0.xml', ctl, { action: 'GetGenericPortMappingEntry', service: WANIPC(1), args: { NewPortMappingIndex: 0 } });
    await curl(lab, 'GetListOfPortMappings-v1.xml', ctl, { action: 'GetListOfPortMappings', service: WANIPC(1), args: list('TCP') });
    notes.ssdpV1 = (await ssdpTable(lab)).join('\n');

    // reserved (CGNAT) WAN address
    await lab.restartRouter({ igdV1: false, reservedWan: true });
    await curl(lab, 'GetExternalIPAddress-reservedWan.xml', ctl, { action: 'GetExternalIPAddress', service: WANIPC(2) });
    await curl(lab, 'GetStatusInfo-reservedWan.xml', ctl, { action: 'GetStatusInfo', service: WANIPC(2) });
    notes.natpmpReserved = await natpmp(lab, 'natpmp-external-address-reservedWan.bin');
    writeFileSync(join(OUT, 'miniupnpd-reservedWan.log'), readFileSync(lab.router.logFile, 'utf8').split('\n').filter((l) => /Reserved|probably behind|ext_ip=|Public IP/.test(l)).map((l) => l.replace(/^miniupnpd\[\d+\]/, 'miniupnpd[PID]')).join('\n') + '\n');
  } finally {
    await lab.down();
  }
  writeFileSync(join(OUT, 'recording-notes.json'), `${JSON.stringify({ ...notes, commands }, null, 2)}\n`);
}

if (process.argv[2] === 'record') await main();
else process.stdout.write('# record-fixtures.ts: not a test. Run `npx tsx test/lab/record-fixtures.ts record [outDir]` as root.\n');
