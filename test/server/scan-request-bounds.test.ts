import t from 'tap';
import { DEFAULT_SCAN_OPTIONS, SCAN_LIMITS } from '../../src/core/options.js';
import { buildScanOptions } from '../../src/scan/scan-choices.js';
import { ENGINE_CHOICES } from '../../src/net/portscan/engines.js';
import requestSchema from '../../schemas/api-scan-request.schema.json' with { type: 'json' };

t.test('the API scan request schema and the CLI share their bounds and defaults', async (t) => {
  const properties = requestSchema.properties as Record<string, { minimum?: number; maximum?: number; enum?: string[]; default?: unknown }>;
  for (const [name, bounds] of Object.entries(SCAN_LIMITS)) {
    t.equal(properties[name]?.minimum, bounds.min, `${name} minimum`);
    t.equal(properties[name]?.maximum, bounds.max, `${name} maximum`);
  }
  t.same(properties['enumeration']?.enum, ['auto', 'list', 'index']);
  t.same(properties['engine']?.enum, ENGINE_CHOICES, 'the engines the CLI knows');
  t.equal(properties['wan']?.default, DEFAULT_SCAN_OPTIONS.wan, 'the documented default is the CLI default');
  t.same(buildScanOptions({}), DEFAULT_SCAN_OPTIONS, 'nothing chosen: the CLI defaults');
  t.same(buildScanOptions({ ports: undefined, wan: false }), { ...DEFAULT_SCAN_OPTIONS, wan: false }, 'undefined means not given');
  t.throws(() => buildScanOptions({ ports: '80;id' }), { code: 'EXP_ERR_USAGE' });
  t.throws(() => buildScanOptions({ vantageUrl: 'https://agent.example:7447' }), { code: 'EXP_ERR_USAGE' }, 'an agent needs its token');
  t.throws(() => buildScanOptions({ vantageUrl: 'https://agent.example:7447', vantageToken: 'x', wan: false }), { code: 'EXP_ERR_USAGE' });
});
