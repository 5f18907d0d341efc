import { build } from '../src/server/api/app.js';
import { openStore } from '../src/store/index.js';
const store = openStore({ file: '/tmp/smoke.db' });
const app = await build({ token: 'a'.repeat(43), store });
await app.ready();
const auth = { authorization: `Bearer ${'a'.repeat(43)}` };
for (const [m, u, p] of [['GET','/v1/healthz'],['GET','/v1/scans'],['GET','/v1/exposure'],['GET','/v1/metrics'],['POST','/v1/scans',{wan:false,gateway:'http://127.0.0.1:9/x'}],['POST','/v1/scans',{wan:false,gateway:'http://8.8.8.8/x'}],['GET','/v1/scans/1'],['GET','/docs/json'],['GET','/docs'],['GET','/nope']] as const) {
  const r = await app.inject({ method: m, url: u, headers: auth, ...(p ? { payload: p } : {}) });
  console.log(m, u, r.statusCode, r.headers['content-type'], r.body.slice(0, 300));
}
await new Promise((r) => setTimeout(r, 1500));
console.log((await app.inject({ url: '/v1/scans/1', headers: auth })).body.slice(0, 500));
await app.close(); store.close();
