/**
 * The Chromium that browser tests drive through playwright-core (which brings no browser of its
 * own): $CHROMIUM_PATH, else the first of the usual Debian/Ubuntu/Chrome paths that runs.
 * Missing, the tests skip with a message; under ENA_GUARD_REQUIRE_TOOLS=1 they fail instead
 * (toolAvailable throws), as for every external tool.
 */
import { existsSync } from 'node:fs';
import { toolAvailable } from './tools.js';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

/** The browser's path, or undefined when there is none (a warning says so). */
export function chromiumPath(): string | undefined {
  const path = [process.env.CHROMIUM_PATH, ...CANDIDATES].find((candidate): candidate is string => !!candidate && existsSync(candidate));
  return toolAvailable(path ?? 'chromium') ? (path ?? 'chromium') : undefined;
}
