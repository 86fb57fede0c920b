// Compiles apps/ and libs/ to dist/ with SWC (decorator metadata on, `@guichet/*` imports rewritten
// to relative paths), so services start with plain `node dist/apps/<name>/src/main.js`.
// The type check is `npm run typecheck`; this only transpiles.
import { copyFile, mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { transformFile } from '@swc/core';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist');
const isTest = (file) => /\.(spec|integration-spec)\.ts$/.test(file) || file.includes('/test-support/');

// JSON the code requires at run time (JSON Schemas), copied as they are.
const isAsset = (file) => file.endsWith('.json') && file.includes('/schema/');

async function* sources(dir) {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* sources(path);
    else if ((entry.name.endsWith('.ts') && !isTest(path)) || isAsset(path)) yield path;
  }
}

const options = {
  jsc: {
    target: 'es2023',
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true },
    baseUrl: root,
    paths: { '@guichet/*': ['libs/*/src/index.ts'] },
  },
  module: { type: 'commonjs' },
  sourceMaps: true,
};

await rm(out, { recursive: true, force: true });
let count = 0;
for (const top of ['apps', 'libs']) {
  for await (const file of sources(join(root, top))) {
    if (isAsset(file)) {
      await mkdir(dirname(join(out, relative(root, file))), { recursive: true });
      await copyFile(file, join(out, relative(root, file)));
      continue;
    }
    const target = join(out, relative(root, file)).replace(/\.ts$/, '.js');
    const { code, map } = await transformFile(file, { ...options, filename: file, outputPath: target });
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, `${code}\n//# sourceMappingURL=${target.split('/').pop()}.map\n`);
    if (map) await writeFile(`${target}.map`, map);
    count++;
  }
}
console.log(`built ${count} files into ${relative(root, out)}/`);
