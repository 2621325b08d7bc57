/**
 * The installed package's own folder (package.json, templates/, schema/). This module sits one
 * level below it both as source (src/package-root.ts) and bundled (dist/index.cjs and the bundles
 * beside it in dist/), so the same relative URL finds it from either.
 */
export const PACKAGE_ROOT = new URL('../', import.meta.url);
