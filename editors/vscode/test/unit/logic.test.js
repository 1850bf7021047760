// Unit tests of the pure helpers (src/logic.ts).
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const L = require('../../out/lib/logic');

test('findServer: setting, then bundled, then PATH, else an error with a fix', () => {
  const base = { configured: '', extensionPath: '/ext', envPath: '/usr/bin:/opt/kpm/bin', platform: 'linux', home: '/home/u' };
  const cases = [
    { name: 'setting wins', l: { configured: '/x/kpm' }, exe: ['/x/kpm', '/ext/bin/kpm'], want: { path: '/x/kpm', source: 'setting' } },
    { name: 'setting with ~', l: { configured: '~/bin/kpm' }, exe: ['/home/u/bin/kpm'], want: { path: '/home/u/bin/kpm', source: 'setting' } },
    { name: 'bundled', l: {}, exe: ['/ext/bin/kpm', '/usr/bin/kpm'], want: { path: '/ext/bin/kpm', source: 'bundled' } },
    { name: 'PATH in order', l: {}, exe: ['/opt/kpm/bin/kpm'], want: { path: '/opt/kpm/bin/kpm', source: 'PATH' } },
  ];
  for (const c of cases) {
    const got = L.findServer({ ...base, ...c.l, isExecutable: (f) => c.exe.includes(f) });
    assert.deepEqual(got, c.want, c.name);
  }
  const bad = L.findServer({ ...base, configured: '/nope/kpm', isExecutable: () => false });
  assert.match(bad.error, /kpm\.server\.path.*\/nope\/kpm/);
  const none = L.findServer({ ...base, isExecutable: () => false });
  assert.match(none.error, /cannot find the kpm binary/);
  assert.match(none.error, /PATH/);
  assert.match(none.error, /kpm\.server\.path/);
});

test('findPackageDir walks up to the nearest kcl.mod', () => {
  const files = new Set(['/w/app/kcl.mod', '/w/kcl.mod']);
  const exists = (f) => files.has(f);
  assert.equal(L.findPackageDir('/w/app/sub/deep', exists), '/w/app');
  assert.equal(L.findPackageDir('/w/other', exists), '/w');
  assert.equal(L.findPackageDir('/elsewhere', exists), undefined);
});

test('parseRunErrors', () => {
  const cases = [
    { in: 'main.k:1:2: SyntaxError: unexpected token', want: [{ file: '/p/main.k', line: 0, character: 1, kind: 'SyntaxError', message: 'SyntaxError: unexpected token' }] },
    { in: '/abs/a.k:12:30: EvaluationError: undefined name x', want: [{ file: '/abs/a.k', line: 11, character: 29, kind: 'EvaluationError', message: 'EvaluationError: undefined name x' }] },
    { in: 'main.k:4:1: assertion failed', want: [{ file: '/p/main.k', line: 3, character: 0, kind: '', message: 'assertion failed' }] },
    { in: 'run /p: kcl.mod not found', want: [] },
    { in: 'error:\n  main.k:2:3: TypeError: bad\n', want: [{ file: '/p/main.k', line: 1, character: 2, kind: 'TypeError', message: 'TypeError: bad' }] },
  ];
  for (const c of cases) assert.deepEqual(L.parseRunErrors(c.in, '/p'), c.want, c.in);
});

test('statusBar shows the default registry and the login state', () => {
  const s = { defaultRegistry: 'localhost:5001', defaultRepo: 'test', loggedIn: true };
  assert.equal(L.statusBar(s).text, '$(package) localhost:5001 $(pass)');
  assert.match(L.statusBar(s).tooltip, /localhost:5001\/test \(logged in\)/);
  assert.match(L.statusBar({ ...s, loggedIn: false }).tooltip, /not logged in/);
  assert.match(L.statusBar(undefined, 'cannot find the kpm binary').tooltip, /cannot find/);
});

test('serverSettings maps section kpm to pkgPath/offline/registryCheckInterval', () => {
  const cfg = { pkgPath: '/k', offline: true, registryCheckInterval: 60, 'server.path': '/x' };
  const get = (k, d) => (k in cfg ? cfg[k] : d);
  assert.deepEqual(L.serverSettings(get), { pkgPath: '/k', offline: true, registryCheckInterval: 60 });
  assert.deepEqual(L.serverSettings((_k, d) => d), { pkgPath: '', offline: false, registryCheckInterval: 3600 });
});

test('isOci and isAlreadyExists', () => {
  assert.equal(L.isOci('oci://h/r/n'), true);
  assert.equal(L.isOci('helloworld:0.1.4'), false);
  assert.equal(L.isAlreadyExists("package version '0.0.1' already exists"), true);
  assert.equal(L.isAlreadyExists('unauthorized'), false);
});

test('statusBar: a server error is said once, without a doubled prefix', () => {
  const tip = L.statusBar(undefined, 'The kpm language server did not start: permission denied').tooltip;
  assert.equal(tip, 'KCL Package: The kpm language server did not start: permission denied');
  assert.equal(L.statusBar(undefined).tooltip, 'KCL Package: starting the language server');
  assert.equal(L.statusBar(undefined, 'x').text, '$(package) kpm $(error)');
});

test('serverFailure names the cause: the last stderr line, else the exit, else the spawn error', () => {
  const cases = [
    { stderr: 'some log\nkpm: unknown flag: --stdio\n', exit: { code: 2, signal: null }, want: 'The kpm language server did not start: unknown flag: --stdio' },
    { stderr: '', exit: { code: 3, signal: null }, want: 'The kpm language server did not start: it exited with code 3' },
    { stderr: '', exit: { code: null, signal: 'SIGKILL' }, want: 'The kpm language server did not start: it was killed by SIGKILL' },
    { stderr: 'ignored', spawnError: 'spawn /x/kpm EACCES', want: 'The kpm language server did not start: spawn /x/kpm EACCES' },
    { stderr: '', want: 'The kpm language server did not start: no answer to initialize' },
  ];
  for (const c of cases) assert.equal(L.serverFailure('did not start', c.stderr, c.exit, c.spawnError), c.want);
  assert.match(L.serverFailure('stopped', 'kpm: boom'), /^The kpm language server stopped: boom$/);
});

test('shortDigest, packageNameOf, nameOfSource, runDocumentTitle', () => {
  assert.equal(L.shortDigest('sha256:02b96d7d20b010ecfb39294f7a2add246224f1bbd3265f641740a3b5c0c8f46b'), 'sha256:02b96d7d20b0');
  assert.equal(L.shortDigest('d'), 'd');
  assert.equal(L.packageNameOf('[package]\nname = "hello"\nversion = "0.0.1"\n[dependencies]\nname = "x"\n'), 'hello');
  assert.equal(L.packageNameOf('[dependencies]\nname = "x"\n'), undefined);
  for (const [src, want] of [
    ['oci://localhost:5001/test/app?tag=0.1.0', 'app'],
    ['helloworld:0.1.4', 'helloworld'],
    ['/w/pkgs/app/', 'app'],
  ]) assert.equal(L.nameOfSource(src), want, src);
  assert.equal(L.runDocumentTitle('hello'), 'hello — kpm run.yaml');
});
