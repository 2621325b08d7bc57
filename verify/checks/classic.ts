/**
 * Docker's classic builder: `gcloud builds submit --tag` and `gcloud run deploy --source .` build
 * the Dockerfile with it on Cloud Build. The project must build there unchanged (no `RUN --mount`,
 * defaults for BUILDPLATFORM/TARGETARCH) into the same linux/amd64 image, and that image must
 * pass the runtime checks like the BuildKit one. The classic builder builds every stage up to
 * the target, the `test` stage too, so its build time includes the project's tests.
 */
import { runJobChecks, runServiceMain } from './runtime.js';
import { buildImage, formatBytes, type ImageInfo, inspectImage, tail } from '../docker.js';
import { type ProbeConfig, runServiceProbes } from './probes.js';
import type { Project } from '../project.js';
import { type CheckResult, fail, pass, seconds } from '../report.js';

export async function checkClassicBuild(project: Project, tag: string, buildkit: ImageInfo): Promise<CheckResult> {
  const build = await buildImage({ context: project.dir, tag, classic: true, noCache: process.env.VERIFY_NO_CACHE === '1' });
  const info = build.ok ? await inspectImage(tag) : null;
  if (!build.ok || !info) return fail('image:classic-build', build.timedOut ? 'classic build timed out' : 'classic build failed', tail(build.output, 30));
  const platform = `${info.os}/${info.architecture}`;
  const figure = `${seconds(build.ms)} (every stage, tests included), ${formatBytes(info.size)}, ${platform}, user "${info.user}"`;
  const values = { classicBuildSeconds: build.ms / 1000, classicSizeBytes: info.size };
  if (platform !== 'linux/amd64') return fail('image:classic-build', figure, 'Cloud Run runs linux/amd64 images', values);
  if (info.user !== buildkit.user) return fail('image:classic-build', figure, `the BuildKit image runs as "${buildkit.user}"`, values);
  return pass('image:classic-build', figure, values);
}

/** The runtime checks of the type, on the classic image, summed up as one result. */
export async function checkClassicRuntime(image: string, type: 'service' | 'job', probes: ProbeConfig | null): Promise<CheckResult> {
  let results: CheckResult[];
  try {
    results = type === 'service' ? [...(await runServiceMain(image)), ...(await runServiceProbes(image, probes))] : await runJobChecks(image);
  } catch (err) {
    return fail('runtime:classic-image', 'the runtime checks crashed', String(err));
  }
  const failed = results.filter((r) => !r.pass);
  if (failed.length === 0) return pass('runtime:classic-image', `${results.length} runtime checks pass: ${results.map((r) => r.check.replace('runtime:', '')).join(', ')}`);
  return fail('runtime:classic-image', `${failed.length} of ${results.length} fail: ${failed.map((r) => `${r.check} (${r.figure})`).join('; ')}`, failed.map((r) => r.detail ?? '').join('\n'));
}
