/**
 * Interactive questions: one clack group that asks only for what the flags left open, with one
 * cancel path. Nothing here touches the disk, so Ctrl-C at any prompt leaves nothing behind.
 */
import type { Readable, Writable } from 'node:stream';
import * as p from '@clack/prompts';
import { defaultName, isValidName, toCloudRunName, type Answers, type RawArgs } from '../options.js';
import { checkVariableValue, parseVariableText, type VariableValue, type WorkloadType } from '../templates/manifest.js';
import type { Template } from '../templates/registry.js';

export interface PromptIO {
  readonly input?: Readable;
  readonly output?: Writable;
}

/** Ctrl-C or Escape at a prompt; main() reports it and exits non-zero without writing. */
export class CancelledError extends Error {
  override name = 'CancelledError';
  constructor() {
    super('cancelled; nothing was written');
  }
}

export async function askForMissing(args: RawArgs, matches: readonly Template[], io: PromptIO): Promise<Answers> {
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
      templateId: () =>
        matches.length === 1
          ? undefined
          : p.select({
              ...io,
              message: 'Which language and framework?',
              options: matches.map((t) => ({ value: t.manifest.id, label: t.manifest.name, hint: t.manifest.id })),
            }),
      type: ({ results }) => {
        const template = byId.get(results.templateId ?? '') ?? matches[0]!;
        if (args.type !== undefined || template.manifest.types.length === 1) return undefined;
        return p.select<WorkloadType>({
          ...io,
          message: 'Cloud Run service or job?',
          options: [
            { value: 'service', label: 'Service', hint: 'answers HTTP requests, scales with traffic' },
            { value: 'job', label: 'Job', hint: 'runs tasks to completion, then exits' },
          ].filter((option) => template.manifest.types.includes(option.value as WorkloadType)) as p.Option<WorkloadType>[],
        });
      },
      name: ({ results }) => {
        if (args.name !== undefined) return undefined;
        const directory = args.directory ?? results.directory;
        const suggested =
          (directory ? toCloudRunName(directory.split(/[\\/]/).filter(Boolean).pop() ?? '') : undefined) ??
          defaultName((results.type as WorkloadType | undefined) ?? (args.type as WorkloadType | undefined) ?? 'service');
        return p.text({
          ...io,
          message: 'Cloud Run name?',
          placeholder: suggested,
          defaultValue: suggested,
          validate: (value) =>
            !value || isValidName(value) ? undefined : 'Lower-case letters, digits and hyphens; a letter first; no trailing hyphen; under 50 characters.',
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
    vars,
  };
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
