import { expect, test } from 'vitest';
import { placeholder } from '@sevsim/hardware';
test('resolves source', () => expect(placeholder).toBe(1));
