import t from 'tap';
import { homedir } from 'node:os';
import path from 'node:path';
import { xdgDir } from '../../src/core/xdg.js';
import { defaultTokenFile } from '../../src/server/token.js';
import { defaultDbFile } from '../../src/store/paths.js';

t.test('XDG directories: absolute values are used, relative or empty ones ignored (the spec), fallbacks under home', async (t) => {
  t.equal(xdgDir('XDG_CONFIG_HOME', { XDG_CONFIG_HOME: '/etc/xdg-test' }), '/etc/xdg-test');
  t.equal(xdgDir('XDG_CONFIG_HOME', { XDG_CONFIG_HOME: 'relative/dir' }), path.join(homedir(), '.config'));
  t.equal(xdgDir('XDG_DATA_HOME', { XDG_DATA_HOME: '' }), path.join(homedir(), '.local', 'share'));
  t.equal(defaultTokenFile('api-token', { XDG_CONFIG_HOME: 'here' }), path.join(homedir(), '.config', 'exposure-scanner', 'api-token'), 'a token never lands in the working folder');
  t.equal(defaultTokenFile('agent-token', { XDG_CONFIG_HOME: '/srv/conf' }), '/srv/conf/exposure-scanner/agent-token');
  t.equal(defaultDbFile({ XDG_DATA_HOME: '/srv/data' }), '/srv/data/exposure-scanner/history.db');
});
