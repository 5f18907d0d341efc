// `node --import ./test/loader/register.mjs FILE.ts`: runs TypeScript the way the test processes do (.taprc).
import { register } from 'node:module';

register('./hooks.mjs', import.meta.url);
