import type { Exposure, ExposureReport, Severity } from '../core/report.generated.js';
import { escapeHtml as h } from './escape.js';
import { exposureWords, reachabilityText, severityLabel } from './words.js';
import { coverageOf } from './coverage-of.js';

/**
 * The exposure diagram as inline SVG: internet -> router(s) -> door (protocol and port, coloured by severity) ->
 * the host behind it. Drawn from report.exposures only (the engine's list, worst first); the layout is the only
 * thing computed here. Every label passes through the one escaping function.
 */

export const SEVERITY_COLOURS: Readonly<Record<Severity, string>> = { critical: '#b00020', high: '#d84315', medium: '#b7791f', low: '#0277bd', info: '#616161' };

/** More doors than this are listed in the tables, not drawn: a thousand-row SVG helps nobody. */
export const DIAGRAM_LIMIT = 40;

const ROW = 46;
const TOP = 40;
const COLUMN = { internet: 10, router: 190, door: 400, host: 650 } as const;
const WIDTH = { internet: 130, router: 160, door: 200, host: 230 } as const;
function cut(text: string, chars: number): string {
  return text.length > chars ? `${text.slice(0, chars - 1)}…` : text;
}

interface Group<T> {
  key: string;
  items: T[];
}

/** Keeps first-appearance order, so the worst door's router and host come first. */
function groupBy<T>(items: readonly T[], keyOf: (item: T) => string): Group<T>[] {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(keyOf(item), [...(groups.get(keyOf(item)) ?? []), item]);
  return [...groups].map(([key, grouped]) => ({ key, items: grouped }));
}

function routerLines(report: ExposureReport, address: string | null): string[] {
  const wan = report.wan.address ? `WAN ${report.wan.address}` : '';
  if (address === null) return ['Router or upstream', 'no UPnP mapping', wan];
  const gateway = report.gateways.find((candidate) => candidate.address === address);
  return [gateway?.friendlyName || gateway?.modelName || 'Router', `LAN ${address}`, gateway?.externalIp ? `WAN ${gateway.externalIp}` : wan];
}

function box(x: number, y: number, width: number, height: number, fill: string, stroke: string, lines: readonly string[], title: string, attributes: string): string {
  // About 7 px per character at this size; the full text is in the title (tooltip) and the tables.
  const text = lines.filter(Boolean).map((line, index) => `<text x="${x + 10}" y="${y + 18 + index * 15}" class="${index === 0 ? 'strong' : 'small'}">${h(cut(line, Math.floor((width - 16) / (index === 0 ? 8 : 7))))}</text>`).join('');
  return `<g ${attributes}><title>${h(title)}</title><rect x="${x}" y="${y}" width="${width}" height="${height}" rx="8" fill="${fill}" stroke="${stroke}" stroke-width="1.5"/>${text}</g>`;
}

function line(x1: number, y1: number, x2: number, y2: number, colour: string, dashed: boolean, width = 2): string {
  return `<path d="M${x1} ${y1} C${(x1 + x2) / 2} ${y1}, ${(x1 + x2) / 2} ${y2}, ${x2} ${y2}" fill="none" stroke="${colour}" stroke-width="${width}"${dashed ? ' stroke-dasharray="6 5"' : ''}/>`;
}

function notOpen(door: Exposure): boolean {
  return door.reachability === 'closed' || door.reachability === 'filtered';
}

export function renderDiagram(report: ExposureReport): string {
  const all = report.exposures ?? [];
  if (all.length === 0) {
    // Only as much as was looked at: an incomplete scan or one without an outside view is no all-clear.
    const coverage = coverageOf(report);
    const sentence = !coverage.complete
      ? 'No door seen, but the scan is incomplete (see above): this is not an all-clear.'
      : report.wan.vantage === 'agent'
        ? 'No door from the internet was found: no UPnP mapping, no open port on the external address.'
        : 'No UPnP mapping was found; the external address was not scanned from the internet (use --vantage).';
    return `<svg xmlns="http://www.w3.org/2000/svg" class="diagram" role="img" viewBox="0 0 900 90" width="900" height="90" aria-label="${h(sentence)}"><text x="20" y="50" class="strong">${h(sentence)}</text></svg>`;
  }
  const shown = all.slice(0, DIAGRAM_LIMIT);
  const routers = groupBy(shown, (door) => door.gateway ?? '');
  // Within a router, doors to the same host sit together so the host box can span them.
  const rows: Array<{ door: Exposure; router: string; host: string }> = [];
  for (const router of routers) for (const host of groupBy(router.items, (door) => `${door.via}|${door.internalClient ?? ''}`)) for (const door of host.items) rows.push({ door, router: router.key, host: `${router.key}|${host.key}` });
  const height = TOP + rows.length * ROW + 30;
  const parts: string[] = [];
  const internetY = TOP + (rows.length * ROW) / 2 - 22;
  parts.push(box(COLUMN.internet, internetY, WIDTH.internet, 44, '#eceff1', '#455a64', ['Internet', report.wan.vantage === 'agent' ? 'as the agent saw it' : ''], 'The internet', 'class="node internet"'));
  for (const router of groupBy(rows, (entry) => entry.router)) {
    const first = rows.findIndex((entry) => entry.router === router.key);
    const top = TOP + first * ROW;
    const span = router.items.length * ROW - 8;
    const worst = router.items[0]?.door.severity ?? 'info';
    parts.push(line(COLUMN.internet + WIDTH.internet, internetY + 22, COLUMN.router, top + span / 2, SEVERITY_COLOURS[worst], false, 3));
    const lines = routerLines(report, router.key === '' ? null : router.key);
    parts.push(box(COLUMN.router, top, WIDTH.router, span, '#fafafa', '#455a64', lines, lines.join(', '), `class="node router" data-router="${h(router.key)}"`));
  }
  for (const host of groupBy(rows, (entry) => entry.host)) {
    const sample = host.items[0];
    if (!sample) continue;
    const first = rows.indexOf(sample);
    const top = TOP + first * ROW;
    const span = host.items.length * ROW - 8;
    const name = exposureWords({ ...sample.door, internalPort: null });
    // Doors are worst first, so the first one's label names the host by what matters most about it.
    const labels = sample.door.via === 'router' ? [] : [...new Set(host.items.map((entry) => entry.door.label))];
    parts.push(box(COLUMN.host, top, WIDTH.host, span, '#fafafa', SEVERITY_COLOURS[sample.door.severity], [name, ...labels.slice(0, Math.max(1, host.items.length * 3 - 1))], `${name}: ${labels.join('; ')}`, `class="node host" data-host="${h(sample.door.internalClient ?? sample.door.via)}"`));
  }
  rows.forEach(({ door }, index) => {
    const y = TOP + index * ROW;
    const colour = SEVERITY_COLOURS[door.severity];
    const routerRow = rows.findIndex((entry) => entry.router === rows[index]?.router);
    const routerSpan = rows.filter((entry) => entry.router === rows[index]?.router).length * ROW - 8;
    parts.push(line(COLUMN.router + WIDTH.router, TOP + routerRow * ROW + routerSpan / 2, COLUMN.door, y + 19, colour, notOpen(door)));
    parts.push(line(COLUMN.door + WIDTH.door, y + 19, COLUMN.host, y + 19, colour, notOpen(door)));
    const title = `${severityLabel(door.severity)}: ${door.protocol} ${door.externalPort} -> ${exposureWords(door)}, ${reachabilityText(door.reachability)}; ${door.label}`;
    parts.push(
      box(COLUMN.door, y, WIDTH.door, 38, notOpen(door) ? '#ffffff' : colour, colour, [`${door.protocol} ${door.externalPort}${door.internalPort !== null && door.internalPort !== door.externalPort ? ` → ${door.internalPort}` : ''}  ${severityLabel(door.severity)}`, reachabilityText(door.reachability)], title, `class="door sev-${door.severity}${notOpen(door) ? ' shut' : ''}" data-door="${h(door.key)}" data-severity="${door.severity}"`),
    );
  });
  const more = all.length - shown.length;
  if (more > 0) parts.push(`<text x="${COLUMN.door}" y="${height - 10}" class="small">and ${more} more door${more === 1 ? '' : 's'}, listed in the table below</text>`);
  return `<svg xmlns="http://www.w3.org/2000/svg" class="diagram" role="img" viewBox="0 0 900 ${height}" width="900" height="${height}" aria-label="Exposure diagram: ${all.length} door${all.length === 1 ? '' : 's'} from the internet">${parts.join('')}</svg>`;
}
