/**
 * The installed package's own folder (package.json, templates/, schema/). This module sits one
 * level below it both as source (src/package-root.ts) and bundled (dist/index.js and its chunks,
 * all directly in dist/), so the same relative URL finds it from either.
 */
export const PACKAGE_ROOT = new URL('../', import.meta.url);
