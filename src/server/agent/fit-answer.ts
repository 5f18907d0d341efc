import type { AgentScanResponse } from '../../core/agent.generated.js';

type Port = AgentScanResponse['ports'][number];

const MAX_WARNINGS = 100;

/** Every port list of the answer: the caller's and, for IPv6 targets, each host's. */
function portLists(answer: AgentScanResponse): Port[][] {
  return [answer.ports, ...(answer.hosts ?? []).map((host) => host.ports)];
}

/**
 * The answer's size in JSON, or a little more (commas counted generously), counted port by port and given up
 * once over `budget`: a whole answer of a hostile host could be more than V8's longest string.
 */
function fits(answer: AgentScanResponse, budget: number): boolean {
  // Everything but the port lists (the hosts kept with empty ones): the ports are counted below, one by one.
  const rest: Partial<AgentScanResponse> = { ...answer };
  delete rest.ports;
  const shells = answer.hosts?.map((host) => ({ ...host, ports: [] }));
  delete rest.hosts;
  let total = Buffer.byteLength(JSON.stringify(shells ? { ...rest, hosts: shells } : rest)) + '"ports":[],'.length;
  for (const list of portLists(answer)) {
    total += list.length;
    for (const port of list) {
      total += Buffer.byteLength(JSON.stringify(port));
      if (total > budget) return false;
    }
  }
  return total <= budget;
}

function withWarning(answer: AgentScanResponse, warning: string): AgentScanResponse {
  return { ...answer, warnings: [...answer.warnings.slice(0, MAX_WARNINGS - 1), warning] };
}

function tcpOnly(answer: AgentScanResponse, keep: (port: Port) => Port): AgentScanResponse {
  const map = (ports: Port[]): Port[] => ports.map((port) => (port.protocol === 'TCP' ? keep(port) : port));
  return { ...answer, ports: map(answer.ports), ...(answer.hosts ? { hosts: answer.hosts.map((host) => ({ ...host, ports: map(host.ports) })) } : {}) };
}

/**
 * Keeps an answer within `budget` bytes of JSON. Every port state always stays (they are the answer; 65,537 of
 * them take about 3.3 MB, and the agent never scans more than --max-ports over all targets); what goes first is
 * what a host can make as large as it likes: TCP banners, then service names, products and versions. The answer
 * says so in its warnings.
 */
export function fitAnswer(answer: AgentScanResponse, budget: number): AgentScanResponse {
  if (fits(answer, budget)) return answer;
  const noBanners = withWarning(tcpOnly(answer, (port) => {
      const rest = { ...port };
      delete rest.banner;
      return rest;
    }), `TCP banners were left out: with them the answer would be larger than the agent sends (${budget} bytes)`);
  if (fits(noBanners, budget)) return noBanners;
  const statesOnly = withWarning(
    tcpOnly(answer, ({ port, protocol, state }) => ({ port, protocol, state })),
    `TCP banners, services, products and versions were left out: with them the answer would be larger than the agent sends (${budget} bytes)`,
  );
  if (fits(statesOnly, budget)) return statesOnly;
  // Only the engine's warnings are left to shed (the rest is bounded by the schema and small).
  return withWarning({ ...statesOnly, warnings: [] }, `Port details and the engine's warnings were left out to keep the answer within ${budget} bytes`);
}
