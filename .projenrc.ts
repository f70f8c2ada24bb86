import { cdk8s, javascript, release } from 'projen';
import { UpdateSnapshot } from 'projen/lib/javascript';

const project = new cdk8s.ConstructLibraryCdk8s({
  name: 'cdk8s-asya',
  description:
    'Typed cdk8s constructs for asynchronous AI pipelines on Kubernetes: Asya actors, model backends (KAITO, KubeRay, KServe, Triton, vLLM), training jobs (Volcano, Kueue, Kubeflow) and the bindings between them.',
  author: 'cdk8s-asya maintainers',
  authorAddress: 'maintainers@example.com',
  repositoryUrl: 'https://github.com/example/cdk8s-asya.git',
  defaultReleaseBranch: 'main',
  license: 'Apache-2.0',
  keywords: ['cdk8s', 'kubernetes', 'asya', 'keda', 'kaito', 'kserve', 'kuberay', 'volcano', 'kueue', 'kubeflow', 'ai'],
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,

  // Toolchain: TypeScript 6 (7 breaks ts-jest), jsii 6.0 (tracks TS 6.0).
  jsiiVersion: '~6.0.0',
  typescriptVersion: '~6.0.3',

  // cdk8s v2 + constructs v10; cdk8s-plus-28 is a peer (jsii cannot expose bundled types).
  cdk8sVersion: '2.70.106',
  constructsVersion: '10.4.2',
  peerDeps: ['cdk8s-plus-28@^2.5.6'],
  devDeps: [
    'cdk8s-plus-28@2.5.6',
    'cdk8s-cli@2.207.60',
    'ts-jest@^29.4.15',
    'fast-check@^4.3.0',
    '@types/node@^20',
    'projen@0.103.25',
    // esbuild-based TypeScript runner: the README's main job loads src/ in about a second (ts-node: ~20 s).
    'tsx@^4.20.0',
  ],
  // Runtime dependencies that are not jsii modules must be bundled.
  bundledDeps: ['ajv@^8.17.1', 'yaml@^2.8.1'],

  // `npx cdk8s-asya lint <files or dirs>`: schema, Pod Security, policy and actor rules over any manifests.
  bin: { 'cdk8s-asya': 'lib/cli/cdk8s-asya.js' },

  // Python users get the same API through jsii.
  publishToPypi: {
    distName: 'cdk8s-asya',
    module: 'cdk8s_asya',
  },

  // CI is `.ci/run`. The only GitHub workflow is the release (npm + PyPI, version bump from conventional
  // commits, changelog), run by hand (Actions > release > Run workflow) once a maintainer has added the
  // NPM_TOKEN and TWINE_USERNAME / TWINE_PASSWORD secrets.
  github: true,
  githubOptions: { pullRequestLint: false, mergify: false },
  release: true,
  releaseTrigger: release.ReleaseTrigger.workflowDispatch(),
  releaseToNpm: true,
  majorVersion: 0,
  buildWorkflow: false,
  stale: false,
  depsUpgrade: false,
  pullRequestTemplate: false,

  eslintOptions: {
    dirs: ['src', 'test', 'examples', 'scripts', 'bench'],
    ignorePatterns: ['src/imports/**', '*.d.ts', 'node_modules/', 'lib/', 'dist/', 'coverage/'],
  },

  jestOptions: {
    // Snapshots never update themselves; `npx projen test:update` is for humans.
    updateSnapshot: UpdateSnapshot.NEVER,
    jestVersion: '^29',
    jestConfig: {
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      coveragePathIgnorePatterns: ['/node_modules/', '/src/imports/', '/test/'],
      testTimeout: 60000,
    },
  },
  gitignore: ['/dist/', '/bench/tmp/', '/.tmp/', '__pycache__/', '*.pyc'],
});

// Error messages are long sentences by design: do not wrap strings to fit a line limit.
project.eslint?.addRules({
  '@stylistic/max-len': ['error', { code: 160, ignoreUrls: true, ignoreStrings: true, ignoreTemplateLiterals: true, ignoreRegExpLiterals: true }],
});

// The test task must also report machine-readable results for `.ci/run`.
const testTask = project.tasks.tryFind('test');
testTask?.reset();
testTask?.exec('jest --passWithNoTests --json --outputFile=test-reports/jest-results.json --updateSnapshot=none', {
  receiveArgs: true,
});
testTask?.spawn(project.tasks.tryFind('eslint')!);

// `npx projen import`: regenerate L1 classes and validation schemas from the pinned CRDs, offline.
project.addTask('import', {
  description: 'Verify the pinned CRDs in imports/ (sha256) and regenerate src/imports/ and the validation schemas, offline',
  exec: 'ts-node --transpile-only --project test/tsconfig.json scripts/import.ts',
});

// The examples: synthesize each example app into dist/ with precompiled JS.
project.addTask('synth:examples', {
  description: 'Synthesize every example app into dist/<example>/ and validate it',
  exec: 'tsx scripts/synth-examples.ts',
  receiveArgs: true,
});

// Python bindings (offline, code only) as a smoke check that the API is jsii-clean.
const bindings = project.addTask('bindings:python', {
  description: 'Generate the Python bindings (code only, offline) and check they compile and carry every public type with its docs',
  exec: 'jsii-pacmak --targets python --code-only --outdir dist/bindings',
});
bindings.exec('python3 scripts/check_python_bindings.py');
// The Python example (examples/python) against the generated bindings: compiles; imports, keyword
// arguments and struct keys exist.
bindings.exec('python3 scripts/check_python_example.py');

// API.md is one long page: docs/api.md indexes it by layer.
project.tasks.tryFind('docgen')?.exec('tsx scripts/api-index.ts');
// A Python wheel needs setuptools from PyPI, which this project's machines cannot reach: packaging for
// Python generates and checks the bindings' code instead, so `npx projen build` works offline.
const packagePython = project.tasks.tryFind('package:python');
packagePython?.reset();
packagePython?.spawn(bindings);

// Synth cost, measured (never asserted in tests): writes bench/results.json and prints a table.
project.addTask('bench', {
  description: 'Benchmark synthesis against the plain-YAML floor (N = 10, 100, 1000); writes bench/results.json',
  exec: 'ts-node --transpile-only --project test/tsconfig.json bench/bench.ts',
  receiveArgs: true,
});

// The one command the README names for tests: everything CI checks.
const check = project.addTask('check', {
  description: 'Everything CI checks: build (lint, jsii, API.md, jest), example synth, Python bindings',
});
check.spawn(project.buildTask);
check.spawn(project.tasks.tryFind('synth:examples')!);
check.spawn(project.tasks.tryFind('bindings:python')!);

project.npmignore?.exclude('/examples/', '/scripts/', '/bench/', '/.ci/', '/test-reports/', '/docs/');
// The pinned upstream files only feed `npx projen import`; the package ships the converted schemas/.
project.addPackageIgnore('/imports/');
project.addPackageIgnore('/.tmp/');

project.synth();
