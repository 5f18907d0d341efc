import { main } from './main.js';

const controller = new AbortController();
// The first Ctrl-C (or SIGTERM) cancels cleanly: a scan closes its sockets (exit 2), the agent stops listening
// (exit 0). A second Ctrl-C kills the process.
process.once('SIGINT', () => {
  controller.abort();
  process.once('SIGINT', () => process.exit(130));
});
process.once('SIGTERM', () => controller.abort());
process.exitCode = await main(process.argv.slice(2), undefined, controller.signal);
