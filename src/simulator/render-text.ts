/**
 * How a value reads inside a longer string: in `{{ }}` substitution, in branch comparisons and in
 * the printed step trace. A leaf module (no imports), so that the trace does not depend on the
 * substitution engine.
 */

/** Renders a value inside a longer string. */
export function renderAsText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value instanceof Date) return value.toISOString();
  return JSON.stringify(value);
}
