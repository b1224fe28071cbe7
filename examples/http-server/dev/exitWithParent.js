// @ts-check
// Preloaded into the server by dev/start.js (`node --import …/exitWithParent.js server.js`):
// when dev/start.js goes away without stopping the server (killed with SIGKILL, say), the
// server gets a SIGTERM and shuts down as usual instead of living on as an orphan.
import { watchParent } from './watchParent.js';

watchParent(() => process.kill(process.pid, 'SIGTERM'));
