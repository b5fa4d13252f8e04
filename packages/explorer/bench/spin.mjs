// SPIN comparison (prints numbers, asserts nothing; run after `pnpm build`): one 2 + 2 ASID
// configuration of the 7.2 default space (Genoa, SNP on, modules, probe=0, sev_snp=1, no
// ciphertext hiding) exhausted by sevsim over the real layers, beside SPIN 6.5 generating,
// compiling and checking bench/sev-2plus2.pml, a Promela abstraction of it. CPU seconds
// (children's for SPIN and gcc), not wall time: the machine may be shared.
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configsOf, defaultSpace, exploreConfig, LAYER_FACTS, parseKernelChoice } from '../dist/index.js';

const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
const space = defaultSpace(parseKernelChoice('7.2'));
const words = ['genoa', 'snp=on', 'fw=default', 'builtin=-', 'probe=0', 'sev_snp=1'];
const config = configsOf(space, LAYER_FACTS).find(
  (c) => words.every((w) => c.label.split(' ').includes(w)) && !c.label.includes('cth_asids'),
);
const c0 = cpu();
const r = exploreConfig(space, config);
const sevsim = cpu() - c0;
console.log(`SPIN comparison — ${config.label}`);
console.log(
  `  sevsim (real layers): ${r.states} states, ${r.transitions} transitions, exhausted: ${r.exhausted}, ${r.violations.length} violations, ${sevsim.toFixed(2)} CPU s`,
);

if (spawnSync('spin', ['-V']).error) {
  console.log('  SPIN: not installed (apt-get install spin), skipped');
} else {
  const dir = mkdtempSync(join(tmpdir(), 'sevsim-spin-'));
  copyFileSync(new URL('./sev-2plus2.pml', import.meta.url), join(dir, 'model.pml'));
  // `times` prints the CPU time of the shell's children after each phase.
  const phase = (cmd) => {
    const out = execFileSync('sh', ['-c', `${cmd} >out.txt 2>&1; times`], { cwd: dir, encoding: 'utf8' });
    const [u, s] = out
      .trim()
      .split('\n')
      .pop()
      .split(/\s+/)
      .map((t) => {
        const m = /^(\d+)m([\d.]+)s$/.exec(t);
        return Number(m[1]) * 60 + Number(m[2]);
      });
    return { seconds: u + s, out: execFileSync('cat', ['out.txt'], { cwd: dir, encoding: 'utf8' }) };
  };
  const gen = phase('spin -a model.pml');
  const cc = phase('spin -a model.pml && gcc -w -O2 -DSAFETY -o pan pan.c');
  const check = phase('spin -a model.pml && gcc -w -O2 -DSAFETY -o pan pan.c && ./pan -m200000');
  const stored = /(\d+) states, stored/.exec(check.out)?.[1];
  const errors = /errors: (\d+)/.exec(check.out)?.[1];
  const compile = cc.seconds;
  const verify = check.seconds - cc.seconds;
  console.log(
    `  SPIN (Promela abstraction): ${stored} states, errors: ${errors}; generate ${gen.seconds.toFixed(2)} + compile ${(compile - gen.seconds).toFixed(2)} + check ${verify.toFixed(2)} = ${check.seconds.toFixed(2)} CPU s`,
  );
  console.log(`  sevsim / SPIN CPU: ${(sevsim / check.seconds).toFixed(2)}`);
}
