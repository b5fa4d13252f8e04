/**
 * Text from a scenario or trace (keys, names, values, source lines) on its way to a terminal:
 * control characters (ESC sequences, newlines, C1 controls) and the bidirectional-text controls
 * (which reorder what a reader sees, CVE-2021-42574) are shown as `\x1b`, `\n`, `\u202e`, so a
 * file can neither drive the terminal nor make one line look like another.
 */
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

export function printable(text: string): string {
  return text.replace(UNPRINTABLE, (c) => {
    const code = c.charCodeAt(0);
    return (
      NAMED[c] ?? (code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16)}`)
    );
  });
}
