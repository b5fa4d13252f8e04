/** Entry point of the `sevsim` binary (built by tsup into dist/sevsim.js). */
import { Exit } from './exit-codes';
import { processIo } from './io';
import { runCli } from './program';

runCli(process.argv.slice(2), processIo()).then((code) => {
  // A failed write to stdout (processIo) has already set 2: the output was lost, whatever the run said.
  if (process.exitCode !== Exit.INVALID_INPUT) process.exitCode = code;
});
