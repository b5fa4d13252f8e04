/**
 * The app in a real browser (Debian chromium, driven by playwright-core): the served app and the
 * one-file report, stepped through with the keyboard, the timeline and the slider, each panel's
 * text checked at known steps of the fixture traces; an HTML-injection trace stays inert and a
 * truncated trace shows its error. Screenshots go to a temp dir (path printed).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { renderReport, servePlayback, writeReport } from '../src/index.js';
import { launchChromium, haveChromium, openPage, position, text } from './fixtures/browser.js';
import { ciphertextHidingTrace } from './fixtures/ciphertext-hiding.js';
import { tempDir, writeTrace } from './fixtures/files.js';
import { generatedTraceFiles } from './fixtures/generated.js';
import { HOSTILE_LINE, HOSTILE_NAME, hostileTrace } from './fixtures/hostile.js';
import { seedThreadTrace } from './fixtures/seed-thread.js';

const dir = tempDir('sevsim-playback-browser-');
const shots = tempDir('sevsim-playback-shots-');
let browser: Browser;

async function newPage(): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  return openPage(browser, { width: 1500, height: 1100 });
}

describe.skipIf(!haveChromium)('playback in chromium', () => {
  beforeAll(async () => {
    browser = await launchChromium();
    console.info(`screenshots: ${shots}`);
  });
  afterAll(() => browser?.close());

  /** The seed thread trace step by step; the same checks for the served app and the report. */
  async function checkSeedThread(page: Page, shotName: string): Promise<void> {
    await expect
      .poll(() => text(page, '[data-testid=scenario-name]'))
      .toBe('snp-init-invalid-config-then-sev-init-fails');
    // Boot: nothing loaded, both firmware machines UNINIT, SNPEn already set on all 16 cores.
    expect(await position(page)).toBe('boot');
    expect(
      await page
        .locator('figure.state-machine')
        .evaluateAll((f) => f.map((x) => x.getAttribute('data-current'))),
    ).toEqual(['UNINIT', 'UNINIT']);
    expect(await text(page, '[data-testid=snpen-summary]')).toBe('set on 16 of 16 cores');
    expect(await text(page, '#panel-mailbox .mailbox tbody')).toBe('no firmware commands yet');
    expect(await text(page, '#panel-dmesg')).toContain('SEV-SNP: RMP table physical range');
    expect(await text(page, '[data-testid=kvm-module]')).toBe('not loaded');

    // → step 1, modprobe kvm_amd: ccp probe's SNP_INIT_EX 0x3 then INIT 0x1 (docs/reference/psp-firmware.md §4 item 1).
    await page.keyboard.press('ArrowRight');
    expect(await position(page)).toBe('step 1 of 6');
    expect(await text(page, '#panel-source li.current')).toContain('- modprobe: kvm_amd');
    const mailbox = await page.locator('#panel-mailbox .mailbox tbody tr').allInnerTexts();
    expect(mailbox).toHaveLength(4);
    expect(mailbox[2]).toMatch(
      /SNP_INIT_EX \(0x85\)\s+ccp\s+INVALID_CONFIG \(0x03\)\s+SNP_INIT\.msr-security — docs\/reference\/psp-firmware\.md §3\.2 step 6/,
    );
    expect(mailbox[3]).toMatch(
      /INIT \(0x01\)\s+ccp\s+INVALID_PLATFORM_STATE \(0x01\)\s+INIT\.snpen-needs-rmp — docs\/reference\/psp-firmware\.md §2\.3 INIT step 4/,
    );
    // The step's refused command: status red and bold, the guard id dim (--fail #b3261e, --dim
    // #6b7078); the guard used to come out red and bold too, its own rule outranked.
    const refused = page.locator('[data-testid=step-psp] tr.failed').first();
    const look = (cell: string) =>
      refused.locator(cell).evaluate((e) => `${getComputedStyle(e).color} ${getComputedStyle(e).fontWeight}`);
    expect(await look('td.status')).toBe('rgb(179, 38, 30) 600');
    expect(await look('td.guard')).toBe('rgb(107, 112, 120) 400');
    expect(await text(page, '[data-testid=kvm-module]')).toBe('loaded');
    expect(await page.locator('[data-testid=kvm-module]').getAttribute('class')).toBe('changed');
    expect(await text(page, '.asid-legend')).toMatch(
      /SNP\s+enabled 1–99[\s\S]*SEV-ES\s+enabled 1–99[\s\S]*SEV\s+enabled 100–1006/,
    );
    expect(await text(page, '[data-testid=asids-free]')).toBe('1006');
    expect(await page.locator('[data-testid=vm-types] li').allInnerTexts()).toEqual([
      '0 KVM_X86_DEFAULT_VM',
      '2 KVM_X86_SEV_VM',
      '3 KVM_X86_SEV_ES_VM',
      '4 KVM_X86_SNP_VM',
    ]);
    expect(await page.locator('#panel-dmesg li.now').allInnerTexts()).toContain(
      'ccp 0000:22:00.1: SEV: failed to INIT error 0x1, rc -5',
    );

    // End / Home, then the timeline button of step 4 (vm.init): the failing step and its explanation.
    await page.keyboard.press('End');
    expect(await position(page)).toBe('step 6 of 6');
    await page.keyboard.press('Home');
    expect(await position(page)).toBe('boot');
    await page.getByRole('button', { name: '✗ 4. vm.init' }).click();
    expect(await position(page)).toBe('step 4 of 6');
    expect(await text(page, '[data-testid=outcome]')).toBe(
      'failed · EIO · firmware INVALID_PLATFORM_STATE (0x01)',
    );
    expect(await text(page, '[data-testid=explanation]')).toMatch(
      /^INIT returned INVALID_PLATFORM_STATE \(0x01\): SYSCFG\.SNPEn is set/,
    );
    expect(await page.locator('#panel-mailbox .mailbox tr.now').count()).toBe(2);
    expect(await text(page, '#panel-vms tbody')).toMatch(/^a\s+sev\s+created\s+—$/);
    await page.screenshot({ path: join(shots, shotName), fullPage: true });

    // Scrub with the slider, then play: the position moves on by itself; space pauses it.
    await page.locator('input[type=range]').fill('6');
    expect(await position(page)).toBe('step 6 of 6');
    expect(await text(page, '#panel-vms tbody')).toMatch(/^a\s+sev\s+destroyed\s+—$/);
    await page.keyboard.press('Home');
    await page.keyboard.press('Space');
    expect(await page.locator('#play').getAttribute('aria-pressed')).toBe('true');
    // It moves on by itself (how far by the time we look depends on the machine's load).
    await expect.poll(() => position(page)).toMatch(/^step [1-6] of 6$/);
    await page.keyboard.press('Space');
    expect(await page.locator('#play').getAttribute('aria-pressed')).toBe('false');
    const paused = await position(page);
    await page.waitForTimeout(1200);
    expect(await position(page)).toBe(paused);
  }

  it('served app: steps through the seed thread trace', async () => {
    const server = await servePlayback(writeTrace(dir, 'seed.json', seedThreadTrace), {
      appDir: inject('appDir'),
    });
    const { context, page, errors } = await newPage();
    try {
      await page.goto(server.url);
      await checkSeedThread(page, 'served-seed-vm-init.png');
      expect(errors).toEqual([]);
    } finally {
      await context.close();
      await server.close();
    }
  });

  it('report: the same checks offline, with no network request at all', async () => {
    const out = join(dir, 'seed.html');
    await writeReport(writeTrace(dir, 'seed2.json', seedThreadTrace), out, { appDir: inject('appDir') });
    const { context, page, errors } = await newPage();
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    try {
      await page.goto(`file://${out}`);
      await checkSeedThread(page, 'report-seed-vm-init.png');
      expect(requests.filter((u) => !u.startsWith('file://'))).toEqual([]);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('served app: a trace written by the engine (examples/snp-init-invalid-config-offline-cpu.yaml)', async () => {
    const server = await servePlayback(generatedTraceFiles.offlineCpu, { appDir: inject('appDir') });
    const { context, page, errors } = await newPage();
    try {
      await page.goto(server.url);
      await expect
        .poll(() => text(page, '[data-testid=scenario-name]'))
        .toBe('snp-init-invalid-config-offline-cpu');
      // CPU 3 kept offline: SNPEn is a per-core bit and its SMT sibling set it, so it reads set there
      // too; what CPU 3 missed is the per-thread MFDM (AMDSEV#154, the example's description).
      expect(await text(page, '[data-testid=snpen-summary]')).toBe('set on 192 of 192 cores (1 offline)');
      await page.keyboard.press('ArrowRight');
      expect(await text(page, '#panel-source li.current')).toContain('- modprobe: kvm_amd');
      expect(await text(page, '[data-testid=outcome]')).toBe('ok · firmware INVALID_CONFIG (0x03)');
      expect(await text(page, '[data-testid=explanation]')).toMatch(
        /^SNP_INIT_EX returned INVALID_CONFIG \(0x3\)/,
      );
      const rows = await page.locator('#panel-mailbox .mailbox tbody tr').allInnerTexts();
      expect(rows.map((r) => r.split('\t').slice(1, 4).join(' | '))).toEqual([
        'PLATFORM_STATUS (0x04) | ccp | SUCCESS (0x00)',
        'SNP_INIT_EX (0x85) | ccp | INVALID_CONFIG (0x03)',
        'INIT (0x01) | ccp | INVALID_PLATFORM_STATE (0x01)',
      ]);
      // AMDSEV#154: an offline thread missed the per-thread MFDM, so SNP_INIT_EX fails 0x3; legacy
      // INIT then finds SNPEn with no RMP and fails 0x1 (docs/reference/psp-firmware.md §2.3 INIT step 4).
      expect(rows[1]).toContain('SNP_INIT_EX.msrs-identical — AMD-ASPFW sev_hal.c sev_hal_check_msrs');
      expect(rows[2]).toContain('INIT.snpen-needs-rmp');
      expect(
        await page
          .locator('figure.state-machine')
          .evaluateAll((f) => f.map((x) => x.getAttribute('data-current'))),
      ).toEqual(['UNINIT', 'UNINIT']);
      await page.screenshot({ path: join(shots, 'served-generated-offline-cpu.png'), fullPage: true });
      expect(errors).toEqual([]);
    } finally {
      await context.close();
      await server.close();
    }
  });

  it('report: ciphertext-hiding split, ASIDs allocated and in reclaim, SEV WORKING', async () => {
    const out = join(dir, 'cth.html');
    await writeReport(writeTrace(dir, 'cth.json', ciphertextHidingTrace), out, { appDir: inject('appDir') });
    const { context, page } = await newPage();
    try {
      await page.goto(`file://${out}`);
      await page.getByRole('button', { name: '✓ 1. modprobe' }).click();
      // docs/reference/linux-kvm-amd.md §2.5: ciphertext_hiding_asids=50 → SNP 1–50, SEV-ES 51–99.
      expect(await text(page, '.asid-legend')).toMatch(
        /SNP\s+enabled 1–50[\s\S]*SEV-ES\s+enabled 51–99[\s\S]*SEV\s+enabled 100–1006/,
      );
      expect(await text(page, '[data-testid=iommu]')).toBe('translated, SNP enforcement on');
      expect(await text(page, '#panel-firmware .facts')).toContain('on, MAX_SNP_ASID 50');
      await page.getByRole('button', { name: '✓ 11. vm.destroy' }).click();
      expect(await text(page, '[data-testid=asids-in-use]')).toBe('51');
      expect(await text(page, '[data-testid=asids-reclaim]')).toBe('1');
      expect(await text(page, '[data-testid=asids-free]')).toBe('1004');
      const sev = page.locator('figure.state-machine').first();
      expect(await sev.getAttribute('data-current')).toBe('WORKING');
      // Drawn from the firmware's table: SHUTDOWN takes WORKING to UNINIT as well
      // (docs/reference/psp-firmware.md §2.1), an edge the hand-drawn diagram lacked.
      expect(await sev.locator('g.edge[data-from=WORKING][data-to=UNINIT] > text').textContent()).toBe(
        'SHUTDOWN',
      );
      expect(
        await sev.locator('g.edge').evaluateAll((g) => g.map((e) => `${e.dataset.from}→${e.dataset.to}`)),
      ).toEqual([
        'UNINIT→INIT',
        'UNINIT→UNINIT',
        'INIT→UNINIT',
        'WORKING→UNINIT',
        'INIT→WORKING',
        'WORKING→WORKING',
        'WORKING→INIT',
      ]);
      await page
        .locator('#panel-firmware .machines')
        .screenshot({ path: join(shots, 'firmware-diagrams.png') });
      expect(await text(page, '#panel-vms tbody')).toMatch(
        /snp1\s+snp\s+destroyed\s+—\s+es1\s+sev-es\s+running\s+51/,
      );
      expect(await text(page, '#panel-mailbox .mailbox tr.now')).toMatch(
        /SNP_DECOMMISSION \(0x90\)\s+kvm_amd\s+SUCCESS \(0x00\)/,
      );
      await page.screenshot({ path: join(shots, 'report-cth-destroy.png'), fullPage: true });
    } finally {
      await context.close();
    }
  });

  it('Open in Perfetto: PING until PONG, then posts the Chrome trace (ui.perfetto.dev stubbed)', async () => {
    const out = join(dir, 'perfetto.html');
    await writeReport(writeTrace(dir, 'p.json', seedThreadTrace), out, { appDir: inject('appDir') });
    const { context, page } = await newPage();
    // A stand-in for ui.perfetto.dev that speaks the documented protocol; no network is used.
    await context.route('https://ui.perfetto.dev/**', (route) =>
      route.fulfill({
        contentType: 'text/html',
        body: `<!doctype html><title>stub</title><script>
          addEventListener('message', (e) => {
            if (e.data === 'PING') { e.source.postMessage('PONG', '*'); return; }
            if (e.data && e.data.perfetto) {
              const json = JSON.parse(new TextDecoder().decode(e.data.perfetto.buffer));
              window.received = { title: e.data.perfetto.title, json };
              document.title = 'received';
            }
          });
        </script>`,
      }),
    );
    try {
      await page.goto(`file://${out}`);
      const [popup] = await Promise.all([
        context.waitForEvent('page'),
        page.getByRole('button', { name: 'Open in Perfetto' }).click(),
      ]);
      await expect
        .poll(() => text(page, '[data-testid=perfetto-status]'))
        .toBe('Sent the trace to Perfetto.');
      expect(popup.url()).toBe('https://ui.perfetto.dev/#!/');
      const received = await popup.evaluate(
        () =>
          (
            window as unknown as {
              received: {
                title: string;
                json: { traceEvents: { pid: number; name: string; args?: { status?: number } }[] };
              };
            }
          ).received,
      );
      expect(received.title).toBe('sevsim: snp-init-invalid-config-then-sev-init-fails');
      const fw = received.json.traceEvents.filter((e) => e.pid === 4 && e.name === 'SNP_INIT_EX');
      expect(fw.map((e) => e.args?.status)).toEqual([3, 3]);
    } finally {
      await context.close();
    }
  });

  it('an HTML-injection trace is shown as text and runs nothing, served and as a report', async () => {
    const tracePath = writeTrace(dir, 'hostile.json', hostileTrace);
    const server = await servePlayback(tracePath, { appDir: inject('appDir') });
    const out = join(dir, 'hostile.html');
    await writeReport(tracePath, out, { appDir: inject('appDir') });
    try {
      for (const url of [server.url, `file://${out}`]) {
        const { context, page } = await newPage();
        await page.goto(url);
        await expect.poll(() => text(page, '[data-testid=scenario-name]')).toBe(HOSTILE_NAME);
        expect(await text(page, '#panel-dmesg li:first-child')).toBe(HOSTILE_LINE);
        await page.getByRole('button', { name: '✗ 4. vm.init' }).click();
        expect(await text(page, '[data-testid=explanation]')).toContain('<iframe src="javascript:');
        expect(await text(page, '#panel-mailbox .mailbox')).toContain('<svg onload=');
        expect(await text(page, '#panel-source')).toContain('<script>window.__pwned="source"</script>');
        expect(
          await page.locator('#root img, #root iframe, #root b, #root script, #root svg[onload]').count(),
        ).toBe(0);
        expect(
          await page.evaluate(() => (window as unknown as { __pwned?: string }).__pwned),
        ).toBeUndefined();
        expect(await page.title()).toBe(`${HOSTILE_NAME} · sevsim playback`);
        await context.close();
      }
    } finally {
      await server.close();
    }
  });

  // Served traces are read once at start and refused there when truncated (server.test.ts), so a
  // truncated trace reaches the page only inside a report.
  it('a truncated trace shows a clear error in a report', async () => {
    const cut = JSON.stringify(seedThreadTrace).slice(0, 1500);
    const out = join(dir, 'cut.html');
    writeFileSync(out, await renderReport(cut, { appDir: inject('appDir') }));
    {
      {
        const url = `file://${out}`;
        const { context, page } = await newPage();
        await page.goto(url);
        await expect.poll(() => text(page, '[role=alert] h1')).toBe('Cannot play this trace');
        expect(await text(page, '[data-testid=load-error]')).toMatch(
          /^The trace is not valid JSON \(is the file truncated\?\): .*JSON/,
        );
        await context.close();
      }
      // A well-formed JSON document that is not a trace names the first wrong member.
      const { context, page } = await newPage();
      const notTrace = join(dir, 'not-trace.html');
      writeFileSync(
        notTrace,
        await renderReport('{"format":"sevsim-trace","version":1}', { appDir: inject('appDir') }),
      );
      await page.goto(`file://${notTrace}`);
      await expect
        .poll(() => text(page, '[data-testid=load-error]'))
        .toBe('This is not a sevsim trace: trace.file: missing (expected a string)');
      await page.screenshot({ path: join(shots, 'report-not-a-trace.png') });
      await context.close();
    }
  });
});
