/** What `servePlayback`, `writeReport` and `renderReport` take: one trace, or two side by side. */
export type TraceInput = string | readonly [string] | readonly [string, string];

export const traceList = (input: TraceInput): readonly string[] =>
  typeof input === 'string' ? [input] : input;
