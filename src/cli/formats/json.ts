/** JSON: the FindingsDocument itself (schemas/findings.schema.json). */
import type { FindingsDocument } from '../findings.js';

export function renderJson(document: FindingsDocument): string {
  return JSON.stringify(document, null, 2);
}
