import { childArray, childText, isNode, parseXml } from './xml.js';
import { createError } from '../core/errors.js';

/** Bounds on the device tree walk: a UPnP IGD has 3 devices and about 6 services, a FRITZ!Box's TR-064 tree 4 and 37. */
const MAX_DEVICES = 64;
const MAX_SERVICES = 256;

export const SERVICE_TYPES = {
  wanIpConnection1: 'urn:schemas-upnp-org:service:WANIPConnection:1',
  wanIpConnection2: 'urn:schemas-upnp-org:service:WANIPConnection:2',
  wanPppConnection1: 'urn:schemas-upnp-org:service:WANPPPConnection:1',
  /** Not a standardised version as far as we found (goupnp's IGD v2 client has WANPPPConnection1 only), yet announced by real IGD:2 routers (Orange Livebox). */
  wanPppConnection2: 'urn:schemas-upnp-org:service:WANPPPConnection:2',
  /** TR-064 (Broadband Forum, ex DSL Forum): the same actions under another namespace (AVM FRITZ!Box, Huawei, Technicolor). */
  tr064WanIpConnection1: 'urn:dslforum-org:service:WANIPConnection:1',
  tr064WanPppConnection1: 'urn:dslforum-org:service:WANPPPConnection:1',
  wanIpv6FirewallControl1: 'urn:schemas-upnp-org:service:WANIPv6FirewallControl:1',
  wanCommonInterfaceConfig1: 'urn:schemas-upnp-org:service:WANCommonInterfaceConfig:1',
} as const;

/**
 * Every service whose port-mapping table and external address can be read, in the order that breaks ties when
 * no candidate says it is Connected (see pickPrimary in probes/upnp-igd/read-gateway.ts): newest UPnP forum
 * version first, IP before PPP, TR-064 last. The SOAPAction and action namespace always use the type exactly as
 * the device announced it.
 */
export const CONNECTION_SERVICE_TYPES: readonly string[] = [
  SERVICE_TYPES.wanIpConnection2,
  SERVICE_TYPES.wanIpConnection1,
  SERVICE_TYPES.wanPppConnection2,
  SERVICE_TYPES.wanPppConnection1,
  SERVICE_TYPES.tr064WanIpConnection1,
  SERVICE_TYPES.tr064WanPppConnection1,
];

export function isConnectionServiceType(serviceType: string): boolean {
  return CONNECTION_SERVICE_TYPES.includes(serviceType);
}

/** Root device types of an Internet gateway: UPnP forum IGD v1 and v2, and TR-064's IGD:1 (modelled on IGD v1). */
export const GATEWAY_DEVICE_TYPES: ReadonlyMap<string, 1 | 2> = new Map([
  ['urn:schemas-upnp-org:device:InternetGatewayDevice:1', 1],
  ['urn:schemas-upnp-org:device:InternetGatewayDevice:2', 2],
  ['urn:dslforum-org:device:InternetGatewayDevice:1', 1],
]);

export interface DescribedService {
  serviceType: string;
  serviceId: string;
  /** Absolute, already checked to point at the device that answered. */
  controlUrl: URL;
  deviceType: string;
}

export interface RejectedUrl {
  serviceType: string;
  url: string;
  reason: string;
}

export interface DeviceDescription {
  deviceType: string;
  igdVersion: 1 | 2 | null;
  friendlyName: string;
  manufacturer: string;
  modelName: string;
  modelNumber: string;
  udn: string;
  services: DescribedService[];
  /** Control URLs that pointed at another host or were malformed: never contacted, reported as suspicious. */
  rejectedUrls: RejectedUrl[];
  truncated: boolean;
}

/**
 * Reads a UPnP device description. `location` is where it came from; every control URL is resolved against
 * URLBase (or the location) and kept only when it names the same host and protocol as the location, so a
 * description cannot send the scanner to a third host.
 */
export function parseDeviceDescription(xml: string, location: URL): DeviceDescription {
  const document = parseXml(xml, { what: `Device description at ${location.href}`, arrays: ['device', 'service'] });
  const root = isNode(document) ? document['root'] : undefined;
  const rootDevice = childArray(root, 'device')[0];
  if (!isNode(rootDevice)) {
    throw createError('EXP_ERR_XML_INVALID', `Device description at ${location.href} has no <root><device>`, {
      hint: 'The device is not a UPnP device, or its description is damaged.',
    });
  }
  const base = resolveBase(childText(root, 'URLBase'), location);
  const deviceType = childText(rootDevice, 'deviceType') ?? '';
  const description: DeviceDescription = {
    deviceType,
    igdVersion: igdVersionOf(deviceType),
    friendlyName: childText(rootDevice, 'friendlyName') ?? '',
    manufacturer: childText(rootDevice, 'manufacturer') ?? '',
    modelName: childText(rootDevice, 'modelName') ?? '',
    modelNumber: childText(rootDevice, 'modelNumber') ?? '',
    udn: childText(rootDevice, 'UDN') ?? '',
    services: [],
    rejectedUrls: [],
    truncated: false,
  };

  // Iterative walk so a hostile, deeply nested tree costs bounded work and no recursion depth.
  const pending: unknown[] = [rootDevice];
  let devicesSeen = 0;
  while (pending.length > 0) {
    const device = pending.shift();
    if (++devicesSeen > MAX_DEVICES) {
      description.truncated = true;
      break;
    }
    const type = childText(device, 'deviceType') ?? '';
    for (const service of childArray(childArray(device, 'serviceList')[0], 'service')) {
      if (description.services.length + description.rejectedUrls.length >= MAX_SERVICES) {
        description.truncated = true;
        break;
      }
      addService(description, service, type, base, location);
    }
    pending.push(...childArray(childArray(device, 'deviceList')[0], 'device'));
  }
  return description;
}

function addService(description: DeviceDescription, service: unknown, deviceType: string, base: URL, location: URL): void {
  const serviceType = childText(service, 'serviceType') ?? '';
  const rawControl = childText(service, 'controlURL') ?? '';
  let controlUrl: URL;
  try {
    controlUrl = new URL(rawControl, base);
  } catch {
    description.rejectedUrls.push({ serviceType, url: rawControl, reason: 'not a valid URL' });
    return;
  }
  if (controlUrl.username || controlUrl.password) {
    // Never sent, and not copied into the report either: the recorded URL has them blanked.
    controlUrl.username = '';
    controlUrl.password = '';
    description.rejectedUrls.push({ serviceType, url: controlUrl.href, reason: 'carries credentials (exposure-scanner never sends any)' });
    return;
  }
  if (controlUrl.protocol !== location.protocol || controlUrl.host !== location.host) {
    description.rejectedUrls.push({ serviceType, url: controlUrl.href, reason: `points to ${controlUrl.host}, not to the device that answered (${location.host})` });
    return;
  }
  description.services.push({ serviceType, serviceId: childText(service, 'serviceId') ?? '', controlUrl, deviceType });
}

function resolveBase(urlBase: string | undefined, location: URL): URL {
  if (!urlBase) return location;
  try {
    return new URL(urlBase, location);
  } catch {
    return location;
  }
}

/**
 * 1 or 2 for the IGD root device types above (a TR-064 IGD:1 counts as 1); a higher UPnP forum version as 2,
 * since versions are backward compatible; null for anything else.
 */
export function igdVersionOf(deviceType: string): 1 | 2 | null {
  const known = GATEWAY_DEVICE_TYPES.get(deviceType);
  if (known) return known;
  const match = /^urn:schemas-upnp-org:device:InternetGatewayDevice:(\d+)$/.exec(deviceType);
  return match ? 2 : null;
}
