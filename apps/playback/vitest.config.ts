import { mergeConfig } from 'vitest/config';
import { shared } from '../../vitest.shared';

export default mergeConfig(shared, {
  test: {
    // Builds the browser app once into a temp dir (tests never depend on a stale dist/app).
    globalSetup: ['./test/global-setup.ts'],
    // A browser on a shared 2-core machine can be starved for seconds: polls wait up to a minute
    // (the shared test timeout is ten).
    expect: { poll: { timeout: 60_000 } },
  },
});
