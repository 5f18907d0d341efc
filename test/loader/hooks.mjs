// The module hooks of the test processes' TypeScript loader (registered by register.mjs; decision 0024). A module's
// URL stays its .ts file's, so `import.meta.url` and the paths tests build from it are those of the source tree.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { compiledSource } from './compile.mjs';

const TYPESCRIPT = /\.m?ts$/;

/** The URL's path without its query or fragment (tests import `x.js?fresh=1` for a new module instance). */
const pathOf = (url) => url.pathname;

export async function resolve(specifier, context, nextResolve) {
  // TypeScript sources import each other by their .js names (NodeNext): serve the .ts file when it is the one there.
  if ((specifier.startsWith('./') || specifier.startsWith('../')) && context.parentURL?.startsWith('file:')) {
    const url = new URL(specifier, context.parentURL);
    if (pathOf(url).endsWith('.js') && !existsSync(url)) {
      const typescript = new URL(url);
      typescript.pathname = `${pathOf(url).slice(0, -3)}.ts`;
      if (existsSync(typescript)) return { url: typescript.href, format: 'module', shortCircuit: true };
    }
  }
  return nextResolve(specifier, context);
}

export async function load(url, context, nextLoad) {
  if (!url.startsWith('file:') || !TYPESCRIPT.test(new URL(url).pathname)) return nextLoad(url, context);
  return { format: 'module', source: compiledSource(fileURLToPath(url)), shortCircuit: true };
}
