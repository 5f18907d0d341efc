// Issue 16, item 4: --passive is opt-in on every face, its help says the address goes to a third party, and its
// endpoint can only be https, or http to loopback (tests).
import { Ajv } from 'ajv';
import t from 'tap';
import scanRequestSchema from '../../schemas/api-scan-request.schema.json' with { type: 'json' };
import { parseScanArgs } from '../../src/cli/scan-args.js';
import { SCAN_HELP } from '../../src/cli/help.js';
import { isExposureError } from '../../src/core/errors.js';
import { scanOptionsFromRequest } from '../../src/server/api/scan-request.js';
import { passiveEndpointProblem } from '../../probes/passive-internetdb/endpoint.js';

t.test('the help says the address goes to Shodan, a third party, and on what terms', async (t) => {
  t.match(SCAN_HELP, '--passive internetdb');
  t.match(SCAN_HELP, 'SENDS THE');
  t.match(SCAN_HELP, 'ADDRESS TO SHODAN, a third party');
  t.match(SCAN_HELP, 'free for non-commercial use');
  t.match(SCAN_HELP, '--passive-endpoint URL');
});

t.test('--passive internetdb and --passive-endpoint reach the scan options', async (t) => {
  const { scan } = parseScanArgs(['--passive', 'internetdb', '--passive-endpoint', 'http://127.0.0.1:7777']);
  t.same(scan.passive, ['internetdb']);
  t.equal(scan.passiveEndpoint, 'http://127.0.0.1:7777');
  t.equal(parseScanArgs([]).scan.passive, undefined, 'off unless asked');
  t.same(parseScanArgs(['--passive', 'internetdb', '--passive', 'internetdb']).scan.passive, ['internetdb']);
});

t.test('refused: another source, --no-wan, an endpoint alone, an endpoint that is not https or loopback http', async (t) => {
  const refused = (argv: string[], pattern: RegExp): void => {
    t.throws(() => parseScanArgs(argv), pattern, argv.join(' '));
    try {
      parseScanArgs(argv);
    } catch (error) {
      t.ok(isExposureError(error, 'EXP_ERR_USAGE'), 'a usage error');
    }
  };
  refused(['--passive', 'greynoise'], /--passive must be one of internetdb/);
  refused(['--passive', 'internetdb', '--no-wan'], /contradict/);
  refused(['--passive-endpoint', 'https://internetdb.example'], /needs --passive internetdb/);
  refused(['--passive', 'internetdb', '--passive-endpoint', 'http://10.0.0.5:8000'], /only to a loopback address/);
  refused(['--passive', 'internetdb', '--passive-endpoint', 'http://localhost:8000'], /only to a loopback address/);
  refused(['--passive', 'internetdb', '--passive-endpoint', 'https://internetdb.example/v1?x=1'], /query|path/);
  refused(['--passive', 'internetdb', '--passive-endpoint', 'ftp://127.0.0.1'], /not http or https/);
  t.equal(passiveEndpointProblem('https://internetdb.shodan.io'), undefined);
  t.equal(passiveEndpointProblem('http://[::1]:8080'), undefined);
  t.equal(passiveEndpointProblem('http://127.0.0.2:8080/'), undefined);
  t.match(passiveEndpointProblem('https://user:pw@internetdb.shodan.io') ?? '', 'credentials');
});

t.test('the API: passive is a list of sources, never a URL; refused with wan: false', async (t) => {
  const validate = new Ajv({ strict: true, allErrors: true, formats: { ipv4: true } }).compile(scanRequestSchema);
  t.ok(validate({ passive: ['internetdb'] }));
  t.notOk(validate({ passive: ['shodan'] }));
  t.notOk(validate({ passive: ['internetdb'], passiveEndpoint: 'http://127.0.0.1:1' }), 'a request cannot name an endpoint');
  t.same(scanOptionsFromRequest({ passive: ['internetdb'] }, undefined).passive, ['internetdb']);
  t.equal(scanOptionsFromRequest({}, undefined).passive, undefined);
  t.equal(scanOptionsFromRequest({ passive: ['internetdb'] }, undefined).passiveEndpoint, undefined);
  t.throws(() => scanOptionsFromRequest({ passive: ['internetdb'], wan: false }, undefined), /contradict/);
});
