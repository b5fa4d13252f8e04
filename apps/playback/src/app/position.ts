/**
 * The position on screen, shared by the single and the side-by-side views: the keys that move
 * it and the `#step=N` deep link (N = the step number shown, 0 = boot) read at load, on
 * `hashchange`, and written back as the position moves.
 */
import { useCallback, useEffect, useState } from 'react';

const PLAY_INTERVAL_MS = 900;

/** `#step=N` → N, or undefined for any other hash. */
export function stepFromHash(hash: string): number | undefined {
  const m = /^#step=(\d{1,6})$/.exec(hash);
  return m ? Number(m[1]) : undefined;
}

export const hashForStep = (pos: number): string => `#step=${pos}`;

/** Where a key moves the position: a function of the current one, 'toggle' (play/pause) or undefined. */
export type Jumps = {
  /** Frames marked for `f` / `F` (next / previous failure). */
  readonly failures: readonly boolean[];
  /** Frames marked for `n` / `N` (next / previous difference); absent in the single view. */
  readonly differences?: readonly boolean[];
};

function nextWhere(flags: readonly boolean[], pos: number, dir: 1 | -1): number {
  for (let i = pos + dir; i >= 0 && i < flags.length; i += dir) if (flags[i]) return i;
  return pos;
}

export function keyTarget(
  key: string,
  last: number,
  jumps: Jumps,
): ((p: number) => number) | 'toggle' | undefined {
  const { failures, differences } = jumps;
  switch (key) {
    case 'ArrowLeft':
      return (p) => Math.max(0, p - 1);
    case 'ArrowRight':
      return (p) => Math.min(last, p + 1);
    case 'Home':
      return () => 0;
    case 'End':
      return () => last;
    case ' ':
      return 'toggle';
    case 'f':
      return (p) => nextWhere(failures, p, 1);
    case 'F':
      return (p) => nextWhere(failures, p, -1);
    case 'n':
      return differences ? (p) => nextWhere(differences, p, 1) : undefined;
    case 'N':
      return differences ? (p) => nextWhere(differences, p, -1) : undefined;
    default:
      return undefined;
  }
}

export interface Position {
  readonly pos: number;
  readonly setPos: (p: number) => void;
  readonly playing: boolean;
  readonly togglePlay: () => void;
}

/** Position state for `last + 1` frames, driven by the keys, the hash and play. */
export function usePosition(last: number, jumps: Jumps): Position {
  const clamp = useCallback((p: number) => Math.max(0, Math.min(last, p)), [last]);
  const [pos, setPosRaw] = useState(() => clamp(stepFromHash(window.location.hash) ?? 0));
  const [playing, setPlaying] = useState(false);
  const setPos = useCallback((p: number) => setPosRaw(clamp(p)), [clamp]);

  const togglePlay = useCallback(() => {
    // Play from the start again once the end was reached.
    if (!playing && pos >= last) setPosRaw(0);
    setPlaying(!playing);
  }, [playing, pos, last]);

  useEffect(() => {
    if (!playing) return;
    const timer = window.setInterval(() => {
      setPosRaw((p) => {
        if (p >= last) {
          setPlaying(false);
          return p;
        }
        return p + 1;
      });
    }, PLAY_INTERVAL_MS);
    return () => window.clearInterval(timer);
  }, [playing, last]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if (e.altKey || e.ctrlKey || e.metaKey) return;
      const target = keyTarget(e.key, last, jumps);
      if (target === undefined) return;
      // Also stops a focused button from "clicking" on space and the slider from moving twice.
      e.preventDefault();
      if (target === 'toggle') {
        togglePlay();
      } else {
        setPlaying(false);
        setPosRaw(target);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [last, togglePlay, jumps]);

  // The link follows the position (replaceState: stepping does not fill the history) ...
  useEffect(() => {
    if (window.location.hash !== hashForStep(pos)) {
      window.history.replaceState(null, '', hashForStep(pos));
    }
  }, [pos]);
  // ... and an edited or followed link moves the position.
  useEffect(() => {
    const onHash = (): void => {
      const n = stepFromHash(window.location.hash);
      if (n !== undefined) setPosRaw(clamp(n));
    };
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, [clamp]);

  return { pos, setPos, playing, togglePlay };
}
