#!/usr/bin/env node
// The workspace runs from TypeScript source: register tsx in this process, then run the CLI.
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { register } from 'tsx/esm/api';

const here = path.dirname(fileURLToPath(import.meta.url));
register({ tsconfig: path.join(here, '../../../tsconfig.json') });
const { main, reportFailure } = await import(pathToFileURL(path.join(here, '../src/cli.ts')).href);
main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (error) => {
    reportFailure(error);
    process.exit(1);
  },
);
