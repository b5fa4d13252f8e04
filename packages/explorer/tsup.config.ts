import { defineConfig } from 'tsup';
import { library } from '../../tsup.shared';

// worker-entry: the file explore() starts its worker threads on, found next to the bundle.
export default defineConfig(library(['src/index.ts', 'src/worker-entry.ts']));
