import t from 'tap';
import Fastify from 'fastify';
import { PassThrough } from 'node:stream';
import { ERROR_REGISTRY, createError, type ErrorCode, type ErrorSpec } from '../../src/core/errors.js';
import { installErrorHandlers, type ApiErrorBody } from '../../src/server/api/errors.js';
import { main } from '../../src/cli/main.js';

const entries = Object.entries(ERROR_REGISTRY) as [ErrorCode, ErrorSpec][];

t.test('the REST API answers each code with the status the registry gives it', async (t) => {
  const app = Fastify({ logger: false });
  installErrorHandlers(app);
  app.get<{ Params: { code: ErrorCode } }>('/throw/:code', async (request) => {
    throw createError(request.params.code, 'Something about 192.168.1.20', { hint: 'Do this.' });
  });
  t.teardown(() => app.close());
  for (const [code, spec] of entries) {
    const answer = await app.inject({ method: 'GET', url: `/throw/${code}` });
    const body = answer.json<ApiErrorBody>();
    if (spec.status === null || spec.status === 500) {
      t.same({ status: answer.statusCode, body: body.error }, { status: 500, body: { code: 'EXP_ERR_API_INTERNAL', message: ERROR_REGISTRY.EXP_ERR_API_INTERNAL.message } }, `${code}: a bare 500, no details`);
    } else if (spec.apiCode !== undefined) {
      t.same({ status: answer.statusCode, body: body.error }, { status: 400, body: { code: spec.apiCode, message: 'Something about 192.168.1.20' } }, `${code}: answered as ${spec.apiCode}, without the command-line hint`);
    } else {
      t.same({ status: answer.statusCode, body: body.error }, { status: spec.status, body: { code, message: 'Something about 192.168.1.20. Do this.' } }, `${code}: ${spec.status}`);
    }
  }
});

t.test("fastify's own refusals take the registry's status and message too", async (t) => {
  const app = Fastify({ logger: false, bodyLimit: 10 });
  installErrorHandlers(app);
  app.post('/v1/thing', { schema: { body: { type: 'object', additionalProperties: false, properties: { a: { type: 'integer' } } } } }, async () => ({ ok: true }));
  t.teardown(() => app.close());
  const tooLarge = await app.inject({ method: 'POST', url: '/v1/thing', payload: { a: 123456789012 } });
  t.same([tooLarge.statusCode, tooLarge.json<ApiErrorBody>().error], [ERROR_REGISTRY.EXP_ERR_API_TOO_LARGE.status, { code: 'EXP_ERR_API_TOO_LARGE', message: ERROR_REGISTRY.EXP_ERR_API_TOO_LARGE.message }]);
  const media = await app.inject({ method: 'POST', url: '/v1/thing', payload: 'a=1', headers: { 'content-type': 'text/csv' } });
  t.same([media.statusCode, media.json<ApiErrorBody>().error.code], [ERROR_REGISTRY.EXP_ERR_API_UNSUPPORTED_MEDIA_TYPE.status, 'EXP_ERR_API_UNSUPPORTED_MEDIA_TYPE']);
  const invalid = await app.inject({ method: 'POST', url: '/v1/thing', payload: { a: 'x' } });
  t.equal(invalid.statusCode, ERROR_REGISTRY.EXP_ERR_API_BAD_REQUEST.status);
  t.match(invalid.json<ApiErrorBody>().error, { code: 'EXP_ERR_API_BAD_REQUEST', message: /^Invalid request: body\/a must be integer/ });
  const missing = await app.inject({ method: 'GET', url: '/v1/nothing?secret=1' });
  t.same([missing.statusCode, missing.json<ApiErrorBody>().error], [404, { code: 'EXP_ERR_API_NOT_FOUND', message: 'No route GET /v1/nothing' }]);
});

t.test('the CLI exits with the status the registry gives the code that stopped it', async (t) => {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let printed = '';
  stderr.on('data', (chunk: Buffer) => (printed += chunk.toString()));
  const status = await main(['scan', '--no-such-option'], { stdout, stderr });
  t.match(printed, /^exposure: EXP_ERR_USAGE: /);
  t.equal(status, ERROR_REGISTRY.EXP_ERR_USAGE.exit);
});
