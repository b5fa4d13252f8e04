import { defineConfig } from 'tsup';
import { library } from '../../tsup.shared';

// Only the Node side: the browser app is built by `vite build` into dist/app, which must survive.
export default defineConfig(library(['src/index.ts'], { clean: false }));
