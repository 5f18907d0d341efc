import { getFirewallStatus, warningFrom } from './igd-client.js';
import { SERVICE_TYPES } from './igd-description.js';
import { isExposureError } from '../core/errors.js';
import type { ObservationKinds } from '../core/observation.js';
import type { Gateway } from '../core/report.generated.js';

/** A router's IPv6 firewall as its IGD tells it: the ipv6-lan probe's observation (probes/ipv6-lan/manifest.ts). */
export type Ipv6FirewallReading = ObservationKinds['ipv6-firewall'];

/**
 * The service's control URL, only when it is on the router's own origin (scheme, host and port of the description
 * it was read from): a description may name any URL, and a SOAP call to another host would let a LAN device steer
 * this scanner anywhere. The description parser already refuses other hosts; this holds for stored gateways too.
 */
export function firewallControl(gateway: Gateway): URL | undefined {
  const service = gateway.services.find((entry) => entry.serviceType === SERVICE_TYPES.wanIpv6FirewallControl1);
  if (!service) return undefined;
  try {
    const control = new URL(service.controlUrl);
    return control.origin === new URL(gateway.location).origin ? control : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Reads the IPv6 firewall status of one router. The UPnP probe already asks every router with a WAN connection
 * service; a router that describes no such service (an IPv6-only or bridge-mode IGD) is not asked there, so it is
 * asked here, once, with the same bounded SOAP client. There is no action that lists pinholes (research sheet 2.2):
 * what is open is seen only by scanning from outside.
 */
export async function readIpv6Firewall(gateway: Gateway, options: { signal: AbortSignal; requestTimeoutMs: number }): Promise<Ipv6FirewallReading> {
  const base = { gateway: gateway.address, ...(gateway.friendlyName ? { friendlyName: gateway.friendlyName.slice(0, 200) } : {}) };
  const offered = gateway.services.some((entry) => entry.serviceType === SERVICE_TYPES.wanIpv6FirewallControl1);
  if (gateway.firewall) return { ...base, offered: true, ...gateway.firewall, readBy: 'upnp-igd' };
  if (!offered) return { ...base, offered: false, enabled: null, inboundPinholeAllowed: null, readBy: 'none' };
  const earlier = gateway.errors.find((error) => error.message.startsWith('GetFirewallStatus'));
  if (earlier) return { ...base, offered, enabled: null, inboundPinholeAllowed: null, readBy: 'upnp-igd', error: earlier };
  const controlUrl = firewallControl(gateway);
  if (!controlUrl) {
    return { ...base, offered, enabled: null, inboundPinholeAllowed: null, readBy: 'none', error: { code: 'EXP_ERR_IGD_UNREADABLE', message: "GetFirewallStatus: the service's control URL is not on the router's own address, so it was not called" } };
  }
  try {
    const status = await getFirewallStatus({ controlUrl, serviceType: SERVICE_TYPES.wanIpv6FirewallControl1 }, { signal: options.signal, requestTimeoutMs: options.requestTimeoutMs });
    return { ...base, offered, ...status, readBy: 'ipv6-lan' };
  } catch (error) {
    if (isExposureError(error) && (error.code === 'EXP_ERR_ABORTED' || error.code === 'EXP_ERR_TIMEOUT') && options.signal.aborted) throw error;
    return { ...base, offered, enabled: null, inboundPinholeAllowed: null, readBy: 'ipv6-lan', error: warningFrom(error, 'GetFirewallStatus') };
  }
}
