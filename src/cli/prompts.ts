/**
 * Interactive questions: one clack group that asks only for what the flags left open, with one
 * cancel path. Nothing here touches the disk, so Ctrl-C at any prompt leaves nothing behind.
 * main() imports this module (and with it the prompt library) only when someone is at a terminal.
 */
import type { Readable, Writable } from 'node:stream';
import * as p from '@clack/prompts';
import type { GcloudDefaults } from '../gcloud-config.js';
import {
  DEFAULT_REGION,
  DEFAULT_TEMPLATE_ID,
  defaultName,
  isValidName,
  isValidProject,
  isValidRegion,
  toCloudRunName,
  type Answers,
  type RawArgs,
} from '../options.js';
import { workloadOf } from '../templates/layers.js';
import { checkVariableValue, parseVariableText, WORKLOAD_TYPES, type VariableValue, type WorkloadType } from '../templates/manifest.js';
import type { Template } from '../templates/registry.js';

import { CancelledError } from './cancelled.js';

/**
 * The parts of clack that main() uses directly. An object of its own rather than the module's
 * namespace: a re-exported namespace keeps every part of clack in the bundle.
 */
export const clack = { intro: p.intro, outro: p.outro, cancel: p.cancel, note: p.note, log: p.log, spinner: p.spinner };

export interface PromptIO {
  readonly input?: Readable;
  readonly output?: Writable;
}

export async function askForMissing(
  args: RawArgs,
  matches: readonly Template[],
  io: PromptIO,
  gcloud: GcloudDefaults = {},
): Promise<Answers> {
  const byId = new Map(matches.map((t) => [t.manifest.id, t]));
  const variableNames = [...new Set(matches.flatMap((t) => Object.keys(t.manifest.variables)))];
  const setByFlag = new Set(args.vars.map((pair) => pair.split('=')[0]));

  const answers = await p.group(
    {
      directory: () =>
        args.directory !== undefined
          ? undefined
          : p.text({
              ...io,
              message: 'Where should the project be created?',
              placeholder: args.name ?? 'leave empty to use the Cloud Run name',
            }),
      type: () => {
        const types = WORKLOAD_TYPES.filter((type) => matches.some((t) => t.manifest.types.includes(type)));
        if (args.type !== undefined || types.length === 1) return undefined;
        return p.select<WorkloadType>({
          ...io,
          message: 'Cloud Run service or job?',
          options: [
            { value: 'service', label: 'Service', hint: 'answers HTTP requests, scales with traffic' },
            { value: 'job', label: 'Job', hint: 'runs tasks to completion, then exits' },
          ].filter((option) => types.includes(option.value as WorkloadType)) as p.Option<WorkloadType>[],
        });
      },
      // A job belongs to its language, so for a job the question is the language; for a service,
      // the language and framework.
      templateId: ({ results }) => {
        const type = (results.type as WorkloadType | undefined) ?? (args.type as WorkloadType | undefined) ?? 'service';
        const choices = templateChoices(matches, type);
        if (choices.length <= 1) return Promise.resolve(choices[0]?.value); // nothing to ask
        const initial = choices.find((c) => c.value === DEFAULT_TEMPLATE_ID) ?? choices.find((c) => byId.get(c.value)?.manifest.default);
        return p.select({
          ...io,
          message: type === 'job' ? 'Which language?' : 'Which language and framework?',
          options: choices,
          ...(initial ? { initialValue: initial.value } : {}),
        });
      },
      // One question for the folder: the Cloud Run name follows from it, and is asked only when the
      // folder name had to be converted (or nothing usable was left of it).
      name: ({ results }) => {
        const directory = args.directory ?? results.directory;
        if (args.name !== undefined || !directory) return undefined;
        const folder = directory.split(/[\\/]/).filter(Boolean).pop() ?? '';
        const derived = toCloudRunName(folder);
        if (derived === folder) {
          p.log.info(`Cloud Run name: ${derived} (from the folder; --name chooses another)`, io);
          return undefined;
        }
        const suggested = derived ?? defaultName((results.type as WorkloadType | undefined) ?? (args.type as WorkloadType | undefined) ?? 'service');
        return p.text({
          ...io,
          message: `Cloud Run name? ("${folder}" is not one: lower-case letters, digits, hyphens)`,
          placeholder: suggested,
          defaultValue: suggested,
          validate: (value) =>
            !value || isValidName(value) ? undefined : 'Lower-case letters, digits and hyphens; a letter first; no trailing hyphen; under 50 characters.',
        });
      },
      region: () => {
        if (args.region !== undefined) return undefined;
        const suggested = gcloud.region !== undefined && isValidRegion(gcloud.region) ? gcloud.region : DEFAULT_REGION;
        return p.text({
          ...io,
          message: `Region?${suggested === gcloud.region ? ' (from your gcloud configuration)' : ''}`,
          placeholder: suggested,
          defaultValue: suggested,
          validate: (value) => (!value || isValidRegion(value) ? undefined : 'A Cloud Run region such as us-central1 or europe-west1.'),
        });
      },
      project: () => {
        if (args.project !== undefined) return undefined;
        const suggested = gcloud.project !== undefined && isValidProject(gcloud.project) ? gcloud.project : undefined;
        return p.text({
          ...io,
          message: `Google Cloud project?${suggested ? ' (from your gcloud configuration)' : ''}`,
          placeholder: suggested ?? 'leave empty to set it later (deploy.sh then uses gcloud config)',
          defaultValue: suggested ?? '',
          validate: (value) => (!value || isValidProject(value) ? undefined : 'A project id: 6-30 lower-case letters, digits or hyphens, a letter first.'),
        });
      },
      ...Object.fromEntries(
        variableNames.map((key) => [
          `var:${key}`,
          ({ results }: { results: { templateId?: string } }) => {
            const variable = (byId.get(results.templateId ?? '') ?? matches[0]!).manifest.variables[key];
            if (!variable || setByFlag.has(key)) return undefined;
            if (variable.type === 'boolean') return p.confirm({ ...io, message: variable.description, initialValue: variable.default });
            if (variable.choices) {
              return p.select<VariableValue>({
                ...io,
                message: variable.description,
                initialValue: variable.default,
                options: variable.choices.map((choice) => ({ value: choice, label: String(choice) })),
              });
            }
            return p.text({
              ...io,
              message: variable.description,
              placeholder: String(variable.default),
              defaultValue: String(variable.default),
              validate: (text) => {
                const value = parseVariableText(variable, text || String(variable.default));
                return value === undefined ? `Expected a ${variable.type}.` : checkVariableValue(variable, value);
              },
            });
          },
        ]),
      ),
    },
    {
      onCancel: () => {
        throw new CancelledError();
      },
    },
  );

  const record = answers as Record<string, unknown>;
  const vars: Record<string, VariableValue> = {};
  const template = byId.get((record.templateId as string | undefined) ?? '') ?? matches[0]!;
  for (const key of variableNames) {
    const answer = record[`var:${key}`];
    const variable = template.manifest.variables[key];
    if (answer === undefined || !variable) continue;
    vars[key] = typeof answer === 'string' ? (parseVariableText(variable, answer) ?? variable.default) : (answer as VariableValue);
  }
  return {
    directory: (record.directory as string | undefined) || undefined,
    templateId: record.templateId as string | undefined,
    type: record.type as WorkloadType | undefined,
    name: (record.name as string | undefined) || undefined,
    region: (record.region as string | undefined) || undefined,
    project: record.project as string | undefined,
    vars,
  };
}

/**
 * What to choose from for a workload type: each template for a service; for a job, one entry per
 * language whose layer owns the job (the language's default template stands for it), labelled
 * "Python 3.14 job", and each template that brings its own job.
 */
export function templateChoices(matches: readonly Template[], type: WorkloadType): { value: string; label: string; hint: string }[] {
  const supporting = matches.filter((t) => t.manifest.types.includes(type));
  if (type === 'service') return supporting.map((t) => ({ value: t.manifest.id, label: t.manifest.name, hint: t.manifest.id }));
  const choices = new Map<string, { value: string; label: string; hint: string }>();
  for (const template of supporting) {
    const { fromLanguage, title } = workloadOf(template, 'job');
    const key = fromLanguage ? `language:${template.manifest.language}` : template.manifest.id;
    if (choices.has(key) && !template.manifest.default) continue;
    choices.set(key, { value: template.manifest.id, label: title, hint: fromLanguage ? `--language ${template.manifest.language}` : template.manifest.id });
  }
  return [...choices.values()];
}

/** Asked only when the target folder is not empty; "No" (the default) cancels. */
export async function confirmOverwrite(displayDir: string, entries: number, io: PromptIO): Promise<void> {
  const answer = await p.confirm({
    ...io,
    message: `${displayDir} is not empty (${entries} entries). Replace its contents? (.git is kept)`,
    initialValue: false,
  });
  if (p.isCancel(answer) || !answer) throw new CancelledError();
}

export interface PostStepOffer {
  /** Ask about git init (false: decided by a flag, or it cannot run here). */
  readonly git: boolean;
  /** The install commands to offer, e.g. "npm install"; undefined: not asked. */
  readonly install?: string;
}

/** The after-writing steps, asked before anything is written; "Yes" is the default for both. */
export async function askPostSteps(offer: PostStepOffer, io: PromptIO): Promise<{ git?: boolean; install?: boolean }> {
  const answers = await p.group(
    {
      git: () => (offer.git ? p.confirm({ ...io, message: 'Initialise a git repository with a first commit?', initialValue: true }) : undefined),
      install: () =>
        offer.install !== undefined ? p.confirm({ ...io, message: `Install dependencies now (${offer.install})?`, initialValue: true }) : undefined,
    },
    {
      onCancel: () => {
        throw new CancelledError();
      },
    },
  );
  return { git: answers.git as boolean | undefined, install: answers.install as boolean | undefined };
}
