/** The CLI as a library: what tests and later commands (explore, compare, playback) build on. */
export { Exit, type ExitCode, worst } from './exit-codes';
export { type CliIo, plainIo, processIo, type Style } from './io';
export { buildProgram, COMMANDS, type Register, runCli } from './program';
