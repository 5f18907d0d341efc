import t from 'tap';
import { extractArguments, parseFault } from '../../src/net/soap.js';

const wrap = (inner: string): string =>
  `<?xml version="1.0"?>\r\n<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><u:GetGenericPortMappingEntryResponse xmlns:u="urn:schemas-upnp-org:service:WANIPConnection:2">${inner}</u:GetGenericPortMappingEntryResponse></s:Body></s:Envelope>`;
const entry = (description: string): string =>
  wrap(`<NewRemoteHost></NewRemoteHost><NewExternalPort>8080</NewExternalPort><NewProtocol>TCP</NewProtocol><NewInternalPort>8080</NewInternalPort><NewInternalClient>10.0.0.5</NewInternalClient><NewEnabled>1</NewEnabled><NewPortMappingDescription>${description}</NewPortMappingDescription><NewLeaseDuration>0</NewLeaseDuration>`);
const FIELDS = ['NewExternalPort', 'NewInternalClient', 'NewLeaseDuration', 'NewRemoteHost'];

t.test('a description cannot change another field', async (t) => {
  const injected = 'x</NewPortMappingDescription><NewInternalClient>6.6.6.6</NewInternalClient><NewLeaseDuration>99</NewLeaseDuration><NewPortMappingDescription>y';
  const result = extractArguments(entry(injected), FIELDS, 'NewPortMappingDescription');
  t.equal(result.values.get('NewInternalClient'), '10.0.0.5');
  t.equal(result.values.get('NewLeaseDuration'), '0');
  t.equal(result.hostileRaw, injected, 'the whole injected text is kept as the description');
});

t.test('empty and self-closing elements', async (t) => {
  const result = extractArguments(wrap('<NewExternalPort>1</NewExternalPort><NewRemoteHost/><NewPortMappingDescription/>'), FIELDS, 'NewPortMappingDescription');
  t.equal(result.values.get('NewRemoteHost'), '');
  t.equal(result.hostileRaw, '');
});

t.test('parses a UPnP fault', async (t) => {
  const fault = `<?xml version="1.0"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><s:Fault><faultcode>s:Client</faultcode><faultstring>UPnPError</faultstring><detail><UPnPError xmlns="urn:schemas-upnp-org:control-1-0"><errorCode>713</errorCode><errorDescription>SpecifiedArrayIndexInvalid</errorDescription></UPnPError></detail></s:Fault></s:Body></s:Envelope>`;
  t.same(parseFault(fault), { code: 713, description: 'SpecifiedArrayIndexInvalid' });
  t.equal(parseFault('<html>500</html>'), undefined);
  t.equal(parseFault('not xml at all <<<'), undefined);
});
