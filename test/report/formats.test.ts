// One registry of output formats (src/report/formats.ts) for every face: the CLI's scan --format, history and diff,
// and the API's report and diff formats all read it.
import t from 'tap';
import { OUTPUTS, formatNames, outputFormat, renderAs } from '../../src/report/formats.js';
import { render } from '../../src/report/render.js';
import { REPORT_FORMATS, DIFF_FORMATS } from '../../src/server/api/formats.js';
import { OUTPUT_FORMATS } from '../../src/cli/scan-args.js';
import { renderDiffText } from '../../src/diff/render.js';
import { isExposureError } from '../../src/core/errors.js';
import { exampleReport } from '../support/reports.js';
import { diffReports } from '../../src/diff/diff.js';

t.test('the faces list the registry\'s formats', async (t) => {
  t.same([...OUTPUT_FORMATS].sort(), formatNames('report').sort(), 'exposure scan --format');
  t.equal(REPORT_FORMATS, OUTPUTS.report, 'GET /v1/scans/{id}/report?format=');
  t.equal(DIFF_FORMATS, OUTPUTS.diff, 'GET /v1/diff?format=');
  t.same(formatNames('diff'), ['text', 'json']);
  t.same(formatNames('history'), ['text', 'json']);
});

t.test('every report format renders, with its content type', async (t) => {
  const report = exampleReport();
  for (const name of formatNames('report')) {
    const output = renderAs('report', name, report);
    t.ok(output.length > 200, name);
    t.equal(output, render(report, name), `${name}: report/render.ts is the registry`);
    t.match(OUTPUTS.report[name].contentType, /; charset=utf-8$/);
  }
  t.same(JSON.parse(renderAs('report', 'json', report)), report);
  const escape = String.fromCharCode(0x1b);
  t.ok(renderAs('report', 'text', report, { color: true }).includes(escape), 'colour only when asked');
  t.notOk(renderAs('report', 'text', report).includes(escape));
});

t.test('diff and history through the registry', async (t) => {
  const diff = diffReports(exampleReport(), exampleReport());
  t.equal(renderAs('diff', 'text', diff), renderDiffText(diff));
  t.same(JSON.parse(renderAs('diff', 'json', diff)), diff);
  t.match(renderAs('history', 'text', []), /No scans in the history yet/);
  t.same(JSON.parse(renderAs('history', 'json', [])), { scans: [] });
});

t.test('an unknown format is a usage error naming the ones there are', async (t) => {
  const error: unknown = (() => {
    try {
      return outputFormat('diff', 'html');
    } catch (caught) {
      return caught;
    }
  })();
  t.ok(isExposureError(error, 'EXP_ERR_USAGE'));
  t.match((error as Error).message, /--format must be one of text, json, not "html"/);
  t.throws(() => renderAs('report', 'toString', exampleReport()), /--format must be one of/, 'no prototype key is a format');
});
