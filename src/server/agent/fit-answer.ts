import type { AgentScanResponse } from '../../core/agent.generated.js';

type Port = AgentScanResponse['ports'][number];

const MAX_WARNINGS = 100;

/**
 * The answer's size in JSON, or a little more (commas counted generously), counted port by port and given up
 * once over `budget`: a whole answer of a hostile host could be more than V8's longest string.
 */
function fits(answer: AgentScanResponse, budget: number): boolean {
  const { ports, ...rest } = answer;
  let total = Buffer.byteLength(JSON.stringify(rest)) + '"ports":[],'.length + ports.length;
  for (const port of ports) {
    total += Buffer.byteLength(JSON.stringify(port));
    if (total > budget) return false;
  }
  return true;
}

function withWarning(answer: AgentScanResponse, warning: string): AgentScanResponse {
  return { ...answer, warnings: [...answer.warnings.slice(0, MAX_WARNINGS - 1), warning] };
}

function tcpOnly(answer: AgentScanResponse, keep: (port: Port) => Port): AgentScanResponse {
  return { ...answer, ports: answer.ports.map((port) => (port.protocol === 'TCP' ? keep(port) : port)) };
}

/**
 * Keeps an answer within `budget` bytes of JSON. Every port state always stays (they are the answer; 65,537 of
 * them take about 3.3 MB); what goes first is what a host can make as large as it likes: TCP banners, then
 * service names, products and versions. The answer says so in its warnings.
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
