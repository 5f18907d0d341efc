/**
 * Property tests of port specifications (src/net/portscan/port-spec.ts), which arrive from the CLI, the REST API
 * and the agent: only EXP_ERR_USAGE escapes, the work is bounded whatever the spec holds (repeated `all`
 * included), the result is a sorted set of valid ports, and it agrees with a naive model of the grammar.
 */
import t from 'tap';
import fc from 'fast-check';
import { formatPortList, parsePortSpec } from '../../src/net/portscan/port-spec.js';
import { isExposureError } from '../../src/core/errors.js';
import { FUZZ, nastyString, unsafeCharIn, within } from '../support/fuzz.js';

const BUDGET_MS = 50;

/** The spec's result, or the usage error's message; anything else thrown fails the property. */
function parse(spec: string): number[] | string {
  try {
    return parsePortSpec(spec);
  } catch (error) {
    if (isExposureError(error, 'EXP_ERR_USAGE')) return error.message;
    throw new Error(`threw outside EXP_ERR_USAGE: ${String(error)}`);
  }
}

function checkResult(spec: string, result: number[] | string): void {
  if (typeof result === 'string') {
    const unsafe = unsafeCharIn(result);
    if (unsafe !== undefined) throw new Error(`error message carries ${unsafe}`);
    if (result.length > 300) throw new Error(`error message of ${result.length} characters`);
    return;
  }
  if (result.length === 0 || result.length > 65535) throw new Error(`${result.length} ports from ${JSON.stringify(spec.slice(0, 40))}`);
  for (let index = 0; index < result.length; index++) {
    const port = result[index]!;
    if (!Number.isInteger(port) || port < 1 || port > 65535 || (index > 0 && port <= result[index - 1]!)) throw new Error(`not a sorted set of ports at ${index}`);
  }
}

const item = fc.oneof(
  { weight: 3, arbitrary: fc.integer({ min: 0, max: 70000 }).map(String) },
  { weight: 3, arbitrary: fc.tuple(fc.integer({ min: 0, max: 70000 }), fc.integer({ min: 0, max: 70000 })).map(([a, b]) => `${a}-${b}`) },
  { weight: 2, arbitrary: fc.constantFrom('qnap', 'common', 'top1000', 'all', 'ALL', ' all ', '\tall', 'al', 'all1') },
  { weight: 1, arbitrary: fc.constantFrom('', ' ', '-', '1-', '-1', '1--2', '0x50', '1e3', '+80', '８０', '80\n', '\u202e80', '\u001b[2J', '-oN x', '--script=vuln', '00080', '1-2-3') },
  { weight: 1, arbitrary: nastyString(12) },
);

t.test('parsePortSpec: a sorted set of valid ports or EXP_ERR_USAGE with a clean message, fast', async () => {
  fc.assert(
    fc.property(fc.array(item, { minLength: 1, maxLength: 60 }).map((items) => items.join(',')), (spec) => {
      within(BUDGET_MS, `parsePortSpec(${JSON.stringify(spec.slice(0, 40))})`, () => checkResult(spec, parse(spec)));
    }),
    FUZZ(1000),
  );
});

t.test('parsePortSpec: the largest specs its limits accept cost no more than a small one', async (t) => {
  const shapes: Array<[string, string]> = [
    ['`all` repeated to the length limit', 'all,'.repeat(1024).slice(0, 4095)],
    ['every set, repeated', 'qnap,common,top1000,all,'.repeat(170).slice(0, -1)],
    ['full ranges repeated', '1-65535,'.repeat(512).slice(0, -1)],
    ['overlapping ranges', Array.from({ length: 450 }, (_, index) => `${index + 1}-${65535 - index}`).join(',').slice(0, 4096).replace(/,[^,]*$/, '')],
    ['1,024 single ports', Array.from({ length: 1024 }, (_, index) => String(1 + index * 64)).join(',').slice(0, 4096).replace(/,[^,]*$/, '')],
    ['4,096 commas', ','.repeat(4096)],
    ['4,097 characters', '1'.repeat(4097)],
    ['1 MiB of `all`', 'all,'.repeat(262144)],
    ['1 MiB of digits', '9'.repeat(1024 * 1024)],
  ];
  for (const [shape, spec] of shapes) {
    within(BUDGET_MS, shape, () => checkResult(spec, parse(spec)));
    t.pass(shape);
  }
});

t.test('parsePortSpec agrees with a naive model for ports and ranges; formatPortList round-trips', async () => {
  const range = fc.tuple(fc.integer({ min: 1, max: 65535 }), fc.integer({ min: 0, max: 300 })).map(([first, width]) => [first, Math.min(65535, first + width)] as const);
  fc.assert(
    fc.property(fc.array(range, { minLength: 1, maxLength: 40 }), (ranges) => {
      const expected = new Set<number>();
      for (const [first, last] of ranges) for (let port = first; port <= last; port++) expected.add(port);
      const spec = ranges.map(([first, last]) => (first === last ? String(first) : `${first}-${last}`)).join(',');
      const ports = parsePortSpec(spec);
      const sorted = [...expected].sort((a, b) => a - b);
      if (JSON.stringify(ports) !== JSON.stringify(sorted)) throw new Error(`${spec} parsed differently from the model`);
      const compact = formatPortList(ports);
      if (JSON.stringify(parsePortSpec(compact)) !== JSON.stringify(ports)) throw new Error(`${compact} does not round-trip`);
    }),
    FUZZ(300),
  );
});
