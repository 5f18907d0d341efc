/**
 * The agent's answer, bounded the same way on both sides: the agent keeps to it, the scanner refuses more.
 * test/server/agent-full-range.test.ts checks the response schema's maxItems against these.
 */

/** One entry per TCP port (65,535 with `--ports all`) and the two UDP checks (SSDP 1900, NAT-PMP 5351). */
export const AGENT_MAX_PORT_ENTRIES = 65_535 + 2;

/**
 * What the agent aims its answer at: 65,535 port states take about 3.3 MB; banners and service names of a host
 * that answers on every port (a tarpit, portspoof) could take 100 MB, so the agent drops port details first.
 */
export const AGENT_RESPONSE_BUDGET_BYTES = 8 * 1024 * 1024;

/** What the scanner reads at most: twice the agent's budget, so an agent of another version still fits. */
export const AGENT_MAX_RESPONSE_BYTES = 2 * AGENT_RESPONSE_BUDGET_BYTES;
