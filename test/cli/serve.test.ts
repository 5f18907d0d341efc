import t from 'tap';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runCli } from '../support/cli.js';

t.test('serve --help lists its options; main help names serve', async (t) => {
  const help = await runCli(['serve', '--help']);
  t.equal(help.code, 0);
  for (const option of ['--listen', '--db', '--token-file', '--webhook', '--alert-on', '--vantage', '--vantage-pin', '--vantage-ca', '--coverage-alert-after', '--rate-limit', '--max-queued', '--jitter', '--keep-days', '--alert-retry', '--public-docs', '127.0.0.1:7448']) t.match(help.stdout, option);
  t.match((await runCli(['--help'])).stdout, /exposure serve/);
});

t.test('serve: usage and configuration errors exit 2 with a code, before listening', async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'exposure-serve-cli-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const db = ['--db', path.join(dir, 'history.db')];
  for (const [args, pattern] of [
    [['serve', '--listen', 'everywhere', ...db], /--listen.*serve --help/s],
    [['serve', '--listen', 'localhost:7448', ...db], /--listen/],
    [['serve', '--webhook', 'ftp://example.invalid/', ...db], /--webhook/],
    [['serve', '--alert-on', 'sometimes', ...db], /--alert-on/],
    [['serve', '--rate-limit', '0', ...db], /--rate-limit/],
    [['serve', '--vantage', 'https://agent.example:7447', ...db], /EXPOSURE_VANTAGE_TOKEN/],
    [['serve', '--vantage', 'https://agent.example:7447', '--vantage-pin', 'md5/abc', ...db], /pin/i],
    [['serve', '--vantage', 'http://agent.example:7447', '--vantage-pin', `sha256/${'A'.repeat(43)}=`, ...db], /https:/],
    [['serve', '--vantage-ca', path.join(dir, 'missing.pem'), ...db], /--vantage/],
    [['serve', '--bogus'], /EXP_ERR_USAGE/],
  ] as const) {
    const saved = process.env['EXPOSURE_VANTAGE_TOKEN'];
    delete process.env['EXPOSURE_VANTAGE_TOKEN'];
    const result = await runCli([...args]);
    if (saved !== undefined) process.env['EXPOSURE_VANTAGE_TOKEN'] = saved;
    t.equal(result.code, 2, args.join(' '));
    t.match(result.stderr, /EXP_ERR_USAGE/, args.join(' '));
    t.match(result.stderr, pattern, args.join(' '));
  }
  const tokenFile = path.join(dir, 'api-token');
  await writeFile(tokenFile, `${'x'.repeat(40)}\n`);
  await chmod(tokenFile, 0o644);
  const readable = await runCli(['serve', '--token-file', tokenFile, ...db]);
  t.equal(readable.code, 2);
  t.match(readable.stderr, /EXP_ERR_API_CONFIG.*readable by other users/);
  t.match(readable.stderr, /chmod 600/);
});
