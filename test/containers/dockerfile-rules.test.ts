/**
 * Unit tests of the Dockerfile rules (verify/dockerfile-rules.ts) and the shell tokenizer
 * they use. Every rule is seen to pass on a good Dockerfile and to fail on a small bad one; a rule
 * without a failing example here fails the coverage test at the end. No Docker engine needed.
 */
import { describe, expect, it } from 'vitest';
import { copySourceIncludes, dependencySteps, lintDockerfile, parseDockerfile, RULES, type RuleId } from '../../verify/dockerfile-rules.js';
import { effectiveCommand, parseShell } from '../../verify/shell.js';

const GOOD = `# A good multi-stage Dockerfile: every rule passes.
ARG NODE_IMAGE=node:24-trixie-slim
FROM --platform=$BUILDPLATFORM \${NODE_IMAGE} AS deps
WORKDIR /app
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
# hadolint ignore=DL3008
RUN apt-get update \\
    # build tools for native modules
    && apt-get install -y --no-install-recommends python3 make \\
    && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --omit=dev && npm ls | head -n 3
RUN pip install --no-cache-dir flask==3.1.3

FROM deps AS test
COPY . .
RUN ["npm", "test"]

FROM gcr.io/distroless/nodejs24-debian13:nonroot
WORKDIR /app
ENV NODE_ENV=production
COPY --from=deps /app/node_modules ./node_modules
COPY src ./src
USER 65532:65532
CMD ["src/server.js"]
`;

/** Replaces one exact line/fragment of GOOD, and fails loudly if it is not there. */
function edit(find: string, replace: string, base = GOOD): string {
  expect(base.includes(find), `fixture edit target ${JSON.stringify(find)}`).toBe(true);
  return base.replace(find, replace);
}

const active = (text: string): RuleId[] => lintDockerfile(text).filter((f) => !f.ignored).map((f) => f.rule);

/** One or more bad Dockerfiles per rule; each must produce that rule's finding. */
const BAD: Record<RuleId, string[]> = {
  DL3002: [
    edit('USER 65532:65532', 'USER root'),
    edit('USER 65532:65532', 'USER 0'),
    edit('USER 65532:65532', 'USER 0:0'),
    edit('USER 65532:65532', 'USER nonroot'),
    edit('USER 65532:65532', 'USER 65532:nonroot'),
    edit('USER 65532:65532\n', ''),
    edit('USER 65532:65532', 'USER 65532\nUSER root'),
  ],
  DL3025: [edit('CMD ["src/server.js"]', 'CMD node src/server.js'), edit('CMD ["src/server.js"]', 'ENTRYPOINT /nodejs/bin/node src/server.js')],
  DL3006: [edit('FROM gcr.io/distroless/nodejs24-debian13:nonroot', 'FROM gcr.io/distroless/nodejs24-debian13'), edit('ARG NODE_IMAGE=node:24-trixie-slim', 'ARG NODE_IMAGE=node')],
  DL3007: [edit('FROM gcr.io/distroless/nodejs24-debian13:nonroot', 'FROM gcr.io/distroless/nodejs24-debian13:latest')],
  DL3029: [edit('FROM --platform=$BUILDPLATFORM', 'FROM --platform=linux/amd64')],
  DL3008: [edit('# hadolint ignore=DL3008\n', '')],
  DL3009: [edit(' \\\n    && rm -rf /var/lib/apt/lists/*', '')],
  DL3014: [edit('apt-get install -y --no-install-recommends', 'apt-get install --no-install-recommends')],
  DL3015: [edit('apt-get install -y --no-install-recommends', 'apt-get install -y')],
  DL3042: [edit('pip install --no-cache-dir flask', 'pip install flask'), edit('pip install --no-cache-dir flask', 'python3 -m pip install flask')],
  DL4006: [edit('SHELL ["/bin/bash", "-o", "pipefail", "-c"]\n', '')],
  DL3064: [
    edit('ENV NODE_ENV=production', 'ENV NODE_ENV=production API_KEY=abc'),
    edit('ENV NODE_ENV=production', 'ARG NPM_TOKEN'),
    edit('ARG NODE_IMAGE=node:24-trixie-slim', 'ARG NODE_IMAGE=node:24-trixie-slim\nARG DB_PASSWORD'),
    edit('ENV NODE_ENV=production', 'ENV CLIENT_SECRET=x'),
  ],
  DL3000: [edit('WORKDIR /app\nENV', 'WORKDIR app\nENV')],
  DL3003: [edit('RUN npm ci --omit=dev', 'RUN cd /app && npm ci --omit=dev')],
  DL3004: [edit('RUN npm ci --omit=dev', 'RUN sudo npm ci --omit=dev')],
  DL3020: [edit('COPY src ./src', 'ADD src ./src')],
  DL3045: [edit('WORKDIR /app\nENV', 'ENV')],
  DL4000: [edit('WORKDIR /app\nENV', 'MAINTAINER someone\nWORKDIR /app\nENV')],
  STAGES: [edit('FROM deps AS test', 'FROM deps AS check'), `FROM node:24-trixie-slim\nWORKDIR /app\nUSER 1000\nCMD ["node", "server.js"]\n`],
  ALPINE: [edit('ARG NODE_IMAGE=node:24-trixie-slim', 'ARG NODE_IMAGE=node:24-alpine')],
  PID1: [
    edit('CMD ["src/server.js"]', 'CMD ["npm", "start"]'),
    edit('CMD ["src/server.js"]', 'ENTRYPOINT ["/bin/sh", "-c", "node src/server.js"]'),
    edit('CMD ["src/server.js"]\n', ''),
  ],
};

describe('Dockerfile rules', () => {
  it('a good Dockerfile has no findings (its one allowed finding is reported as ignored)', () => {
    const findings = lintDockerfile(GOOD);
    expect(findings.filter((f) => !f.ignored)).toEqual([]);
    expect(findings.filter((f) => f.ignored).map((f) => f.rule)).toEqual(['DL3008']);
  });

  for (const [rule, cases] of Object.entries(BAD) as [RuleId, string[]][]) {
    it.each(cases.map((text, k) => [k, text] as const))(`${rule} fails on bad Dockerfile #%i`, (_k, text) => {
      expect(active(text)).toContain(rule);
    });
  }

  it('every rule has at least one failing example', () => {
    for (const rule of Object.keys(RULES) as RuleId[]) expect(BAD[rule]?.length ?? 0, rule).toBeGreaterThan(0);
  });

  it('a FROM that names an earlier stage is not an untagged image; scratch is fine', () => {
    const text = `FROM golang:1.26-trixie AS build\nWORKDIR /src\nFROM build AS test\nRUN ["go", "test", "./..."]\nFROM scratch\nCOPY --from=build /out/app /app\nUSER 65532:65532\nENTRYPOINT ["/app"]\n`;
    expect(active(text)).toEqual([]);
    expect(parseDockerfile(text).externalImages).toEqual(['golang:1.26-trixie']);
  });

  it('pipes inside quotes or substitutions are not pipes; `set -o pipefail` in the RUN itself is enough', () => {
    const base = `FROM debian:trixie AS test\nWORKDIR /a\nRUN %s\nFROM debian:trixie\nUSER 1000\nCMD ["/a"]\n`;
    expect(active(base.replace('%s', `grep 'a|b' file && echo "x|y"`))).toEqual([]);
    expect(active(base.replace('%s', `echo $(ls | wc -l)`))).toEqual([]);
    expect(active(base.replace('%s', `set -Eeuo pipefail; ls | wc -l`))).toEqual([]);
    expect(active(base.replace('%s', `ls | wc -l`))).toEqual(['DL4006']);
    expect(active(base.replace('%s', `true || false`))).toEqual([]);
  });

  it('heredoc RUN scripts are read line by line; a heredoc fed to a command is its input, not a script', () => {
    const script = `FROM debian:trixie AS test\nWORKDIR /a\nRUN <<EOT\nset -e\napt-get update\napt-get install -y --no-install-recommends curl=8.0\nEOT\nFROM debian:trixie\nUSER 1000\nCMD ["/a"]\n`;
    expect(active(script)).toEqual(['DL3009']);
    const input = `FROM debian:trixie AS test\nWORKDIR /a\nRUN cat <<EOT > /a/notes.txt\napt-get install curl | tee\nEOT\nFROM debian:trixie\nUSER 1000\nCMD ["/a"]\n`;
    expect(active(input)).toEqual([]);
  });

  it('a cache mount stands in for deleting apt lists and for --no-cache-dir', () => {
    const text = edit(
      'RUN pip install --no-cache-dir flask==3.1.3',
      'RUN --mount=type=cache,target=/root/.cache/pip pip install flask==3.1.3\nRUN --mount=type=cache,target=/var/lib/apt/lists apt-get update',
    );
    expect(active(text)).toEqual([]);
  });

  it('ENV PIP_NO_CACHE_DIR stands in for --no-cache-dir', () => {
    expect(active(edit('RUN pip install --no-cache-dir flask', 'ENV PIP_NO_CACHE_DIR=1\nRUN pip install flask'))).toEqual([]);
  });

  it('findings carry the instruction line', () => {
    const [finding] = lintDockerfile(edit('USER 65532:65532', 'USER root')).filter((f) => !f.ignored);
    expect(finding).toMatchObject({ rule: 'DL3002', line: 24 });
  });
});

describe('dependency steps (what a source-only edit must take from the cache)', () => {
  it('follows COPY --from into the stage that installs dependencies', () => {
    const analysis = dependencySteps(parseDockerfile(GOOD), 'src/server.js');
    expect(analysis.steps.map((s) => s.label)).toEqual(['[deps 3/6]', '[deps 5/6]', '[deps 6/6]']);
    expect(analysis.sourceCopies.map((s) => s.label)).toEqual(['[stage-2 4/4]']);
  });
  it('a Dockerfile that copies the source before installing has no dependency step', () => {
    const text = `FROM node:24-trixie-slim AS test\nWORKDIR /app\nCOPY . .\nRUN ["npm", "ci"]\nFROM test\nUSER 1000\nCMD ["node", "src/server.js"]\n`;
    expect(dependencySteps(parseDockerfile(text), 'src/server.js').steps).toEqual([]);
  });
  it('COPY sources match files, folders and globs', () => {
    expect(copySourceIncludes('.', 'src/a.js')).toBe(true);
    expect(copySourceIncludes('./src/', 'src/a.js')).toBe(true);
    expect(copySourceIncludes('src', 'srcx/a.js')).toBe(false);
    expect(copySourceIncludes('package*.json', 'package-lock.json')).toBe(true);
    expect(copySourceIncludes('package*.json', 'src/a.js')).toBe(false);
    expect(copySourceIncludes('*.go', 'main.go')).toBe(true);
    expect(copySourceIncludes('go.sum*', 'main.go')).toBe(false);
  });
});

describe('shell tokenizer', () => {
  it('splits commands on operators and removes quotes', () => {
    const script = parseShell(`A=1 apt-get install -y 'a b' "c\\"d" && echo $(x | y) || true; ls | wc`);
    expect(script.commands).toEqual([['A=1', 'apt-get', 'install', '-y', 'a b', 'c"d'], ['echo', '$(x | y)'], ['true'], ['ls'], ['wc']]);
    expect(script.operators).toEqual(['&&', '||', ';', '|']);
    expect(script.hasPipe).toBe(true);
    expect(effectiveCommand(script.commands[0]!)).toEqual(['apt-get', 'install', '-y', 'a b', 'c"d']);
  });
  it('treats redirections with & as part of a command', () => {
    expect(parseShell('make 2>&1 >/dev/null && echo ok').commands).toEqual([['make', '2>&1', '>/dev/null'], ['echo', 'ok']]);
  });
});
