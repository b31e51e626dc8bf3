import { expect } from 'chai';
import { fileURLToPath } from 'node:url';
import { importsOf, importViolations, readSourceTree } from '../support/import-rules.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

describe('layering (docs/architecture.md)', () => {
  it('the source tree keeps every import rule', () => {
    const files = readSourceTree(ROOT, ['src', 'lab']);
    expect(files.length).to.be.above(50);
    expect(importViolations(files)).to.deep.equal([]);
  });

  describe('the checker catches each rule broken on purpose', () => {
    const cases: { rule: string; path: string; imports: string[] }[] = [
      { rule: 'src/core imports only src/core and no I/O', path: 'src/core/milestones.ts', imports: ['node:fs'] },
      { rule: 'src/core imports only src/core and no I/O', path: 'src/core/milestones.ts', imports: ['../runner/result.js'] },
      { rule: 'nothing under src/ imports the CLI', path: 'src/assert/chai-firedrill.ts', imports: ['../cli/summary.js'] },
      { rule: 'the harness never imports the lab', path: 'src/cli/../runner/drill.ts', imports: ['../../lab/lab.js'] },
      { rule: 'the harness never imports the lab', path: 'src/index.ts', imports: ['../lab/provider.js'] },
      { rule: 'kinds share helpers through modules of their own', path: 'src/signals/dns-answer.ts', imports: ['../probes/http.js'] },
      { rule: 'nothing ships imports the tests', path: 'lab/lab.ts', imports: ['../test/support/test-lab.js'] },
    ];
    for (const c of cases) {
      it(`${c.rule}: ${c.path} → ${c.imports[0]}`, () => {
        const path = c.path.replace('src/cli/../', 'src/');
        const violations = importViolations([{ path, imports: c.imports }]);
        expect(violations).to.have.length(1);
        expect(violations[0]).to.include(c.rule);
      });
    }

    it('allows what the rules allow: a kind using another kind\'s interface file, the CLI using the lab', () => {
      expect(importViolations([
        { path: 'src/steps/route53-record-change.ts', imports: ['../faults/fault.js', '../aws/route53-records.js'] },
        { path: 'src/cli/lab-command.ts', imports: ['../../lab/lab.js'] },
        { path: 'src/core/clock.ts', imports: ['node:perf_hooks'] },
      ])).to.deep.equal([]);
    });
  });

  it('reads static, type-only, re-exported and dynamic imports', () => {
    const source = "import { a } from './a.js';\nimport type { B } from '../b.js';\nexport { c } from './c.js';\nimport './side-effect.js';\nconst d = await import('./d.js');";
    expect(importsOf(source).sort()).to.deep.equal(['../b.js', './a.js', './c.js', './d.js', './side-effect.js']);
  });
});
