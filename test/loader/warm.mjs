// `npm run warm:tests`: compiles every TypeScript file of the repository into the test loader's cache in one process
// before tap starts its test processes, so that three of them at once do not each compile the same files. Nothing
// is run, so programs (the CLI's entry point, lab scripts) are compiled like any module.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { compiledSource } from './compile.mjs';

const root = fileURLToPath(new URL('../../', import.meta.url));
const FOLDERS = ['src', 'probes', 'test', 'bench', 'scripts'];

const started = performance.now();
const files = FOLDERS.flatMap((folder) =>
  readdirSync(path.join(root, folder), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && /\.m?ts$/.test(entry.name) && !entry.name.endsWith('.d.ts') && !entry.parentPath.includes('fixtures'))
    .map((entry) => path.join(entry.parentPath, entry.name)),
);
for (const file of files) compiledSource(file);
console.log(`warm:tests: ${files.length} TypeScript files ready in ${((performance.now() - started) / 1000).toFixed(1)} s`);
