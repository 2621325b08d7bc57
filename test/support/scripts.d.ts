declare module '*/write-json-schema.mjs' { export function manifestJsonSchema(): Record<string, unknown>; export function languageJsonSchema(): Record<string, unknown>; }
declare module '*/currency.mjs' {
  export function versionParts(version: string): number[];
  export function compareToNewest(pinned: string, newest: string): 'current' | 'behind' | 'ahead' | 'unknown';
  export function newestOf(versions: readonly (string | undefined)[]): string | undefined;
  export function parsePackages(text: string, wanted?: (name: string) => boolean): Map<string, string>;
  export function parseRelease(text: string): { codename: string; version: string } | undefined;
  export function upstreamVersion(version: string): string;
  export function newestToolchain(packages: Map<string, string>, pattern: RegExp): string | undefined;
  export function newestNodeLts(versions: readonly string[]): string | undefined;
  export function baseImages(dockerfile: string): string[];
  export function imagePins(image: string): { what: string; version: string | undefined; image: string }[];
  export function dependencyPins(file: string, text: string): { ecosystem: string; name: string; version: string; file: string }[];
  export function table(rows: unknown[][], header: string[]): string;
  export function reportText(report: { date: string; notes: string[]; rows: Record<string, unknown>[] }): string;
}
declare module '*/write-verify-schema.mjs' { export function verifyJsonSchema(): Record<string, unknown>; }
