/** Reading a trace file on the Node side, with the same check the page applies. */
import { readFile } from 'node:fs/promises';
import { parseTrace, type Trace } from '@sevsim/scenario/trace';

export class TraceFileError extends Error {
  override readonly name = 'TraceFileError';
}

export async function loadTraceFile(tracePath: string): Promise<{ text: string; trace: Trace }> {
  let text: string;
  try {
    text = await readFile(tracePath, 'utf8');
  } catch (e) {
    throw new TraceFileError(`${tracePath}: cannot read the trace: ${(e as Error).message}`);
  }
  const reading = parseTrace(text);
  if (!reading.ok) throw new TraceFileError(`${tracePath}: ${reading.error}`);
  return { text, trace: reading.trace };
}
