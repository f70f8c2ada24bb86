#!/usr/bin/env node
/**
 * The `cdk8s-asya` command (package.json `bin`): `npx cdk8s-asya lint <files or dirs>`.
 */
import { main } from './lint';

process.exitCode = main(process.argv.slice(2));
