/**
 * The server alone in its own process, so bench/idle-overhead/run.ts can read its CPU and RSS from
 * /proc without counting the bench itself. Prints `{"url","token"}` once listening; stops on SIGTERM.
 *
 *   node --import tsx bench/idle-overhead/server.ts <home>   (run.ts runs it bundled)
 */
import { createServer } from '../../server/src/index.js';
import { createLogger } from '../../server/src/infra/log/logger.js';

const home = process.argv[2];
if (!home) throw new Error('usage: server.ts <home>');
const server = createServer({ home, logger: createLogger({ write: () => undefined }) });
const { url, token } = await server.start();
process.stdout.write(`${JSON.stringify({ url, token })}\n`);
process.once('SIGTERM', () => {
  void server.stop().then(() => process.exit(0));
});
