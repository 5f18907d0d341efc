import type { Coverage, ExposureReport } from '../core/report.generated.js';

/**
 * A report's coverage. Reports stored before coverage was recorded (schema 1.0 histories) have none; theirs is
 * read from what they hold, as the scan then saw it: an agent that answered is an outside view, one that was named
 * and did not answer is a failed one, a router read is an inside view.
 */
export function coverageOf(report: ExposureReport): Coverage {
  // Typed as required for new reports; old stored ones are parsed from JSON without it.
  const recorded = (report as { coverage?: Coverage }).coverage;
  if (recorded) return sameStateAsNow(recorded);
  const { wan } = report;
  const legacy = { code: 'EXP_ERR_VANTAGE', message: 'recorded before coverage was part of the report' };
  const outside: Coverage['outside'] =
    wan.vantage === 'agent'
      ? { status: 'complete', requested: true, vantage: 'agent' }
      : wan.vantage === 'local'
        ? { status: 'partial', requested: false, vantage: 'local', reason: { ...legacy, code: 'EXP_ERR_NO_VANTAGE' } }
        : wan.agentUrl
          ? { status: 'failed', requested: true, vantage: 'none', reason: { ...legacy, message: wan.reason ?? legacy.message } }
          : { status: 'skipped', requested: false, vantage: 'none', reason: { ...legacy, code: 'EXP_ERR_NO_VANTAGE' } };
  const inside: Coverage['inside'] =
    report.gateways.length > 0 ? { status: 'complete', requested: true } : { status: 'partial', requested: true, reason: { ...legacy, code: 'EXP_ERR_IGD_NOT_FOUND' } };
  return { complete: [inside, outside].every((view) => !view.requested || view.status === 'complete'), inside, outside };
}

/**
 * Reports stored before the not-applicable state recorded a DS-Lite or CGNAT line's outside view as skipped with
 * EXP_ERR_ACCESS_NO_INBOUND_IPV4 (only those lines had that code with that state): read as what it is now, so the
 * first scan after the upgrade raises no coverage change on a line that did not change.
 */
function sameStateAsNow(coverage: Coverage): Coverage {
  const { outside } = coverage;
  if (outside.status !== 'skipped' || outside.reason?.code !== 'EXP_ERR_ACCESS_NO_INBOUND_IPV4') return coverage;
  const views = [coverage.inside, coverage.ipv6].filter((view) => view !== undefined);
  const complete = views.every((view) => !view.requested || view.status === 'complete' || view.status === 'not-applicable');
  return { ...coverage, complete, outside: { ...outside, status: 'not-applicable' } };
}
