/** The file a worker thread runs (built to dist/worker-entry.js). */
import { serveExploreWorker } from './worker';

serveExploreWorker();
