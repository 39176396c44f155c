/**
 * The one way ena-guard shortens text it did not write (tag values, inventory fields, SSM
 * parameter names) or text that must fit a limit (Config's 256-character annotation): cut to the
 * limit, the cut marked with an ellipsis, so a hostile or broken value can never push a message
 * past its bound.
 */
export function truncate(text: string, limit: number): string {
  if (limit < 1) return '';
  return text.length <= limit ? text : `${text.slice(0, limit - 1)}…`;
}
