/** Entry point of the `sevsim` binary (built by tsup into dist/sevsim.js). */
import { processIo } from './io';
import { runCli } from './program';

runCli(process.argv.slice(2), processIo()).then((code) => {
  process.exitCode = code;
});
