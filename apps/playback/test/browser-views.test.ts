/**
 * What a user reaches for while stepping (issue 14), in real chromium at 1400×1000: expected vs
 * real failures, the `f` / `n` keys, `#step=N` deep links, the step's commands and log lines above
 * the fold, no favicon request; the side-by-side view of the same scenario under 6.14 and 6.16,
 * served and as a report opened from disk with no network; a diagnosis trace's real log beside
 * the simulated one. Screenshots of the three views go to the printed temp dir.
 */
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { servePlayback, writeReport } from '../src/index.js';
import { haveChromium, launchChromium, openPage, position, text } from './fixtures/browser.js';
import { tempDir, writeTrace } from './fixtures/files.js';
import { diagnosisTrace, pairTraces, REAL_ONLY_LINE } from './fixtures/pair.js';
import { seedThreadTrace } from './fixtures/seed-thread.js';

const dir = tempDir('sevsim-playback-views-');
const shots = tempDir('sevsim-playback-shots-');
let browser: Browser;
let pairFiles: [string, string];
let diagnosisFile: string;

const hash = (page: Page) => page.evaluate(() => window.location.hash);
const classOf = async (page: Page, selector: string) =>
  (await page.locator(selector).getAttribute('class')) ?? '';

/** The element's box lies inside the 1400×1000 viewport and the page is not scrolled. */
async function visibleWithoutScrolling(page: Page, selector: string): Promise<void> {
  const box = await page.locator(selector).boundingBox();
  expect(box).not.toBeNull();
  expect(box!.y).toBeGreaterThanOrEqual(0);
  expect(box!.y + box!.height).toBeLessThanOrEqual(1000);
  expect(await page.evaluate(() => window.scrollY)).toBe(0);
}

describe.skipIf(!haveChromium)('stepping, side by side and diagnosis in chromium (1400×1000)', () => {
  beforeAll(async () => {
    browser = await launchChromium();
    const [a, b] = pairTraces();
    pairFiles = [writeTrace(dir, 'rmmod-6.14.json', a), writeTrace(dir, 'rmmod-6.16.json', b)];
    diagnosisFile = writeTrace(dir, 'diagnosis.json', diagnosisTrace(a));
    console.info(`screenshots: ${shots}`);
  });
  afterAll(() => browser?.close());

  it('single view: expected failure in yellow, f, #step=N both ways, the step above the fold, no favicon 404', async () => {
    const server = await servePlayback(writeTrace(dir, 'seed.json', seedThreadTrace), {
      appDir: inject('appDir'),
    });
    const { context, page, errors, requests, failures } = await openPage(browser);
    try {
      // A deep link opens at that step: 4, vm.init, which fails with EIO as the expect after it
      // requires (`{ok: false, errno: EIO}`): yellow like `sevsim run`, not red.
      await page.goto(`${server.url}#step=4`);
      await expect.poll(() => position(page)).toBe('step 4 of 6');
      expect(await classOf(page, '.frames button[aria-current=step]')).toContain('expected');
      expect(await classOf(page, '#step-summary')).toContain('expected');
      expect(await page.locator('#step-summary .mark').evaluate((e) => getComputedStyle(e).color)).toBe(
        'rgb(154, 103, 0)',
      );
      expect(await text(page, '[data-testid=kind-note]')).toBe(
        'expected: the expect after this step requires it to fail',
      );
      // Its firmware commands (kvm-amd retries SNP_INIT_EX, 0x3, then INIT is refused, 0x1:
      // docs/reference/psp-firmware.md §3.2, §2.3) and kernel log, unscrolled.
      expect(await page.locator('[data-testid=step-psp] tr').allInnerTexts()).toEqual([
        'SNP_INIT_EX (0x85)\tkvm_amd\tINVALID_CONFIG (0x03)\tSNP_INIT.msr-security',
        'INIT (0x01)\tkvm_amd\tINVALID_PLATFORM_STATE (0x01)\tINIT.snpen-needs-rmp',
      ]);
      await visibleWithoutScrolling(page, '[data-testid=step-psp]');
      await visibleWithoutScrolling(page, '[data-testid=step-dmesg]');
      // The firmware's state diagrams fit their panel: nothing to scroll sideways, no state cut off.
      const panel = (await page.locator('#panel-firmware').boundingBox())!;
      for (const svg of await page.locator('#panel-firmware figure.state-machine svg').all()) {
        const box = (await svg.boundingBox())!;
        expect(box.x + box.width).toBeLessThanOrEqual(panel.x + panel.width);
      }
      expect(await page.locator('#panel-firmware').evaluate((e) => e.scrollWidth <= e.clientWidth)).toBe(
        true,
      );
      await page.screenshot({ path: join(shots, 'single-step4-expected-failure.png') });

      // The position writes the link back; an edited link moves the position.
      await page.keyboard.press('ArrowRight');
      expect(await hash(page)).toBe('#step=5');
      await page.evaluate(() => {
        window.location.hash = '#step=2';
      });
      await expect.poll(() => position(page)).toBe('step 2 of 6');
      // f: the next failure (step 4) and no further; F back.
      await page.keyboard.press('Home');
      await page.keyboard.press('f');
      expect(await position(page)).toBe('step 4 of 6');
      await page.keyboard.press('f');
      expect(await position(page)).toBe('step 4 of 6');
      await page.keyboard.press('End');
      await page.keyboard.press('F');
      expect(await position(page)).toBe('step 4 of 6');
      // Step 1 (modprobe): SNP_INIT_EX 0x3 then INIT 0x1 at ccp probe, all four commands and the
      // probe's log lines above the fold at 1400×1000.
      await page.keyboard.press('Home');
      await page.keyboard.press('ArrowRight');
      expect(await page.locator('[data-testid=step-psp] tr').count()).toBe(4);
      await visibleWithoutScrolling(page, '[data-testid=step-psp] tr:last-child');
      await visibleWithoutScrolling(page, '[data-testid=step-dmesg] li:last-child');
      await page.screenshot({ path: join(shots, 'single-step1.png') });

      expect(requests.filter((u) => u.includes('favicon'))).toEqual([]);
      expect(failures).toEqual([]);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
      await server.close();
    }
  });

  it('side by side, served: 6.14 vs 6.16, n to each difference, what kvm-amd unload does only in 6.16', async () => {
    const server = await servePlayback(pairFiles, { appDir: inject('appDir') });
    const { context, page, errors, failures } = await openPage(browser);
    try {
      await page.goto(server.url);
      await expect
        .poll(() => text(page, '[data-testid=scenario-name-b]'))
        .toBe('rmmod-kvm-amd-keeps-platform-6.14');
      expect(await text(page, '.run-heading.side-a')).toContain('kernel 6.14');
      expect(await text(page, '.run-heading.side-b')).toContain('kernel 6.16');
      expect(await position(page)).toBe('boot');
      expect(await text(page, '[data-testid=difference-chips]')).toBe('no difference at this step');
      // n stops where something new differs: modprobe (6.16 kvm-amd initialises the platform
      // itself), rmmod kvm_amd, its expect, rmmod ccp.
      const stops: string[] = [];
      for (let i = 0; i < 5; i++) {
        await page.keyboard.press('n');
        stops.push(await position(page));
      }
      expect(stops).toEqual(['step 1 of 6', 'step 3 of 6', 'step 4 of 6', 'step 5 of 6', 'step 5 of 6']);
      await page.keyboard.press('N');
      await page.keyboard.press('N');
      expect(await position(page)).toBe('step 3 of 6');
      expect(await hash(page)).toBe('#step=3');
      // Step 3, rmmod kvm_amd: 6.16 shuts the platform down (docs/reference/linux-kvm-amd.md §3), 6.14 does not.
      expect(await text(page, '[data-testid=side-a] [data-testid=step-psp]').catch(() => '')).toBe('');
      expect(await text(page, '[data-testid=side-a] .activity')).toContain('none');
      const b = await page.locator('[data-testid=side-b] [data-testid=step-psp] tr').allInnerTexts();
      expect(b).toEqual([
        expect.stringMatching(/^SHUTDOWN \(0x02\)\s+kvm_amd\s+SUCCESS \(0x00\)/),
        expect.stringMatching(/^SNP_PAGE_RECLAIM \(0xC7\) ×512\s+kvm_amd\s+SUCCESS \(0x00\)/),
        expect.stringMatching(/^SNP_SHUTDOWN_EX \(0x86\)\s+kvm_amd\s+SUCCESS \(0x00\)/),
      ]);
      expect(await page.locator('[data-testid=side-b] [data-testid=step-psp] tr.only-here').count()).toBe(3);
      const diffRows = await page.locator('[data-testid=differences] tbody tr').allInnerTexts();
      expect(diffRows).toContainEqual(expect.stringMatching(/^layer state\s+firmware\.sev\s+INIT\s+UNINIT$/));
      expect(diffRows).toContainEqual(expect.stringMatching(/^layer state\s+firmware\.snp\s+INIT\s+UNINIT$/));
      await visibleWithoutScrolling(page, '[data-testid=side-b] [data-testid=step-psp]');
      await page.screenshot({ path: join(shots, 'side-by-side-rmmod.png') });
      // f: the first failure is 6.16's expect (it asks for the platform still INIT): red.
      await page.keyboard.press('Home');
      await page.keyboard.press('f');
      expect(await position(page)).toBe('step 4 of 6');
      expect(await classOf(page, '.frames button[aria-current=step]')).toMatch(/\bfailed\b/);
      expect(await classOf(page, '[data-testid=side-b]')).toMatch(/\bfailed\b/);
      expect(await text(page, '[data-testid=side-b] .failures')).toContain('firmware.sev');
      expect(failures).toEqual([]);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
      await server.close();
    }
  });

  it('side by side, report opened from file:// with #step=3: no network, same view', async () => {
    const out = join(dir, 'pair.html');
    await writeReport(pairFiles, out, { appDir: inject('appDir') });
    const { context, page, errors, requests, failures } = await openPage(browser);
    try {
      await page.goto(`file://${out}#step=3`);
      await expect.poll(() => position(page)).toBe('step 3 of 6');
      expect(await page.locator('[data-testid=side-b] [data-testid=step-psp] tr.only-here').count()).toBe(3);
      await page.keyboard.press('n');
      expect(await position(page)).toBe('step 4 of 6');
      expect(await hash(page)).toBe('#step=4');
      expect(requests.filter((u) => !u.startsWith('file://'))).toEqual([]);
      expect(failures).toEqual([]);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('diagnosis report: the real log beside the simulated one, unmatched lines marked, n to them', async () => {
    const out = join(dir, 'diagnosis.html');
    await writeReport(diagnosisFile, out, { appDir: inject('appDir') });
    const { context, page, errors, requests } = await openPage(browser);
    try {
      await page.goto(`file://${out}`);
      await expect
        .poll(() => text(page, '[data-testid=diagnosis-counts]'))
        .toMatch(
          /^\d+ lines matched · 1 only in the real log · 1 only in the simulation · replayed as rmmod-kvm-amd-keeps-platform-6\.14, kernel 6\.14$/,
        );
      expect(await text(page, 'h1')).toBe('Diagnosis of host-dmesg.txt');
      expect(await position(page)).toBe('boot');
      await page.keyboard.press('n');
      expect(await position(page)).toBe('step 1 of 6');
      const now = page.locator('[data-testid=diagnosis-rows] tr.now');
      expect(await now.locator('xpath=self::*[contains(@class, "only-sim")]').allInnerTexts()).toEqual([
        expect.stringMatching(/not in the real log\s+ccp 0000:03:00\.5: /),
      ]);
      expect(await now.locator('xpath=self::*[contains(@class, "only-real")]').allInnerTexts()).toEqual([
        expect.stringContaining(`${REAL_ONLY_LINE}\tnot simulated`),
      ]);
      await visibleWithoutScrolling(page, '[data-testid=diagnosis-rows] tr.now.only-real');
      await visibleWithoutScrolling(page, '#step-summary [data-testid=step-dmesg]');
      await page.screenshot({ path: join(shots, 'diagnosis-step1.png') });
      // The ordinary playback of the same trace is one click away.
      await page.getByRole('button', { name: 'Step through the simulation' }).click();
      await expect.poll(() => position(page)).toBe('step 1 of 6');
      expect(await page.locator('#panel-mailbox').count()).toBe(1);
      expect(requests.filter((u) => !u.startsWith('file://'))).toEqual([]);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
