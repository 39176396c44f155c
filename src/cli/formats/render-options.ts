/** How a format is rendered (its own file so that index.ts and the formats never import each other). */
export interface RenderOptions {
  /** Colour verdicts (a terminal, and NO_COLOR unset): the table only. */
  readonly colour: boolean;
}
