import { isHostInCidr } from '../../src/core/address.js';
import { classifyIpv6, prefix64 } from './address.js';

/**
 * Which IPv6 addresses an mDNS answer may add: global unicast inside one of this host's own global /64s. Any device
 * on the LAN can answer anything; without this it could make the scan list (and ask the agent about) somebody
 * else's address. The agent refuses addresses outside the caller's /64 too; this keeps them out of the report.
 */
export function acceptIpv6FromMdns(ownPrefixes: ReadonlySet<string>, allowDocumentation: boolean): (address: string) => boolean {
  return (address) => {
    const { class: kind, canonical } = classifyIpv6(address, allowDocumentation);
    return kind === 'global' && canonical !== undefined && ownPrefixes.has(prefix64(canonical) ?? '');
  };
}

/** IPv4 addresses from mDNS only inside the scanned interface's own subnets: they tie an IPv6 address to a NAS. */
export function acceptIpv4FromMdns(ownCidrs: readonly string[]): (address: string) => boolean {
  return (address) => ownCidrs.some((cidr) => isHostInCidr(address, cidr));
}
