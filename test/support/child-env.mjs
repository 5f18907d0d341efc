// Loaded into every test process (.taprc node-arg), after tap's own hooks. tap's process tracker
// (@tapjs/processinfo) adds itself to every process a test starts (the CLI in the lab, agents, fake services), through
// a spawn hook and NODE_OPTIONS: 0.25 s of CPU per started program (0.09 s for `node -e 0` alone, measured
// 2026-12-06 on this 2-core machine), for coverage data and a process database only `npm run coverage` reads. That
// run keeps it; every other run drops the hook here, so the programs tests start run as a user's would.
if (process.env._TAPJS_PROCESSINFO_COVERAGE_ !== '1') {
  const spawnHooks = globalThis[Symbol.for('process-on-spawn@*:singletonId')];
  if (spawnHooks !== undefined && Array.isArray(spawnHooks.listeners)) spawnHooks.listeners.length = 0;
  const options = process.env.NODE_OPTIONS?.replace(/\s*"?--import=\S*@tapjs\/processinfo\S*"?/g, '').trim();
  if (options === undefined || options === '') delete process.env.NODE_OPTIONS;
  else process.env.NODE_OPTIONS = options;
}
