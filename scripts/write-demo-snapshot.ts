/** Writes examples/demo-fleet/*.json from examples/demo-fleet/fleet.ts. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { demoSnapshotFiles } from '../examples/demo-fleet/fleet.js';

const directory = fileURLToPath(new URL('../examples/demo-fleet/', import.meta.url));
for (const [name, content] of Object.entries(demoSnapshotFiles())) {
  mkdirSync(dirname(`${directory}${name}`), { recursive: true });
  writeFileSync(`${directory}${name}`, content);
  console.log(`wrote examples/demo-fleet/${name}`);
}
