import t from 'tap';
import path from 'node:path';
import { openStore } from '../../src/store/index.js';
import { tempDir } from '../support/reports.js';
import { storeContract } from './contract.js';

// The contract against the embedded store: a new file per subtest, shared by path.
storeContract(t, async (options = {}) => {
  const location = options.sharing?.location ?? path.join(await tempDir(t), 'history.db');
  return { store: await openStore({ file: location, ...(options.now ? { now: options.now } : {}) }), location };
});
