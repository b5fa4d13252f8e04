import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkRepository, checkText, headings, type Repository } from '../src/citations';

// Built from pieces so that this file's own text stays a valid citation for the repository scan.
const S = '\u00a7';
const md = (name: string) => [name, 'md'].join('.');
const REF = 'docs/reference/';
const fw = REF + md('psp-firmware');
const ccp = REF + md('linux-ccp');
const up = ['..', 'shared'].join('/');

const repo: Repository = {
  exists: (path) => [fw, ccp, `docs/contracts/${md('scenario-v1')}`, 'docs/architecture.md'].includes(path),
  anchors: (name) =>
    name === 'psp-firmware'
      ? new Set(['2', '2.3', '3.2', 'Appendix A'])
      : name === 'linux-ccp'
        ? new Set(['3.3', '9.8'])
        : undefined,
};
const messages = (file: string, text: string) => checkText(file, text, repo).map((p) => p.message);

describe('the citation grammar of docs/reference/README.md', () => {
  it('reads numbered and appendix headings', () => {
    const md = '# Title\n## 2. Legacy\n### 2.3 Platform commands\n#### 2.3.1 Deep\n## Appendix A: Model\n';
    expect([...headings(md)]).toEqual(['2', '2.3', '2.3.1', 'Appendix A']);
  });

  it('accepts a reference whose heading exists, with detail text and continuation anchors', () => {
    expect(messages('a.ts', `fact: '${fw} ${S}2.3 INIT step 4: …' (${S}3.2 Effects, ${S}2)`)).toEqual([]);
    expect(messages('a.ts', `// ${fw} Appendix A invariants`)).toEqual([]);
  });

  it('rejects an anchor the cited file does not have', () => {
    expect(messages('a.ts', `// ${fw} ${S}3.14`)).toEqual([`${fw} has no heading ${S}3.14`]);
    expect(messages('a.ts', `// ${fw} Appendix B`)).toEqual([`${fw} has no heading "Appendix B"`]);
  });

  it('resolves each anchor against the nearest file before it on its line', () => {
    expect(messages('a.ts', `// ${fw} ${S}3.2, ${ccp} ${S}9.8 and ${S}3.3`)).toEqual([]);
    expect(messages('a.ts', `// ${ccp} ${S}9.8, ${S}2.3`)).toEqual([`${ccp} has no heading ${S}2.3`]);
  });

  it('rejects a bare section, except inside a reference file where it means that file', () => {
    expect(messages('packages/x/src/a.ts', `// the order of ${S}3.2 step 4`)).toEqual([
      `bare citation "${S}3.2": write docs/reference/<file>.md ${S}3.2 or a primary source`,
    ]);
    expect(messages(fw, `see ${S}2.3 and ${S}7.9`)).toEqual([`${fw} has no heading ${S}7.9`]);
  });

  it('accepts AMD specification sections as primary sources', () => {
    expect(messages('a.md', `AMD 55766 ${S}5.1.2 (API 0.17), AMD 56860 rev 1.51 ${S}8.17.2.5`)).toEqual([]);
  });

  it('reads regex-escaped citations in test patterns', () => {
    expect(messages('a.test.ts', `/guard — docs\\/reference\\/psp-firmware\\.md ${S}3\\.2 step 6/`)).toEqual(
      [],
    );
    expect(messages('a.test.ts', `/docs\\/reference\\/psp-firmware\\.md ${S}9\\.9/`)).toEqual([
      `${fw} has no heading ${S}9.9`,
    ]);
  });

  it('rejects paths outside the repository and reference names without their directory', () => {
    const notes = [up, 'reference', md('psp-firmware')].join('/');
    expect(messages('a.ts', `// ${notes} ${S}3.2`)).toEqual([
      `bare citation "${S}3.2": write docs/reference/<file>.md ${S}3.2 or a primary source`,
      `"${up}" is outside the repository`,
      `"${notes}" is not a repository path: cite ${fw}`,
    ]);
    expect(messages('a.ts', `// (${md('linux-ccp')})`)).toEqual([
      `"${md('linux-ccp')}" is not a repository path: cite ${ccp}`,
    ]);
    const contracts = ['shared', 'contracts'].join('/');
    expect(messages('a.ts', `// (${contracts}/${md('scenario-v1')})`)).toEqual([
      `"${contracts}" is outside the repository`,
      `"${contracts}/${md('scenario-v1')}" is not a repository path: cite docs/contracts/${md('scenario-v1')}`,
    ]);
    expect(messages('a.ts', `// docs/contracts/${md('scenario-v1')}, docs/architecture.md`)).toEqual([]);
    expect(messages('a.ts', `// ${REF}${md('anchors')}`)).toEqual([`${REF}${md('anchors')} does not exist`]);
  });
});

describe('the repository', () => {
  it('has no citation that does not resolve', () => {
    const root = fileURLToPath(new URL('../../..', import.meta.url));
    const problems = checkRepository(root).map((p) => `${p.file}:${p.line}: ${p.message}`);
    expect(problems).toEqual([]);
  });
});
