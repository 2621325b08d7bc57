/**
 * The development loop every generated README documents, for each built-in template's service:
 * started in the project's `test` stage image, a source edit must show up in `GET /` without a
 * manual restart. Its broken variant, the same service started without the reload, must not show
 * it in twice the time the loop needed (plus a margin), proving the check can fail.
 *
 * Skipped without a Docker engine (REQUIRE_DOCKER=1 makes that a failure), like the verification suite.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { removeImages, engineStatus } from '../../verify/docker.js';
import { buildTestStage, runDevLoop } from '../../verify/dev-loop.js';
import { templateFacts } from '../../verify/facts.js';
import { ensureBaseImages } from '../../verify/docker.js';
import { readDockerfile } from '../../verify/checks/static.js';
import { generateProject, removeProject } from '../../verify/project.js';
import { templatesToVerify, variantsOf } from '../../verify/templates.js';

// Go compiles its standard library on the first build in a fresh container: minutes on a busy 2-core machine.
const START_MS = 6 * 60_000;
const RELOAD_MS = 3 * 60_000;

const engine = await engineStatus();
const requireDocker = process.env.REQUIRE_DOCKER === '1';
/** `devLoop` of the template's verify.json: what its README says (a template without it is not tested here). */
const variants = variantsOf(templatesToVerify())
  .filter((v) => v.type === 'service' && !v.args?.includes('pnpm'))
  .flatMap((v) => {
    const facts = templateFacts(v.template).devLoop;
    return facts ? [{ variant: v, facts }] : [];
  });
const tags: string[] = [];
afterAll(async () => removeImages(tags), 120_000);

describe.runIf(engine.ok)('development loop (edit a source file, see the new answer)', () => {
  for (const { variant, facts } of variants) {
    it(`${variant.key}: \`${facts.command.join(' ')}\` reloads; \`${facts.withoutReload.join(' ')}\` does not`, async () => {
      const project = await generateProject(variant, { prefix: 'ccra-devloop-', name: 'verify-devloop' });
      try {
        const { model } = await readDockerfile(project);
        const bases = await ensureBaseImages(model.externalImages);
        expect(bases.ok, bases.log).toBe(true);
        const tag = `ccra-verify/devloop-${variant.template.id}:${process.pid}`;
        tags.push(tag);
        await buildTestStage(project, tag);
        const loop = await runDevLoop(tag, project, facts.command, facts.file, { startMs: START_MS, reloadWaitMs: RELOAD_MS });
        expect(loop.reloaded, `the edit did not show within ${RELOAD_MS / 1000} s:\n${loop.logs}`).toBe(true);
        process.stdout.write(`dev loop ${variant.key}: first 200 after ${(loop.startMs / 1000).toFixed(1)} s, edit visible after ${(loop.reloadMs / 1000).toFixed(1)} s\n`);
        const waitMs = 2 * loop.reloadMs + 3000;
        const broken = await runDevLoop(tag, project, facts.withoutReload, facts.file, { startMs: START_MS, reloadWaitMs: waitMs });
        expect(broken.reloaded, `without the reload, the edit showed up anyway:\n${broken.logs}`).toBe(false);
        if (facts.prettyLog) {
          const pretty = new RegExp(facts.prettyLog, 'm');
          expect(loop.logs, 'the dev loop logs readable lines (LOG_FORMAT=pretty)').toMatch(pretty);
          expect(broken.logs, 'the service started without the dev loop logs JSON').not.toMatch(pretty);
        }
      } finally {
        await removeProject(project);
      }
    }, 30 * 60_000);
  }
});

describe.runIf(!engine.ok)('development loop', () => {
  it.runIf(requireDocker)('a Docker engine answers (REQUIRE_DOCKER=1)', () => {
    expect.fail(engine.ok ? '' : engine.reason);
  });
  if (!requireDocker) it.skip(`skipped: ${engine.ok ? '' : engine.reason}`, () => {});
});
