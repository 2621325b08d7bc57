/**
 * The container tier: every template × type, from a fresh generation, built and run for real
 * (the check command, `npm run verify`, runs this file with VERIFY_TEMPLATE).
 *
 * One describe per variant, one test per check. The work itself runs in verify/pipeline.ts:
 * variants are started together in beforeAll and throttled there (VERIFY_CONCURRENCY builds at a
 * time, default 2; one variant's containers at a time, so timings are not disturbed by each
 * other), and each test awaits the result of its own check. The report (one line per check per
 * variant, with the measured figure) is printed at the end and written to .bench/verification.json.
 *
 * Without a Docker engine the tier is skipped with one line saying why, unless REQUIRE_DOCKER=1
 * (CI), which turns that into a failure.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engineStatus, removeImages, removeLeftoverContainers } from '../../verify/docker.js';
import { checkEdits, defaultLimits, runMutant, type MutantRun, verifyVariant, type VariantRun } from '../../verify/pipeline.js';
import { generateProject, removeProject } from '../../verify/project.js';
import { listedTemplates, templatesToVerify, type Variant, variantsOf } from '../../verify/templates.js';
import { CHECKS, CheckBoard, checksFor, formatReport, type MutantOutcome, titleOf, writeReport } from '../../verify/report.js';
import { templateFacts } from '../../verify/facts.js';
import { missingRequiredMutants, mutantsFor, NOT_MUTATION_TESTED } from '../../verify/mutants.js';

/** Per test: a check of the last variant waits behind the builds of the others. */
const TEST_TIMEOUT = 45 * 60_000;

const engine = await engineStatus();
const requireDocker = process.env.REQUIRE_DOCKER === '1';
const templates = templatesToVerify();
const variants = variantsOf(templates);
const builtIn = templates.filter((t) => t.builtIn);
/** Each template's mutants: verify.json of the template and its language, plus the generated ones. */
const mutantsOf = new Map(templates.map((t) => [t.id, mutantsFor(t)]));

describe('mutant definitions', () => {
  it('every check is failed by at least one mutant of the built-in templates, or is on the explained allow-list', () => {
    const failedBySome = new Set(listedTemplates().flatMap((t) => mutantsFor(t).flatMap((m) => m.mustFail)));
    const uncovered = CHECKS.map((c) => c.id).filter((id) => !failedBySome.has(id) && !(id in NOT_MUTATION_TESTED));
    expect(uncovered, 'checks that no mutant in templates/**/verify.json is expected to fail').toEqual([]);
  });
  for (const template of builtIn) {
    // Without an engine too: a template edit that leaves a mutant's `find` text behind shows up here,
    // not as a MISSED mutant in the next container run.
    it(`${template.id}: every mutant's edits apply to a freshly generated project`, { timeout: 120_000 }, async () => {
      for (const type of template.types) {
        const project = await generateProject({ template, type, key: `${template.id}/${type}` }, { prefix: 'ccra-mutant-edits-' });
        try {
          for (const mutant of mutantsOf.get(template.id)!.filter((m) => m.type === type)) {
            await expect(checkEdits(project, mutant), `${template.id}/${type} mutant ${mutant.id}`).resolves.toBeUndefined();
          }
        } finally {
          await removeProject(project);
        }
      }
    });
    it(`${template.id} has a mutant for every required kind (${template.types.join(', ')})`, () => {
      const missing = missingRequiredMutants(template, mutantsOf.get(template.id)!);
      expect(missing, `built-in template ${template.id} lacks mutants in its verify.json (or its language's)`).toEqual([]);
    });
  }
});

if (!engine.ok) {
  const line = `container tier ${requireDocker ? 'FAILED' : 'skipped'}: ${engine.reason}${requireDocker ? ' and REQUIRE_DOCKER=1 requires one' : ' (set REQUIRE_DOCKER=1 to make this a failure)'}`;
  process.stdout.write(`\n${line}\n`);
  describe('container tier', () => {
    it.runIf(requireDocker)('a Docker engine answers (REQUIRE_DOCKER=1)', () => {
      expect.fail(line);
    });
    if (!requireDocker) it.skip(`container tier skipped: ${engine.reason}`, () => {});
  });
} else {
  const runId = `${Date.now().toString(36)}-${process.pid}`;
  const limits = defaultLimits();
  const boards = new Map(variants.map((v) => [v.key, new CheckBoard(v.key, checksFor(v.type))]));
  const runs = new Map<string, VariantRun>(variants.map((v) => [v.key, { tags: [], standins: [], seconds: 0 }]));
  const mutantTags: string[] = [];
  // VERIFY_MUTANTS=0: the variants' checks only, for a quick targeted run (CI runs the mutants).
  const mutantPlan = process.env.VERIFY_MUTANTS === '0' ? [] : templates.flatMap((template) =>
    mutantsOf.get(template.id)!
      .filter((m) => template.types.includes(m.type) && variants.some((v) => v.template === template && v.type === m.type))
      .map((mutant) => ({ variant: variants.find((v) => v.template === template && v.type === mutant.type)!, mutant })),
  );
  const mutantRuns = new Map<string, Promise<MutantRun | Error>>();
  const mutantKey = (variant: Variant, id: string): string => `${variant.key}:${id}`;
  const work: Promise<unknown>[] = [];
  let tierStarted = 0;

  beforeAll(() => {
    tierStarted = performance.now();
    for (const variant of variants) work.push(verifyVariant(variant, boards.get(variant.key)!, limits, runId, runs.get(variant.key)!));
    for (const { variant, mutant } of mutantPlan) {
      const run = runMutant(variant, mutant, limits, runId, mutantTags).catch((err: unknown) => (err instanceof Error ? err : new Error(String(err))));
      mutantRuns.set(mutantKey(variant, mutant.id), run);
      work.push(run);
    }
    const contributed = templates.filter((t) => !t.builtIn && mutantsOf.get(t.id)!.length === 0);
    if (contributed.length) process.stdout.write(`\nno mutant definitions for ${contributed.map((t) => t.id).join(', ')} (not a built-in template): mutant tests not run\n`);
  });

  afterAll(async () => {
    await Promise.allSettled(work);
    const mutants: MutantOutcome[] = [];
    for (const { variant, mutant } of mutantPlan) {
      const run = await mutantRuns.get(mutantKey(variant, mutant.id))!;
      mutants.push(
        run instanceof Error
          ? { template: variant.template.id, type: variant.type, mutant: mutant.id, caught: false, failedChecks: [], note: run.message }
          : {
              template: variant.template.id,
              type: variant.type,
              mutant: mutant.id,
              caught: run.caught,
              failedChecks: run.results.filter((r) => !r.pass).map((r) => ({ check: r.check, figure: r.figure })),
              note: run.note,
            },
      );
    }
    const finished = performance.now();
    const report = {
      startedAt: new Date(Date.now() - (finished - tierStarted)).toISOString(),
      finishedAt: new Date().toISOString(),
      seconds: (finished - tierStarted) / 1000,
      engine: engine.version,
      standins: [...new Set([...runs.values()].flatMap((r) => r.standins))].sort(),
      variants: variants.map((v) => ({
        key: v.key,
        seconds: runs.get(v.key)!.seconds,
        results: boards.get(v.key)!.all().map((r) => ({ ...r, title: titleOf(r.check) })),
      })),
      mutants,
    };
    const file = await writeReport(report);
    process.stdout.write(`\n${formatReport(report)}\nreport written to ${file}\n`);
    if (process.env.VERIFY_KEEP_IMAGES !== '1') await removeImages([...[...runs.values()].flatMap((r) => r.tags), ...mutantTags]);
    await removeLeftoverContainers();
  }, 10 * 60_000);

  for (const variant of variants) {
    describe(variant.key, () => {
      for (const check of checksFor(variant.type)) {
        const gap = templateFacts(variant.template).knownGaps[check];
        it(
          gap ? `${titleOf(check)} (known gap: must still fail)` : titleOf(check),
          async () => {
            const result = await boards.get(variant.key)!.get(check);
            if (gap) {
              expect(result.pass, `${variant.key} ${titleOf(check)} passes now: remove it from knownGaps in ${variant.template.id}'s verify.json (${gap})`).toBe(false);
              return;
            }
            expect(result.pass, `${variant.key} ${titleOf(check)}: ${result.figure}\n${result.detail ?? ''}`).toBe(true);
          },
          TEST_TIMEOUT,
        );
      }
    });
  }

  // A contributed template has no mutants: the line printed in beforeAll says so, and an empty
  // describe would be an error.
  describe.runIf(mutantPlan.length > 0)('mutants (each must fail the checks it breaks)', () => {
    for (const { variant, mutant } of mutantPlan) {
      it(
        `${variant.key}: ${mutant.id} (${mutant.breaks}) fails ${mutant.mustFail.join(', ')}`,
        async () => {
          const run = await mutantRuns.get(mutantKey(variant, mutant.id))!;
          if (run instanceof Error) throw run;
          expect(run.caught, `${variant.key} mutant ${mutant.id}: ${run.note}`).toBe(true);
        },
        TEST_TIMEOUT,
      );
    }
  });
}
