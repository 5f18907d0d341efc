import { natPmpExternalAddress } from '../../src/net/natpmp.js';
import { classifyIPv4 } from '../../src/core/address.js';
import { now, observationsOf, type Observation } from '../../src/core/observation.js';
import type { ProbeAction, ProbeContext } from '../../src/core/probe.js';

/** Gateways worth asking: the IGDs found, then the default routes; all on the LAN by construction. */
function candidates(context: ProbeContext): string[] {
  const addresses = new Set<string>();
  for (const gateway of observationsOf(context.observations, 'gateway')) addresses.add(gateway.data.address);
  if (context.options.gatewayUrl) addresses.add(new URL(context.options.gatewayUrl).hostname);
  for (const local of observationsOf(context.observations, 'local-networks')) for (const gateway of local.data.defaultGateways) addresses.add(gateway);
  return [...addresses].filter((address) => context.scope.isLocal(address)).slice(0, 4);
}

/**
 * NAT-PMP (RFC 6886): one external-address request per gateway. Its presence matters because, like UPnP, it lets
 * any LAN program open ports without the owner's knowledge; QNAP's Auto Router Configuration uses either.
 */
export const natPmpProbe: ProbeAction = {
  appliesTo: (context) => candidates(context).length > 0,
  async run(context: ProbeContext): Promise<Observation[]> {
    const gateways = candidates(context);
    context.progress(`Asking ${gateways.join(', ')} for NAT-PMP`);
    const answers = await Promise.all(
      gateways.map(async (gateway) => ({ gateway, answer: await natPmpExternalAddress(gateway, { signal: context.signal, timeoutMs: Math.min(1000, context.options.requestTimeoutMs) }) })),
    );
    return answers.map(({ gateway, answer }): Observation => ({
      probe: 'nat-pmp',
      kind: 'nat-pmp',
      subject: gateway,
      at: now(),
      data: answer
        ? {
            present: true,
            checked: true,
            gateway,
            externalIp: answer.externalIp,
            externalIpClass: classifyIPv4(answer.externalIp),
            resultCode: answer.resultCode,
            ...(answer.epochSeconds !== null ? { epochSeconds: answer.epochSeconds } : {}),
            ...(answer.version === 2 ? { pcp: true } : {}),
          }
        : { present: false, checked: true, gateway, externalIp: null },
    }));
  },
};
