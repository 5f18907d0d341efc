import type { FastifyPluginAsync } from 'fastify';
import type { ApiContext } from '../app.js';

/** GET /v1/diff: filled in once the store's diff (milestone 2 of store-alerts) is merged. */
export function diffRoutes(_context: ApiContext): FastifyPluginAsync {
  return async () => undefined;
}
