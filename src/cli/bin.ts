/**
 * The ena-guard command as installed: npm's bin link, `npx ena-guard` and `npm start` run this
 * file, under whatever path the link gives it. It runs unconditionally; main.ts holds the command
 * and stays free of side effects, so tests import it.
 */
import { runFromProcess } from './main.js';

await runFromProcess();
