/** Worker thread entry of `sevsim explore` / `compare`, built next to the CLI (dist/explore-worker.js). */
import { serveExploreWorker } from '@sevsim/explorer';

serveExploreWorker();
