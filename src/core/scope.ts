import net from 'node:net';
import { isHostInCidr, isInCidr } from './address.js';
import { createError } from './errors.js';
import type { LocalNetwork } from './report.generated.js';

const MAX_REMEMBERED = 4096;

/**
 * The one place that decides which addresses a scan may touch. Probes ask it; nothing else decides.
 * On the LAN side that is: the machine's own subnets (and loopback, for a gateway the user names on this host),
 * and a description URL only on the very host that answered discovery.
 */
export class Scope {
  /** Answers by address: a table of 1,000 mappings names the same few clients over and over. Bounded. */
  private readonly onLanAnswers = new Map<string, boolean | null>();

  constructor(readonly localNetworks: readonly LocalNetwork[]) {}

  /** A host address on loopback or one of this machine's subnets (never a subnet's network or broadcast address). */
  isLocal(address: string): boolean {
    if (!net.isIPv4(address)) return false;
    return isInCidr(address, '127.0.0.0/8') || this.localNetworks.some((network) => isHostInCidr(address, network.cidr));
  }

  /** Whether the internal client of a mapping sits on one of this machine's subnets (null: nothing to compare with). */
  isOnLan(address: string): boolean | null {
    const known = this.onLanAnswers.get(address);
    if (known !== undefined) return known;
    const answer = this.localNetworks.length === 0 ? null : net.isIPv4(address) && this.localNetworks.some((network) => isInCidr(address, network.cidr));
    if (this.onLanAnswers.size < MAX_REMEMBERED) this.onLanAnswers.set(address, answer);
    return answer;
  }

  /**
   * A LOCATION from SSDP is fetched only when it names, by IP address, the host that answered. Otherwise any LAN
   * device could make the scanner request a URL of its choosing (another host, or a service on this machine).
   */
  descriptionUrlRefusal(location: string, answeredFrom: string): string | undefined {
    let url: URL;
    try {
      url = new URL(location);
    } catch {
      return 'LOCATION is not a valid URL';
    }
    if (url.protocol !== 'http:') return `LOCATION uses ${url.protocol}, not http:`;
    // The source address of a UDP answer can be forged by any LAN host: it proves nothing unless it is local too.
    if (!this.isLocal(answeredFrom)) return `the answer came from ${answeredFrom}, which is not on a network this machine is attached to`;
    if (url.hostname !== answeredFrom) return `LOCATION names ${url.hostname}, but the answer came from ${answeredFrom}`;
    if (url.username || url.password) return 'LOCATION carries credentials';
    return undefined;
  }

  /**
   * Without an agent, the external address may be scanned from inside (hairpin NAT), but only the one reported by
   * the router the user named (--gateway) or the default gateway: any LAN device can pose as an IGD and "report"
   * a stranger's address, and this machine must never scan a stranger.
   */
  localVantageTarget(gateway: { address: string; externalIp: string | null }, defaultGateways: readonly string[], namedGateway: string | undefined): string | undefined {
    if (!gateway.externalIp || !net.isIPv4(gateway.externalIp)) return undefined;
    const trusted = namedGateway !== undefined ? gateway.address === namedGateway : defaultGateways.includes(gateway.address);
    return trusted ? gateway.externalIp : undefined;
  }

  /**
   * --nas ADDRESS: the user names a NAS to fingerprint. Only an IPv4 literal on one of this machine's subnets (or
   * loopback): a name could resolve anywhere, and a scan must never probe someone else's machine.
   */
  checkNasAddress(address: string): string {
    if (!net.isIPv4(address)) {
      throw createError('EXP_ERR_NAS_NOT_ALLOWED', `--nas ${address} is not an IPv4 address`, { hint: 'Give the NAS by its LAN IPv4 address, e.g. --nas 192.168.1.20 (names are refused: DNS could point anywhere).' });
    }
    if (!this.isLocal(address)) {
      throw createError('EXP_ERR_NAS_NOT_ALLOWED', `--nas ${address} is not on a network this machine is attached to`, {
        hint: 'exposure-scanner only fingerprints devices on your own network; give the NAS by its LAN address.',
      });
    }
    return address;
  }

  /**
   * Whether the fingerprint probes may visit a mapping's internal client: only on one of this machine's own
   * subnets. Any LAN program can write a mapping, so a client elsewhere (another subnet, the internet, this
   * machine's loopback) is reported by the rules, never visited. A router that itself answers on loopback (a
   * test rig, or a tunnel) is the other way round: only its loopback clients are visited, so a rig on this machine
   * can never send the probes onto a real network.
   */
  mappingClientAllowed(client: string, gatewayAddress: string): boolean {
    if (!net.isIPv4(client)) return false;
    const loopbackGateway = isInCidr(gatewayAddress, '127.0.0.0/8');
    if (isInCidr(client, '127.0.0.0/8') || loopbackGateway) return loopbackGateway && isInCidr(client, '127.0.0.0/8');
    return this.isOnLan(client) === true;
  }

  /** --gateway URL: an http URL whose host is an IPv4 literal on a local subnet or loopback. */
  checkGatewayUrl(raw: string): URL {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw createError('EXP_ERR_USAGE', `--gateway ${raw} is not a URL`, { hint: 'Pass the device description URL, e.g. --gateway http://192.168.1.1:5000/rootDesc.xml' });
    }
    if (url.protocol !== 'http:') throw createError('EXP_ERR_USAGE', `--gateway must be an http: URL, not ${url.protocol}`, { hint: 'UPnP device descriptions are served over plain http.' });
    if (!this.isLocal(url.hostname)) {
      throw createError('EXP_ERR_URL_NOT_ALLOWED', `--gateway host ${url.hostname} is not on a network this machine is attached to`, {
        hint: 'Give the router by its LAN IP address (not a name); exposure-scanner only talks to devices on your own network.',
      });
    }
    if (url.username || url.password) {
      throw createError('EXP_ERR_URL_NOT_ALLOWED', '--gateway must not carry a user name or password', { hint: 'exposure-scanner never sends credentials; give the description URL without user:password@.' });
    }
    return url;
  }
}
