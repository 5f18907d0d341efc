import { main } from './main.js';

const controller = new AbortController();
// The first Ctrl-C cancels the scan cleanly (sockets closed, exit 2); a second one kills the process.
process.once('SIGINT', () => {
  controller.abort();
  process.once('SIGINT', () => process.exit(130));
});
process.exitCode = await main(process.argv.slice(2), undefined, controller.signal);
