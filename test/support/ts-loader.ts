/**
 * The node arguments that load a TypeScript program the way the test processes themselves are loaded
 * (test/loader/: esbuild with a disk cache, decision 0024), for the helper programs tests start: fake services, lab
 * responders, child writers. `--import tsx` cost each about 0.7 s of CPU more before its first line.
 */
import { fileURLToPath } from 'node:url';

export const TS_LOADER_ARGS: readonly string[] = ['--import', fileURLToPath(new URL('../loader/register.mjs', import.meta.url))];
