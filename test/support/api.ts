/**
 * Builds the REST API on a real history store in a temporary folder, and checks responses against the
 * schemas the API documents (the API's serializer does not filter, so these checks are the contract's test).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import ajvFormats from 'ajv-formats';
import type { LightMyRequestResponse } from 'fastify';
import { build, type ApiOptions } from '../../src/server/api/app.js';
import { SHARED_SCHEMAS } from '../../src/server/api/schemas.js';
import { openStore, type HistoryStore } from '../../src/store/index.js';

export const TOKEN = 'T'.repeat(20) + 'api-test-token-0123456789';
export const auth = { authorization: `Bearer ${TOKEN}` } as const;

export interface Harness {
  app: Awaited<ReturnType<typeof build>>;
  store: HistoryStore;
  dir: string;
  close: () => Promise<void>;
}

export async function harness(options: Partial<ApiOptions> = {}): Promise<Harness> {
  const dir = await mkdtemp(path.join(tmpdir(), 'exposure-api-'));
  const store = options.store ?? (await openStore({ file: path.join(dir, 'history.db') }));
  const app = await build({ token: TOKEN, ...options, store });
  return {
    app,
    store,
    dir,
    close: async () => {
      await app.close();
      try {
        await store.close();
      } catch {
        // A test may have closed it on purpose.
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

const ajv = new Ajv({ allErrors: true, strict: false });
ajvFormats.default(ajv);
for (const schema of SHARED_SCHEMAS) ajv.addSchema(schema);

export function validator(schema: { $id: string }): ValidateFunction {
  const validate = ajv.getSchema(schema.$id);
  if (!validate) throw new Error(`schema ${schema.$id} not registered`);
  return validate;
}

/** Null when the body matches the schema, else ajv's complaint (tap prints it). */
export function schemaErrors(schema: { $id: string }, body: unknown): string | null {
  const validate = validator(schema);
  return validate(body) ? null : ajv.errorsText(validate.errors);
}

export function errorCode(response: LightMyRequestResponse): string | undefined {
  return response.json<{ error?: { code?: string } }>().error?.code;
}

/** Polls a scan until it leaves queued/running (bounded: a stuck scan fails the test, it does not hang it). */
export async function settled(app: Harness['app'], id: number, timeoutMs = 20_000): Promise<{ status: string; [key: string]: unknown }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const response = await app.inject({ method: 'GET', url: `/v1/scans/${id}`, headers: auth });
    const body = response.json<{ status: string }>();
    if (body.status !== 'queued' && body.status !== 'running') return body;
    if (Date.now() > deadline) throw new Error(`scan ${id} still ${body.status} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
