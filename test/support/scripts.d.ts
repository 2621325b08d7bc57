declare module '*/write-json-schema.mjs' { export function manifestJsonSchema(): Record<string, unknown>; }
