// Unit tests of src/extension.ts against a stubbed `vscode` module and LanguageClient.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { makeStubs, install } = require('./vscode-stub');

const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '../../package.json'), 'utf8'));

// activateWith loads a fresh copy of the extension with the stubs and activates it.
async function activateWith(opts) {
  const stubs = makeStubs(opts);
  const uninstall = install(stubs);
  // A fresh copy of every module of the extension, so that each sees this test's stubs.
  const libDir = path.dirname(require.resolve('../../out/lib/extension'));
  for (const m of Object.keys(require.cache)) if (m.startsWith(libDir + path.sep)) delete require.cache[m];
  const ext = require(path.join(libDir, 'extension'));
  const extDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kpm-ext-'));
  fs.mkdirSync(path.join(extDir, 'bin'));
  fs.writeFileSync(path.join(extDir, 'bin', 'kpm'), opts.serverScript ?? '#!/bin/sh\n', { mode: 0o755 });
  if (opts.noBundledServer) fs.rmSync(path.join(extDir, 'bin', 'kpm'));
  const context = { subscriptions: [], extensionPath: extDir };
  const savedPath = process.env.PATH;
  if (opts.noBundledServer) process.env.PATH = '/nonexistent';
  try {
    await ext.activate(context);
  } finally {
    process.env.PATH = savedPath;
    uninstall();
  }
  return { ext, stubs, rec: stubs.rec, extDir };
}

const statusAnswer = { defaultRegistry: 'localhost:5001', defaultRepo: 'test', loggedIn: false };

test('activate starts `kpm lsp` from the bundled binary with every file kind in the selector', async () => {
  const { rec, extDir } = await activateWith({ server: () => statusAnswer });
  assert.equal(rec.clients.length, 1);
  const c = rec.clients[0];
  // The extension spawns the server itself (to keep its stderr): exactly `kpm lsp`, no --stdio.
  const child = await c.serverOptions();
  assert.deepEqual(child.spawnargs, [path.join(extDir, 'bin', 'kpm'), 'lsp']);
  await new Promise((resolve) => child.on('exit', resolve));
  // The client's own error notifications are silenced: the extension shows one of its own.
  assert.equal(c.clientOptions.initializationFailedHandler(new Error('x')), false);
  assert.deepEqual(c.clientOptions.errorHandler.closed(), { action: 1, handled: true });
  const langs = c.clientOptions.documentSelector.map((s) => s.language);
  for (const l of ['kcl-mod', 'kcl-mod-lock', 'json', 'kcl']) assert.ok(langs.includes(l), l);
  assert.ok(c.clientOptions.documentSelector.some((s) => s.pattern === '**/kpm.json'));
  // workspace/configuration for section "kpm" is the server's settings object.
  const conf = c.clientOptions.middleware.workspace.configuration({ items: [{ section: 'kpm' }] });
  assert.deepEqual(conf, [{ pkgPath: '', offline: false, registryCheckInterval: 3600 }]);
  // Server commands from code lenses/actions go through the extension's flows.
  assert.equal(typeof c.clientOptions.middleware.executeCommand, 'function');
  // The status bar shows the default registry from kpm.status.
  assert.equal(rec.statusItem.text, '$(package) localhost:5001 $(circle-slash)');
  assert.ok(rec.statusItem.shown);
  assert.equal(c.requests[0].params.command, 'kpm.status');
});

test('every palette command in package.json is registered, with IDs distinct from the server commands', async () => {
  const { rec } = await activateWith({ server: () => statusAnswer });
  const contributed = pkg.contributes.commands.map((c) => c.command).sort();
  assert.deepEqual([...rec.commands.keys()].sort(), contributed);
  for (const c of pkg.contributes.commands) {
    assert.equal(c.category, 'KCL Package');
    assert.match(c.command, /^kpm\.client\./);
  }
  for (const lang of ['kcl-mod', 'kcl-mod-lock', 'kcl']) assert.ok(pkg.activationEvents.includes(`onLanguage:${lang}`));
  assert.ok(pkg.activationEvents.includes('workspaceContains:**/kcl.mod'));
  // kpm.json is a JSON file: the extension starts for it too (the server only gets files named kpm.json).
  assert.ok(pkg.activationEvents.includes('onLanguage:json'));
  assert.ok(pkg.activationEvents.includes('workspaceContains:**/kpm.json'));
  const settings = Object.keys(pkg.contributes.configuration.properties).sort();
  assert.deepEqual(settings, ['kpm.offline', 'kpm.pkgPath', 'kpm.registryCheckInterval', 'kpm.server.path', 'kpm.trace.server']);
});

test('Login to Registry: three input boxes, the password one with password: true, progress in a notification', async () => {
  const sent = [];
  const { rec } = await activateWith({
    answers: ['localhost:5001', 'test', '1234'],
    server: (cmd, arg) => {
      sent.push([cmd, arg]);
      if (cmd === 'kpm.status') return { ...statusAnswer, loggedIn: sent.some(([c]) => c === 'kpm.login') };
      return { registry: 'localhost:5001', message: 'Login succeeded' };
    },
  });
  await rec.commands.get('kpm.client.login')();
  assert.equal(rec.inputBoxes.length, 3);
  assert.equal(rec.inputBoxes[0].value, 'localhost:5001');
  assert.deepEqual(rec.inputBoxes.map((b) => b.password), [false, false, true]);
  assert.deepEqual(sent.find(([c]) => c === 'kpm.login')[1], { registry: 'localhost:5001', username: 'test', password: '1234' });
  assert.equal(rec.progress.length, 1);
  assert.equal(rec.progress[0].opts.location, 15, 'ProgressLocation.Notification');
  assert.equal(rec.progress[0].opts.cancellable, true);
  assert.deepEqual(rec.infos, ['localhost:5001: Login succeeded']);
  assert.equal(rec.statusItem.text, '$(package) localhost:5001 $(pass)');
  // The request carried a workDoneToken so the server reports $/progress under it.
  const login = rec.clients[0].requests.find((r) => r.params.command === 'kpm.login');
  assert.equal(typeof login.params.workDoneToken, 'string');
});

test('Run Package shows a read-only document named after the package, reused by the next run; errors become diagnostics', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kpm-run-'));
  fs.writeFileSync(path.join(dir, 'kcl.mod'), '[package]\nname = "app"\n');
  let fail = false;
  let yaml = 'a: 1\n';
  const { rec, stubs } = await activateWith({
    server: (cmd) => {
      if (cmd === 'kpm.status') return statusAnswer;
      if (fail) {
        const e = new Error('main.k:2:7: NameError: name "x" is not defined');
        e.code = -32803;
        throw e;
      }
      return { yaml };
    },
  });
  stubs.vscode.window.activeTextEditor = { document: { uri: stubs.vscode.Uri.file(path.join(dir, 'main.k')) } };
  await rec.commands.get('kpm.client.run')();
  assert.equal(rec.documents.length, 1);
  const doc = rec.documents[0];
  assert.equal(doc.uri.scheme, 'kpm-run');
  assert.equal(doc.uri.path, '/app — kpm run.yaml');
  assert.equal(doc.getText(), 'a: 1\n');
  assert.deepEqual(rec.shown.map((s) => s.opts), [{ viewColumn: -1, preview: false }], 'in the active column');
  yaml = 'a: 2\n';
  await rec.commands.get('kpm.client.run')();
  assert.equal(rec.documents[1].uri.toString(), doc.uri.toString(), 'the same document');
  assert.equal(doc.getText(), 'a: 2\n');

  fail = true;
  await rec.commands.get('kpm.client.run')();
  const diags = rec.diagnostics.get(path.join(dir, 'main.k'));
  assert.equal(diags.length, 1);
  assert.deepEqual([diags[0].range.start.line, diags[0].range.start.character], [1, 6]);
  assert.equal(diags[0].message, 'NameError: name "x" is not defined');
  assert.equal(diags[0].code, 'NameError');
  assert.equal(diags[0].source, 'kpm run');
  assert.deepEqual(rec.errors, ['main.k:2:7: NameError: name "x" is not defined']);
});

test('Push Package asks in a modal warning before --force', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kpm-push-'));
  fs.writeFileSync(path.join(dir, 'kcl.mod'), '[package]\nname = "app"\n');
  const pushes = [];
  const { rec, stubs } = await activateWith({
    warningAnswer: 'Overwrite (--force)',
    server: (cmd, arg) => {
      if (cmd === 'kpm.status') return statusAnswer;
      pushes.push(arg);
      if (!arg.force) {
        const e = new Error("package version '0.0.1' already exists");
        e.code = -32803;
        throw e;
      }
      return { reference: 'oci://localhost:5001/test/app:0.0.1', digest: 'sha256:1' };
    },
  });
  stubs.vscode.window.activeTextEditor = { document: { uri: stubs.vscode.Uri.file(path.join(dir, 'kcl.mod')) } };
  await rec.commands.get('kpm.client.push')();
  assert.deepEqual(pushes, [{ path: dir }, { path: dir, force: true }]);
  assert.equal(rec.warnings.length, 1);
  assert.equal(rec.warnings[0].opts.modal, true);
  assert.deepEqual(rec.errors, []);
});

test('no kpm binary: a clear error naming the fix, commands explain instead of failing silently', async () => {
  const { rec } = await activateWith({ noBundledServer: true, answers: ['localhost:5001'], server: () => assert.fail('no server') });
  assert.equal(rec.clients.length, 0);
  assert.equal(rec.errors.length, 1);
  assert.match(rec.errors[0], /^The kpm language server did not start: cannot find the kpm binary/);
  assert.match(rec.errors[0], /kpm\.server\.path/);
  assert.deepEqual(rec.errorActions[0], ['Show Output', 'Open Settings']);
  await rec.commands.get('kpm.client.logout')();
  assert.equal(rec.inputBoxes.length, 0, 'no question asked');
  assert.equal(rec.errors.length, 2);
  assert.match(rec.errors[1], /cannot find the kpm binary/);
  assert.match(rec.statusItem.tooltip, /^KCL Package: The kpm language server did not start: cannot find the kpm binary/);
});

test('a server that exits at start: one error with the cause from its stderr and Show Output; the status bar keeps it', async () => {
  const { rec } = await activateWith({
    failStart: true,
    serverScript: '#!/bin/sh\necho "starting" >&2\necho "kpm: cannot open the package home: permission denied" >&2\nexit 3\n',
    server: () => assert.fail('no server'),
  });
  assert.deepEqual(rec.errors, ['The kpm language server did not start: cannot open the package home: permission denied']);
  assert.deepEqual(rec.errorActions, [['Show Output']]);
  const tooltip = rec.statusItem.tooltip;
  assert.equal(tooltip, 'KCL Package: The kpm language server did not start: cannot open the package home: permission denied');
  // Login says so at once, and the status bar still does afterwards.
  await rec.commands.get('kpm.client.login')();
  assert.equal(rec.inputBoxes.length, 0);
  assert.equal(rec.progress.length, 0);
  assert.equal(rec.errors.length, 2);
  assert.equal(rec.statusItem.tooltip, tooltip);
});

test('with kpm.trace.server "verbose", the login request is sent with tracing off, then tracing is restored', async () => {
  const { Trace } = require('vscode-languageserver-protocol');
  const { rec } = await activateWith({
    settings: { 'trace.server': 'verbose' },
    answers: ['localhost:5001', 'test', '1234'],
    server: (cmd) => (cmd === 'kpm.status' ? statusAnswer : { registry: 'localhost:5001', message: 'Login succeeded' }),
  });
  await rec.commands.get('kpm.client.login')();
  const c = rec.clients[0];
  const login = c.requests.find((r) => r.params.command === 'kpm.login');
  assert.equal(login.traces.at(-1), Trace.Off, 'trace off while the password travels');
  assert.equal(c.traces.at(-1), Trace.Verbose, 'trace restored');
  const status = c.requests.filter((r) => r.params.command === 'kpm.status');
  assert.ok(status.every((r) => r.traces.length === 0 || r.traces.at(-1) === Trace.Verbose), 'other requests traced as configured');
});

test('a change of kpm.offline, kpm.pkgPath or kpm.registryCheckInterval is pushed to the server as section "kpm"', async () => {
  const { rec, stubs } = await activateWith({ server: () => statusAnswer });
  const c = rec.clients[0];
  const before = c.requests.length;
  Object.assign(stubs.config, { offline: true, registryCheckInterval: 0, pkgPath: '/kpm/home' });
  const changed = new Set(['kpm.offline', 'kpm.registryCheckInterval', 'kpm.pkgPath', 'kpm']);
  for (const f of rec.configListeners) await f({ affectsConfiguration: (s) => changed.has(s) });
  assert.deepEqual(c.sent, [
    { method: 'workspace/didChangeConfiguration', params: { settings: { kpm: { pkgPath: '/kpm/home', offline: true, registryCheckInterval: 0 } } } },
  ]);
  assert.equal(c.requests.length, before + 1, 'the status bar is refreshed');
  assert.equal(c.requests.at(-1).params.command, 'kpm.status');
  // A change elsewhere sends nothing.
  for (const f of rec.configListeners) await f({ affectsConfiguration: () => false });
  assert.equal(c.sent.length, 1);
});
