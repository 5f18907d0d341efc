/**
 * The SOAP answers both loopback routers give (test/support/fake-igd.ts, shapes recorded from miniupnpd 2.3.1;
 * test/support/fake-real-router.ts, real devices' descriptions): one writer, so the two fakes cannot drift apart.
 */
import type { FakeMapping } from './fake-igd.js';

export const xmlEscape = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function envelope(action: string, serviceType: string, inner: string): string {
  return `<?xml version="1.0"?>\r\n<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" s:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"><s:Body><u:${action}Response xmlns:u="${serviceType}">${inner}</u:${action}Response></s:Body></s:Envelope>\r\n`;
}

export function fault(code: number, description: string): string {
  return `<?xml version="1.0"?>\r\n<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" s:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"><s:Body><s:Fault><faultcode>s:Client</faultcode><faultstring>UPnPError</faultstring><detail><UPnPError xmlns="urn:schemas-upnp-org:control-1-0"><errorCode>${code}</errorCode><errorDescription>${description}</errorDescription></UPnPError></detail></s:Fault></s:Body></s:Envelope>\r\n`;
}

/** An action's argument as the client sent it (the fakes read only simple values). */
export function argument(body: string, name: string): string | undefined {
  return new RegExp(`<${name}>([^<]*)</${name}>`).exec(body)?.[1];
}

/** GetGenericPortMappingEntry's out-arguments; `description` is the description as the fake writes it (escaped, or raw as miniupnpd does). */
export function genericEntry(entry: FakeMapping, description: string): string {
  return `<NewRemoteHost>${entry.remoteHost ?? ''}</NewRemoteHost><NewExternalPort>${entry.externalPort}</NewExternalPort><NewProtocol>${entry.protocol}</NewProtocol><NewInternalPort>${entry.internalPort}</NewInternalPort><NewInternalClient>${entry.internalClient}</NewInternalClient><NewEnabled>${entry.enabled === false ? 0 : 1}</NewEnabled><NewPortMappingDescription>${description}</NewPortMappingDescription><NewLeaseDuration>${entry.leaseDuration ?? 0}</NewLeaseDuration>`;
}

/** GetListOfPortMappings: the mappings the request's port range, protocol and count select, in port order. */
export function listedMappings(mappings: readonly FakeMapping[], body: string): FakeMapping[] {
  const start = Number(argument(body, 'NewStartPort'));
  const end = Number(argument(body, 'NewEndPort'));
  const protocol = argument(body, 'NewProtocol');
  const count = Number(argument(body, 'NewNumberOfPorts'));
  return mappings
    .filter((mapping) => mapping.protocol === protocol && mapping.externalPort >= start && mapping.externalPort <= end)
    .sort((a, b) => a.externalPort - b.externalPort)
    .slice(0, count);
}

/** One <p:PortMappingEntry> of a listing. */
export function listingEntry(entry: FakeMapping, description: string): string {
  return `<p:PortMappingEntry><p:NewRemoteHost>${entry.remoteHost ?? ''}</p:NewRemoteHost><p:NewExternalPort>${entry.externalPort}</p:NewExternalPort><p:NewProtocol>${entry.protocol}</p:NewProtocol><p:NewInternalPort>${entry.internalPort}</p:NewInternalPort><p:NewInternalClient>${entry.internalClient}</p:NewInternalClient><p:NewEnabled>${entry.enabled === false ? 0 : 1}</p:NewEnabled><p:NewDescription>${description}</p:NewDescription><p:NewLeaseTime>${entry.leaseDuration ?? 0}</p:NewLeaseTime></p:PortMappingEntry>\n`;
}
