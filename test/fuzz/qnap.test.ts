/**
 * Property tests of QNAP fingerprint matching (src/qnap/match.ts) and version parsing (src/qnap/version.ts), plus
 * the terminal sanitiser (src/report/sanitize.ts) every network string passes before a terminal. Any device on
 * the LAN (or a mapping's client) can answer the fingerprint requests: matching must stay fast on 256 KiB (the
 * fingerprint read limit), and what it extracts is promised clean (no control or bidi characters) and short.
 */
import t from 'tap';
import fc from 'fast-check';
import { cleanValue, extract, matchFingerprint, titleOf, xmlTagText, type HttpAnswer } from '../../src/qnap/match.js';
import { loadFingerprints } from '../../src/qnap/data.js';
import { FINGERPRINT_MAX_BYTES } from '../../src/qnap/fingerprint-host.js';
import { compareFirmware, firmwareFromParts, formatFirmware, onBranch, parseAppVersion, parseBranch, parseFirmware } from '../../src/qnap/version.js';
import { terminalSafe } from '../../src/report/sanitize.js';
import { authLoginXml, LOGIN_PAGE } from '../support/fake-qnap.js';
import { FUZZ, mutated, nastyString, pathological, unsafeCharIn, within, xmlSoup } from '../support/fuzz.js';

const FINGERPRINTS = loadFingerprints();
const TAGS = ['QDocRoot', 'model', 'modelName', 'internalModelName', 'displayModelName', 'firmware', 'version', 'number', 'build', 'hostname', 'appVersion', 'appBuildNum', 'builtinFirmwareVersion', 'title'];
const soup = xmlSoup(TAGS);
const BUDGET_MS = 50;
const LARGE_BUDGET_MS = 500;

function clean(text: string | undefined, max: number, what: string): void {
  if (text === undefined) return;
  const unsafe = unsafeCharIn(text);
  if (unsafe !== undefined) throw new Error(`${what} carries ${unsafe}: ${JSON.stringify(text.slice(0, 60))}`);
  if (text.length > max) throw new Error(`${what} is ${text.length} characters (cap ${max})`);
}

function checkAnswer(answer: HttpAnswer): void {
  for (const fingerprint of FINGERPRINTS) {
    clean(matchFingerprint(fingerprint, { http: answer }), 500, `${fingerprint.id} evidence`);
    const { fields, flags } = extract(fingerprint, { http: answer });
    for (const [field, value] of Object.entries(fields)) clean(value, 100, `${fingerprint.id} ${field}`);
    for (const [flag, value] of Object.entries(flags)) clean(value, 100, `${fingerprint.id} flag ${flag}`);
  }
}

const body = fc.oneof(
  soup,
  mutated(authLoginXml({}), fc.oneof(soup, nastyString(20))),
  mutated(LOGIN_PAGE, fc.oneof(soup, nastyString(20))),
  fc.tuple(fc.constantFrom(...TAGS), nastyString(60)).map(([tag, text]) => `<QDocRoot version="1.0"><firmware><version>5.1.1</version></firmware><model><modelName><![CDATA[${text}]]></modelName></model><${tag}>${text}</${tag}><title>${text}</title></QDocRoot>`),
);
const headers = fc.dictionary(fc.constantFrom('server', 'set-cookie', 'content-type', 'x-powered-by', 'location'), fc.oneof(nastyString(40), fc.array(nastyString(20), { maxLength: 3 })), { maxKeys: 5 });

t.test('matching and extraction: evidence and every extracted value clean and capped, fast', async () => {
  fc.assert(
    fc.property(body, headers, fc.integer({ min: 0, max: 999 }), (text, headerValues, status) => {
      const answer: HttpAnswer = { status, headers: headerValues, body: text, title: titleOf(text) };
      within(BUDGET_MS, 'fingerprints', () => {
        clean(answer.title, 200, 'title');
        checkAnswer(answer);
      });
    }),
    FUZZ(300),
  );
});

t.test('cleanValue, titleOf and xmlTagText: no control or bidi character out, whatever comes in', async () => {
  fc.assert(
    fc.property(fc.oneof(nastyString(200), fc.string({ unit: 'binary', maxLength: 200 })), fc.integer({ min: 0, max: 300 }), fc.constantFrom(...TAGS), (text, max, tag) => {
      clean(cleanValue(text, max), max, 'cleanValue');
      clean(titleOf(`<title>${text}</title>`), 200, 'titleOf');
      clean(xmlTagText(`<${tag}>${text}</${tag}>`, tag), 100, 'xmlTagText');
      clean(xmlTagText(`<${tag}><![CDATA[${text}]]></${tag}>`, tag), 100, 'xmlTagText (CDATA)');
      // Entities that decode to controls are cleaned after decoding.
      clean(xmlTagText(`<${tag}>a&#x1b;[2J&#x202e;&#0;b</${tag}>`, tag), 100, 'xmlTagText (entities)');
    }),
    FUZZ(500),
  );
});

t.test(`pathological bodies of ${FINGERPRINT_MAX_BYTES / 1024} KiB: every fingerprint stays fast`, async (t) => {
  for (const [shape, text] of pathological(TAGS.slice(0, 6), FINGERPRINT_MAX_BYTES)) {
    within(LARGE_BUDGET_MS, shape, () => checkAnswer({ status: 200, headers: { server: text.slice(0, 8192) }, body: text, title: titleOf(text) }));
    t.pass(shape);
  }
});

t.test('terminalSafe: nothing unsafe survives, and safe text is untouched', async () => {
  fc.assert(
    fc.property(fc.oneof(nastyString(200), fc.string({ unit: 'binary', maxLength: 200 })), (text) => {
      const safe = terminalSafe(text);
      const unsafe = unsafeCharIn(safe);
      if (unsafe !== undefined) throw new Error(`terminalSafe let ${unsafe} through`);
      if (unsafeCharIn(text) === undefined && safe !== text) throw new Error('changed safe text');
    }),
    FUZZ(1000),
  );
});

t.test('firmware versions: parsing never throws, round-trips through the advisory format, and orders consistently', async () => {
  const firmwareText = fc.oneof(
    fc.tuple(fc.constantFrom('', 'h', 'c', 'H', 'QTS ', 'QuTS hero h', 'x'), fc.array(fc.integer({ min: 0, max: 1200 }), { minLength: 2, maxLength: 5 }), fc.constantFrom('', ' build ', '_', ' build'), fc.oneof(fc.constant(''), fc.integer({ min: 19990101, max: 21011231 }).map(String)))
      .map(([flavor, parts, sep, build]) => `${flavor}${parts.join('.')}${build === '' ? '' : `${sep}${build}`}`),
    nastyString(40),
  );
  fc.assert(
    fc.property(firmwareText, firmwareText, (a, b) => {
      const first = parseFirmware(a);
      const second = parseFirmware(b);
      for (const version of [first, second]) {
        if (!version) continue;
        if (version.release.some((part) => !Number.isInteger(part) || part < 0 || part > 999)) throw new Error(`release ${version.release.join('.')}`);
        const again = parseFirmware(formatFirmware(version));
        if (JSON.stringify(again) !== JSON.stringify(version)) throw new Error(`${formatFirmware(version)} does not round-trip`);
      }
      if (first && second) {
        const forward = compareFirmware(first, second);
        const backward = compareFirmware(second, first);
        if ((forward === null) !== (backward === null) || (forward !== null && backward !== null && forward !== -backward)) throw new Error(`ordering of ${a} and ${b} is not antisymmetric`);
        const self = compareFirmware(first, first);
        if (self !== 0 && self !== null) throw new Error(`${a} is not equal to itself`);
      }
    }),
    FUZZ(1000),
  );
  fc.assert(
    fc.property(fc.option(nastyString(20), { nil: undefined }), fc.option(nastyString(10), { nil: undefined }), fc.option(nastyString(10), { nil: undefined }), (version, number, build) => {
      firmwareFromParts(version, number, build);
    }),
    FUZZ(500),
  );
});

t.test('app versions and branches: never throw, bounded parts', async () => {
  fc.assert(
    fc.property(fc.oneof(nastyString(40), fc.array(fc.nat({ max: 999999999 }), { maxLength: 8 }).map((parts) => parts.join('.'))), (text) => {
      const app = parseAppVersion(text);
      const branch = parseBranch(text);
      if (app && (app.length > 6 || app.some((part) => !Number.isInteger(part)))) throw new Error(`app version ${text}`);
      if (branch && branch.length > 5) throw new Error(`branch ${text}`);
      if (app && branch && !onBranch(app, branch)) throw new Error(`${text} is not on its own branch`);
    }),
    FUZZ(1000),
  );
  within(BUDGET_MS, 'long versions', () => {
    for (const text of ['1.'.repeat(50000), '9'.repeat(100000), ' '.repeat(100000), 'build '.repeat(20000)]) {
      parseFirmware(text);
      parseAppVersion(text);
      parseBranch(text);
    }
  });
});
