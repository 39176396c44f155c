/**
 * Whether the CLI colours its output. Colour is for people at a terminal: a report piped to a
 * file or another program stays plain text. The palette and the escape codes are the table's
 * (src/cli/formats/table.ts, node:util styleText); this module only decides, once, from the flag,
 * the environment and the stream.
 */

export interface ColourContext {
  /** False with `--no-color`. */
  readonly flag: boolean;
  /** The environment: NO_COLOR and FORCE_COLOR. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Whether the report goes to a terminal (not `--output`, not a pipe). */
  readonly isTTY: boolean;
}

/**
 * `--no-color` and a non-empty NO_COLOR (no-color.org) turn colour off, and win over FORCE_COLOR;
 * FORCE_COLOR (any value but `0` or `false`) turns it on off a terminal; otherwise colour when
 * the report goes to a terminal.
 */
export function colourEnabled({ flag, env, isTTY }: ColourContext): boolean {
  if (!flag) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined) return force !== '0' && force.toLowerCase() !== 'false';
  return isTTY;
}
