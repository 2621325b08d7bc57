/**
 * Which templates the suite verifies, and the variants (template × type × package manager).
 *
 * The list comes from the generator itself (`--list-templates --json`), never from a list in the
 * suite; `VERIFY_TEMPLATE=<folder>` narrows it to one template folder (a contributed one, say) and
 * `VERIFY_TYPE=service|job` to one workload type.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { WorkloadType } from '../src/templates/manifest.js';
import { templateFacts } from './facts.js';
import { BIN, BUILTIN_TEMPLATES_DIR } from './paths.js';

export type { WorkloadType };


export interface TemplateInfo {
  readonly id: string;
  readonly name: string;
  readonly language: string;
  readonly types: readonly WorkloadType[];
  readonly dir: string;
  /** A folder under this repository's templates/ (a built-in template). */
  readonly builtIn: boolean;
  /** What to pass to --template: the id for a built-in template, the folder otherwise. */
  readonly templateArg: string;
  /** The manifest marks it as its language's default template. */
  readonly isDefault?: boolean;
}

export interface Variant {
  readonly template: TemplateInfo;
  readonly type: WorkloadType;
  /** `node-express/service`, `node-express/service+pnpm` */
  readonly key: string;
  /** More generator flags for this variant (`--package-manager pnpm`). */
  readonly args?: readonly string[];
}

function isBuiltIn(dir: string): boolean {
  return path.dirname(path.resolve(dir)) === BUILTIN_TEMPLATES_DIR;
}

let listing: TemplateInfo[] | undefined;

/** Every template the generator lists (`--list-templates --json`; asked once per process). */
export function listedTemplates(): TemplateInfo[] {
  if (listing) return listing;
  const listed = spawnSync(process.execPath, [BIN, '--list-templates', '--json'], { cwd: os.tmpdir(), encoding: 'utf8', timeout: 60_000 });
  if (listed.status !== 0) throw new Error(`create-cloudrun-app --list-templates --json failed: ${listed.stderr || listed.error}`);
  const list = JSON.parse(listed.stdout) as { id: string; name: string; language: string; default?: boolean; types: WorkloadType[]; dir: string }[];
  listing = list.map((t) => ({ id: t.id, name: t.name, language: t.language, types: t.types, dir: t.dir, builtIn: isBuiltIn(t.dir), templateArg: t.id, isDefault: t.default === true }));
  return listing;
}

/** Templates to verify: VERIFY_TEMPLATE's folder, or every template the generator lists. */
export function templatesToVerify(): TemplateInfo[] {
  const only = process.env.VERIFY_TEMPLATE;
  if (only) {
    const dir = path.resolve(only);
    const manifestPath = path.join(dir, 'template.json');
    if (!existsSync(manifestPath)) throw new Error(`VERIFY_TEMPLATE=${only}: no template.json in ${dir}`);
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { id: string; name: string; language: string; types: WorkloadType[] };
    const builtIn = isBuiltIn(dir);
    return [{ id: manifest.id, name: manifest.name, language: manifest.language, types: manifest.types, dir, builtIn, templateArg: builtIn ? manifest.id : dir }];
  }
  return listedTemplates();
}

/**
 * Every built-in template of a language gets the language layer's one job (the golden files prove
 * the output identical), so the job is verified once, with the language's default template.
 */
function jobVerifiedWithDefault(template: TemplateInfo, templates: readonly TemplateInfo[]): boolean {
  if (!template.builtIn || template.isDefault) return false;
  return templates.some((t) => t.builtIn && t.isDefault && t.language === template.language && t.types.includes('job'));
}

/**
 * Template × type, and per package manager where the language's verify.json lists several
 * (`packageManagers`: Node.js is verified with npm, its default, and with pnpm).
 * `VERIFY_TYPE=service|job` keeps one type, `VERIFY_PACKAGE_MANAGER=npm|pnpm` one manager.
 */
export function variantsOf(templates: readonly TemplateInfo[]): Variant[] {
  const onlyType = process.env.VERIFY_TYPE;
  if (onlyType && onlyType !== 'service' && onlyType !== 'job') throw new Error(`VERIFY_TYPE=${onlyType}: expected service or job`);
  const onlyPackageManager = process.env.VERIFY_PACKAGE_MANAGER;
  return templates.flatMap((template) =>
    template.types
      .filter((type) => !onlyType || type === onlyType)
      .filter((type) => type !== 'job' || !jobVerifiedWithDefault(template, templates))
      .flatMap((type): Variant[] => {
        const managers = templateFacts(template).packageManagers;
        if (!managers) return [{ template, type, key: `${template.id}/${type}` }];
        return managers
          .filter((pm) => !onlyPackageManager || pm === onlyPackageManager)
          .map((pm, index) => ({
            template,
            type,
            // The first (default) manager keeps the plain key, so mutants and reports read as before.
            key: index === 0 && pm === managers[0] ? `${template.id}/${type}` : `${template.id}/${type}+${pm}`,
            args: ['--package-manager', pm],
          }));
      }),
  );
}

