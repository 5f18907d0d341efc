// exposure serve --vantage-pin/--vantage-ca: every API scan that uses the server's agent carries the same trust, and
// a request can never name its own (it only says yes or no to the server's agent).
import t from 'tap';
import { scanOptionsFromRequest } from '../../src/server/api/scan-request.js';

const pin = `sha256/${'A'.repeat(43)}=`;
const vantage = { url: 'https://agent.example:7447', token: 't'.repeat(40), pin, ca: '/etc/exposure/agent.pem' };

t.test('the server agent\'s pin and CA reach the scan options', async (t) => {
  const options = scanOptionsFromRequest({}, vantage);
  t.equal(options.vantageUrl, vantage.url);
  t.equal(options.vantagePin, pin);
  t.equal(options.vantageCa, '/etc/exposure/agent.pem');
});

t.test('without the agent, no trust options either', async (t) => {
  const options = scanOptionsFromRequest({ vantage: false }, vantage);
  t.equal(options.vantageUrl, undefined);
  t.equal(options.vantagePin, undefined);
  t.equal(options.vantageCa, undefined);
  const plain = scanOptionsFromRequest({}, { url: vantage.url, token: vantage.token });
  t.equal(plain.vantagePin, undefined, 'a server without a pin passes none');
});
