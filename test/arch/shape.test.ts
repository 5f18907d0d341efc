// The shape of the tree (issue 14 item 1): the kernel stands alone, nothing imports in a circle, and the flow runs
// one way: probes -> observations -> rules -> judgement -> report -> renderers.
import t from 'tap';
import { cycles, importsOf, sourceFiles, type ImportEdge } from './import-graph.js';

const files = sourceFiles('src', 'probes');
const edges = files.flatMap(importsOf);
const within = (edge: ImportEdge, folder: string): boolean => edge.to !== undefined && edge.to.startsWith(folder);
const describe = (edge: ImportEdge): string => `${edge.from} imports ${edge.specifier}${edge.typeOnly ? ' (types)' : ''}`;

t.test('the parser sees every kind of import the tree uses', async (t) => {
  t.ok(files.length > 100, `${files.length} files`);
  t.ok(edges.some((edge) => edge.typeOnly), 'import type');
  t.ok(edges.some((edge) => edge.dynamic), 'import()');
  t.ok(edges.some((edge) => edge.from === 'probes/index.ts' && edge.to === 'probes/upnp-igd/manifest.ts'), 'export ... from');
});

t.test('src/core imports nothing outside src/core but node: builtins', async (t) => {
  const outside = edges.filter((edge) => edge.from.startsWith('src/core/') && !within(edge, 'src/core/') && !edge.specifier.startsWith('node:'));
  t.same(outside.map(describe), []);
});

t.test('no import cycle in src/ and probes/, type-only and dynamic imports included', async (t) => {
  t.same(cycles(files, edges), []);
});

t.test('the flow runs one way', async (t) => {
  const forbidden = (from: string, to: readonly string[]): string[] =>
    edges.filter((edge) => edge.from.startsWith(from) && to.some((folder) => within(edge, folder))).map(describe);
  t.same(forbidden('src/rules/', ['src/report/', 'src/scan/', 'probes/', 'src/server/', 'src/cli/', 'src/store/']), [], 'rules read observations, never what comes after them');
  t.same(forbidden('src/report/', ['src/scan/', 'src/server/', 'src/cli/']), [], 'the report never reaches back to the scan or the faces');
  t.same(forbidden('probes/', ['src/rules/', 'src/report/', 'src/scan/', 'src/server/', 'src/cli/', 'src/store/']), [], 'probes observe, never judge or report');
  // Only the composition for callers holding raw findings (buildReport) reaches into the rules from the report.
  const reportToRules = edges.filter((edge) => edge.from.startsWith('src/report/') && within(edge, 'src/rules/') && !edge.typeOnly);
  t.same(reportToRules.map(describe), ["src/report/build.ts imports ../rules/judge.js"]);
});

t.test('probe manifests are light: only the kernel, and their action loaded on demand', async (t) => {
  const manifests = files.filter((file) => /^probes\/[^/]+\/manifest\.ts$/.test(file));
  t.ok(manifests.length >= 5, manifests.join(', '));
  for (const manifest of manifests) {
    const heavy = edges.filter((edge) => edge.from === manifest && !edge.dynamic && !within(edge, 'src/core/'));
    t.same(heavy.map(describe), [], manifest);
  }
});

t.test('renderers lay out generic structures: no vendor or probe words', async (t) => {
  const { readFileSync } = await import('node:fs');
  for (const file of files.filter((candidate) => /^src\/report\/(render-[a-z]+|section-layout|sections|words|finding-runs)\.ts$/.test(candidate))) {
    const code = readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
    t.notMatch(code, /qnap|nat-?pmp|upnp|synology|gateway|\.hosts\b|\.wan\b/i, file);
  }
});

t.test('the cycle finder finds cycles (so an empty answer means something)', async (t) => {
  const edge = (from: string, to: string): ImportEdge => ({ from, to, specifier: to, typeOnly: true, dynamic: false });
  t.same(cycles(['a', 'b', 'c'], [edge('a', 'b'), edge('b', 'c'), edge('c', 'a')]), [['a', 'b', 'c']]);
  t.same(cycles(['a'], [edge('a', 'a')]), [['a']]);
  t.same(cycles(['a', 'b'], [edge('a', 'b')]), []);
});
