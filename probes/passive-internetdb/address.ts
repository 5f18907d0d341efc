import { classifyIPv4 } from '../../src/core/address.js';
import { observationsOf, type Observation } from '../../src/core/observation.js';

export type WanAddressChoice = { address: string; from: 'agent' | 'igd' } | { address: null; reason: string };

/**
 * The one address the passive view may send to a third party: the WAN IPv4 address as the vantage agent saw it,
 * else the router's external address (GetExternalIPAddress), and only when it is public. Never a LAN address, a
 * reserved or carrier-grade NAT one, nor any address a device named in another answer (a mapping's client, a
 * remote host, a DDNS record): those are not this home's address on the internet, or not ours to send.
 */
export function chooseWanAddress(observations: readonly Observation[]): WanAddressChoice {
  const wan = observationsOf(observations, 'wan')[0]?.data;
  if (wan?.vantage === 'agent' && wan.address !== null) {
    const kind = classifyIPv4(wan.address);
    return kind === 'public' ? { address: wan.address, from: 'agent' } : { address: null, reason: `the vantage agent saw a ${kind} address` };
  }
  const external = [...new Set(observationsOf(observations, 'gateway').map((gateway) => gateway.data.externalIp).filter((address): address is string => address !== null))];
  const publicOnes = external.filter((address) => classifyIPv4(address) === 'public');
  if (publicOnes.length === 1 && publicOnes[0] !== undefined) return { address: publicOnes[0], from: 'igd' };
  if (publicOnes.length > 1) return { address: null, reason: `the routers report ${publicOnes.length} different public addresses; scan with --vantage to learn which one the internet sees` };
  if (external.length > 0) return { address: null, reason: `the router's external address is ${classifyIPv4(external[0])}, not the address the internet sees; scan with --vantage` };
  return { address: null, reason: 'no vantage agent and no UPnP router told the external address' };
}
