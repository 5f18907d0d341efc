import { parseDeviceDescription, CONNECTION_SERVICE_TYPES, SERVICE_TYPES, isConnectionServiceType, type DescribedService, type DeviceDescription } from '../../src/net/igd-description.js';
import { requestDescription, type DescriptionRequest } from './description-request.js';
import { enumerateMappings, getExternalIpAddress, getFirewallStatus, getStatusInfo, warningFrom } from '../../src/net/igd-client.js';
import { classifyIPv4 } from '../../src/core/address.js';
import { createError, isExposureError } from '../../src/core/errors.js';
import type { ProbeContext } from '../../src/core/probe.js';
import type { Gateway, Mapping } from '../../src/core/report.generated.js';

function rethrowIfCancelled(error: unknown): void {
  if (isExposureError(error) && (error.code === 'EXP_ERR_ABORTED' || error.code === 'EXP_ERR_TIMEOUT')) throw error;
}

/** Connection services in tie-break order (CONNECTION_SERVICE_TYPES); one per control URL and type. */
function connectionServices(services: readonly DescribedService[]): DescribedService[] {
  const seen = new Set<string>();
  return services
    .filter((service) => isConnectionServiceType(service.serviceType))
    .filter((service) => {
      const key = `${service.serviceType} ${service.controlUrl.href}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .sort((a, b) => CONNECTION_SERVICE_TYPES.indexOf(a.serviceType) - CONNECTION_SERVICE_TYPES.indexOf(b.serviceType));
}

type StatusReading = PromiseSettledResult<Awaited<ReturnType<typeof getStatusInfo>>>;

/**
 * The connection that is up: a DSL router announces an IP and a PPP connection and only one carries the line
 * (miniupnpc's UPNP_GetValidIGD makes the same choice). The first Connected candidate, else the first that
 * answered, else the first.
 */
export function pickPrimary(statuses: readonly StatusReading[]): number {
  const connected = statuses.findIndex((status) => status.status === 'fulfilled' && status.value.connectionStatus?.toLowerCase() === 'connected');
  if (connected >= 0) return connected;
  return Math.max(0, statuses.findIndex((status) => status.status === 'fulfilled'));
}

const MAX_TYPES_LISTED = 40;

/** The EXP_ERR_IGD_NO_CONNECTION_SERVICE sentence: which service types the device did announce, and any refused. */
function noConnectionServiceMessage(location: URL, description: DeviceDescription): string {
  const seen = [...new Set(description.services.map((service) => service.serviceType.slice(0, 120)))];
  const refused = description.rejectedUrls.filter((rejected) => isConnectionServiceType(rejected.serviceType));
  const listed = seen.length === 0 ? 'it announces no service at all' : `service types seen: ${seen.slice(0, MAX_TYPES_LISTED).join(', ')}${seen.length > MAX_TYPES_LISTED ? ` and ${seen.length - MAX_TYPES_LISTED} more` : ''}`;
  const refusedText = refused.length > 0 ? `; refused (control URL not on the device): ${refused.map((rejected) => `${rejected.serviceType} at ${rejected.url.slice(0, 200)}`).join(', ')}` : '';
  return `${location.href} (${description.deviceType.slice(0, 120) || 'no device type'}) describes no WAN connection service this scanner reads (WANIPConnection or WANPPPConnection, UPnP forum v1/v2 or TR-064); ${listed}${refusedText}`;
}

/** A gateway as its description alone tells it: nothing read from its services yet (tests build one the same way). */
export function describedGateway(description: ReturnType<typeof parseDeviceDescription>, location: URL, address: string, server?: string): Gateway {
  return {
    location: location.href,
    address,
    igdVersion: description.igdVersion,
    deviceType: description.deviceType,
    friendlyName: description.friendlyName,
    manufacturer: description.manufacturer,
    modelName: description.modelName,
    modelNumber: description.modelNumber,
    udn: description.udn,
    ...(server ? { server } : {}),
    services: description.services.map((service) => ({ serviceType: service.serviceType, serviceId: service.serviceId, controlUrl: service.controlUrl.href })),
    rejectedUrls: description.rejectedUrls,
    connectionService: null,
    externalIp: null,
    externalIpClass: 'unknown',
    connectionStatus: null,
    uptimeSeconds: null,
    mappings: [],
    mappingsTruncated: false,
    enumeration: { method: 'none', requests: 0, durationMs: 0, stopReason: 'not-attempted' },
    errors: [],
  };
}

/**
 * Reads one IGD: description, then every connection service (a router can have both an IP and a PPP connection,
 * each with its own mappings), external IP, status, IPv6 firewall status. Failures of one action become errors on
 * the gateway, not a failed scan: a partial picture with its gaps named is more useful than none.
 */
export async function readGateway(
  location: URL,
  address: string,
  server: string | undefined,
  context: ProbeContext,
  sent: DescriptionRequest = requestDescription(location, context),
): Promise<Gateway> {
  const { options, signal } = context;
  const { agent } = sent;
  const callOptions = { signal, requestTimeoutMs: options.requestTimeoutMs, agent };
  try {
    const response = await sent.response;
    if (response.status !== 200) {
      throw createError('EXP_ERR_HTTP_STATUS', `${location.href} answered HTTP ${response.status} instead of a device description`, { httpStatus: response.status });
    }
    const description = parseDeviceDescription(response.body.toString('utf8'), location);
    const gateway = describedGateway(description, location, address, server);

    const connections = connectionServices(description.services);
    const firstConnection = connections[0];
    if (!firstConnection) {
      gateway.errors.push({ code: 'EXP_ERR_IGD_NO_CONNECTION_SERVICE', message: noConnectionServiceMessage(location, description) });
      return gateway;
    }
    const firewallService = description.services.find((service) => service.serviceType === SERVICE_TYPES.wanIpv6FirewallControl1);

    const enumerate = (service: DescribedService, maxMappings: number): ReturnType<typeof enumerateMappings> =>
      enumerateMappings(service, { ...callOptions, method: options.enumeration, maxMappings, deadline: context.deadline, maxInFlight: options.maxInFlight });

    context.progress(`Reading ${description.friendlyName || location.host}`);
    // The small calls go first (a router answers them in a few milliseconds), then, with one connection service (it is
    // the primary whatever its status says), its table at once instead of after them: the listing is the long wait
    // of a scan with a large table.
    const single = connections.length === 1;
    const externalEarly = single ? getExternalIpAddress(firstConnection, callOptions) : undefined;
    externalEarly?.catch(() => undefined);
    const smallCalls = Promise.allSettled([
      firewallService ? getFirewallStatus(firewallService, callOptions) : Promise.resolve(undefined),
      ...connections.map((service) => getStatusInfo(service, callOptions)),
    ]);
    const early = single ? enumerate(firstConnection, options.maxMappings) : undefined;
    early?.catch(() => undefined);
    const [firewall, ...statuses] = await smallCalls;
    const primaryIndex = pickPrimary(statuses);
    const primary = connections[primaryIndex] ?? firstConnection;
    gateway.connectionService = primary.serviceType;
    statuses.forEach((status, index) => {
      if (status.status === 'fulfilled') {
        if (index !== primaryIndex) return;
        gateway.connectionStatus = status.value.connectionStatus;
        gateway.uptimeSeconds = status.value.uptimeSeconds;
        return;
      }
      rethrowIfCancelled(status.reason);
      const service = connections[index];
      gateway.errors.push(warningFrom(status.reason, connections.length > 1 && service ? `GetStatusInfo (${service.serviceType})` : 'GetStatusInfo'));
    });
    if (firewall.status === 'fulfilled' && firewall.value) gateway.firewall = firewall.value;
    else if (firewall.status === 'rejected') {
      rethrowIfCancelled(firewall.reason);
      gateway.errors.push(warningFrom(firewall.reason, 'GetFirewallStatus'));
    }
    try {
      const externalIp = await (externalEarly ?? getExternalIpAddress(primary, callOptions));
      gateway.externalIp = externalIp;
      gateway.externalIpClass = classifyIPv4(externalIp);
    } catch (error) {
      rethrowIfCancelled(error);
      gateway.errors.push(warningFrom(error, 'GetExternalIPAddress'));
    }

    context.progress(`Listing port mappings on ${description.friendlyName || location.host}`);
    // Different connection services keep different tables; distinct control URLs are read one after another.
    const seenControl = new Set<string>();
    let remaining = options.maxMappings;
    // The primary first, so a --max-mappings budget is spent on the connection that carries the traffic.
    for (const service of [primary, ...connections.filter((service) => service !== primary)]) {
      if (seenControl.has(service.controlUrl.href) || remaining <= 0) continue;
      seenControl.add(service.controlUrl.href);
      const result = await (service === firstConnection && early ? early : enumerate(service, remaining));
      remaining -= result.mappings.length;
      const mappings: Mapping[] = result.mappings.map((mapping) => ({
        ...mapping,
        internalClientOnLan: context.scope.isOnLan(mapping.internalClient),
        service: service.serviceType,
      }));
      gateway.mappings.push(...mappings);
      gateway.mappingsTruncated ||= result.truncated;
      gateway.errors.push(...result.warnings);
      if (service === primary) gateway.enumeration = result.enumeration;
    }
    return gateway;
  } finally {
    agent.destroy();
  }
}
