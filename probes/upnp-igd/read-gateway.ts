import { httpRequest } from '../../src/net/http.js';
import { parseDeviceDescription, CONNECTION_SERVICE_TYPES, SERVICE_TYPES, type DescribedService } from '../../src/net/igd-description.js';
import { enumerateMappings, gatewayAgent, getExternalIpAddress, getFirewallStatus, getStatusInfo, warningFrom } from '../../src/net/igd-client.js';
import { classifyIPv4 } from '../../src/core/address.js';
import { createError, isExposureError } from '../../src/core/errors.js';
import type { ProbeContext } from '../../src/core/probe.js';
import type { Gateway, Mapping } from '../../src/core/report.generated.js';

function rethrowIfCancelled(error: unknown): void {
  if (isExposureError(error) && (error.code === 'EXP_ERR_ABORTED' || error.code === 'EXP_ERR_TIMEOUT')) throw error;
}

/** Prefers the newest WANIPConnection, then PPP: the one a router's NAT actually uses is almost always IP. */
function pickConnectionService(services: readonly DescribedService[]): DescribedService[] {
  return services
    .filter((service) => CONNECTION_SERVICE_TYPES.includes(service.serviceType))
    .sort((a, b) => CONNECTION_SERVICE_TYPES.indexOf(a.serviceType) - CONNECTION_SERVICE_TYPES.indexOf(b.serviceType));
}

/**
 * Reads one IGD: description, then every connection service (a router can have both an IP and a PPP connection,
 * each with its own mappings), external IP, status, IPv6 firewall status. Failures of one action become errors on
 * the gateway, not a failed scan: a partial picture with its gaps named is more useful than none.
 */
export async function readGateway(location: URL, address: string, server: string | undefined, context: ProbeContext): Promise<Gateway> {
  const { options, signal } = context;
  const agent = gatewayAgent(options.maxInFlight);
  const callOptions = { signal, requestTimeoutMs: options.requestTimeoutMs, agent };
  try {
    const response = await httpRequest(location, { signal, timeoutMs: options.requestTimeoutMs, agent });
    if (response.status !== 200) {
      throw createError('EXP_ERR_HTTP_STATUS', `${location.href} answered HTTP ${response.status} instead of a device description`, { httpStatus: response.status });
    }
    const description = parseDeviceDescription(response.body.toString('utf8'), location);
    const gateway: Gateway = {
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

    const connections = pickConnectionService(description.services);
    const primary = connections[0];
    if (!primary) {
      gateway.errors.push({ code: 'EXP_ERR_IGD_NO_CONNECTION_SERVICE', message: `${location.href} describes no WANIPConnection or WANPPPConnection service` });
      return gateway;
    }
    gateway.connectionService = primary.serviceType;
    const firewallService = description.services.find((service) => service.serviceType === SERVICE_TYPES.wanIpv6FirewallControl1);

    context.progress(`Reading ${description.friendlyName || location.host}`);
    const [externalIp, status, firewall] = await Promise.allSettled([
      getExternalIpAddress(primary, callOptions),
      getStatusInfo(primary, callOptions),
      firewallService ? getFirewallStatus(firewallService, callOptions) : Promise.resolve(undefined),
    ]);
    if (externalIp.status === 'fulfilled') {
      gateway.externalIp = externalIp.value;
      gateway.externalIpClass = classifyIPv4(externalIp.value);
    } else {
      rethrowIfCancelled(externalIp.reason);
      gateway.errors.push(warningFrom(externalIp.reason, 'GetExternalIPAddress'));
    }
    if (status.status === 'fulfilled') {
      gateway.connectionStatus = status.value.connectionStatus;
      gateway.uptimeSeconds = status.value.uptimeSeconds;
    } else {
      rethrowIfCancelled(status.reason);
      gateway.errors.push(warningFrom(status.reason, 'GetStatusInfo'));
    }
    if (firewall.status === 'fulfilled' && firewall.value) gateway.firewall = firewall.value;
    else if (firewall.status === 'rejected') {
      rethrowIfCancelled(firewall.reason);
      gateway.errors.push(warningFrom(firewall.reason, 'GetFirewallStatus'));
    }

    context.progress(`Listing port mappings on ${description.friendlyName || location.host}`);
    // Different connection services keep different tables; distinct control URLs are read one after another.
    const seenControl = new Set<string>();
    let remaining = options.maxMappings;
    for (const service of connections) {
      if (seenControl.has(service.controlUrl.href) || remaining <= 0) continue;
      seenControl.add(service.controlUrl.href);
      const result = await enumerateMappings(service, {
        ...callOptions,
        method: options.enumeration,
        maxMappings: remaining,
        deadline: context.deadline,
        maxInFlight: options.maxInFlight,
      });
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
