// Integration: the extension's own command flows (src/commands.ts + src/rpc.ts, the code the
// palette commands run) against the real `kpm lsp` and a real registry on 127.0.0.1.
// The seed flow: login -> init -> push -> pull -> run, then add/update/tags/logout.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { Commands } = require('../../out/lib/commands');
const { FakeUi } = require('../unit/fakes');
const net = require('node:net');
const { LspCommandClient } = require('../../out/lib/rpc');
const { startRegistry, startServer, writePackage, serverGap } = require('./harness');

let reg;
let srv;
let work;

before(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'kpm-vscode-flows-'));
  reg = await startRegistry(path.join(work, 'registry'));
  srv = await startServer({ registryHost: reg.host });
});

after(async () => {
  if (srv) await srv.close();
  if (reg) reg.close();
});

// ok fails with the UI's error texts, labelled when the server lacks the command.
function ok(ui, what) {
  if (ui.errors.length === 0) return;
  const label = ui.errors.some(serverGap) ? '[server gap] ' : '';
  assert.fail(`${label}${what}: ${ui.errors.join(' | ')}`);
}

// refRe matches a pushed reference, with or without the oci:// scheme.
const refRe = (name, tag) => new RegExp(`^(oci://)?${reg.host.replace(/\./g, '\\.')}/test/${name}:${tag.replace(/\./g, '\\.')}$`);

const cmds = (ui) => new Commands(ui, srv.client);

test('initialize lists every workspace command of the contract', () => {
  const listed = srv.init.capabilities.executeCommandProvider?.commands ?? [];
  for (const c of ['kpm.init', 'kpm.login', 'kpm.logout', 'kpm.push', 'kpm.pull', 'kpm.run', 'kpm.add', 'kpm.update', 'kpm.checkUpdates', 'kpm.tags', 'kpm.status']) {
    assert.ok(listed.includes(c), `executeCommandProvider.commands lacks ${c}`);
  }
});

test('status bar data: default registry from kpm.json, not logged in yet', async () => {
  const ui = new FakeUi();
  const st = await cmds(ui).status();
  assert.ok(st, 'kpm.status failed');
  assert.equal(st.defaultRegistry, reg.host);
  assert.equal(st.defaultRepo, 'test');
  assert.equal(st.loggedIn, false);
});

test('Login to Registry: a wrong password is refused and never echoed', async () => {
  const ui = new FakeUi({ answers: [reg.host, 'test', 'not-the-password-77'] });
  assert.equal(await cmds(ui).login(), undefined);
  assert.equal(ui.errors.length, 1, 'one error shown');
  assert.ok(!ui.errors[0].includes('not-the-password-77'), `password in error: ${ui.errors[0]}`);
  assert.ok(!srv.stderr().includes('not-the-password-77'), 'password in server stderr');
  assert.ok(!JSON.stringify(srv.seen.showMessage).includes('not-the-password-77'), 'password in showMessage');
});

test('Login to Registry: prefilled registry, username, hidden password -> Login succeeded', async () => {
  const ui = new FakeUi({ answers: [reg.host, 'test', '1234'] });
  const res = await cmds(ui).login();
  ok(ui, 'login');
  assert.equal(ui.inputs[0].value, reg.host, 'registry input prefilled from kpm.status');
  assert.equal(ui.inputs[2].password, true);
  assert.equal(res.message, 'Login succeeded');
  assert.equal(ui.statuses.at(-1).loggedIn, true, 'status bar shows logged in');
});

test('Init Package creates kcl.mod, kcl.mod.lock and main.k and opens kcl.mod', async () => {
  const dir = path.join(work, 'app');
  fs.mkdirSync(dir);
  const ui = new FakeUi({ folder: dir, answers: ['app'] });
  const res = await cmds(ui).init();
  ok(ui, 'init');
  assert.ok(res);
  for (const f of ['kcl.mod', 'main.k']) assert.ok(fs.existsSync(path.join(dir, f)), `${f} missing`);
  assert.match(fs.readFileSync(path.join(dir, 'kcl.mod'), 'utf8'), /name = "app"/);
  assert.deepEqual(ui.openedFiles, [path.join(dir, 'kcl.mod')]);
});

test('Push Package: pushes with $/progress under the client token', async () => {
  const ui = new FakeUi({ packageDir: path.join(work, 'app') });
  const before = srv.progress.log.length;
  const res = await cmds(ui).push();
  ok(ui, 'push');
  assert.match(res.reference, refRe('app', '0.0.1'));
  assert.match(res.digest, /^sha256:[0-9a-f]{64}$/);
  const entry = srv.progress.log.slice(before).find((e) => e.title === 'Pushing package');
  assert.ok(entry, 'progress notification opened');
  assert.ok(entry.reports.length > 0, 'server reported $/progress under the workDoneToken');
});

test('Push Package again: "already exists" asks, declining sends nothing more, accepting forces', async () => {
  const dir = path.join(work, 'app');
  const no = new FakeUi({ packageDir: dir, confirm: false });
  assert.equal(await cmds(no).push(), undefined);
  ok(no, 'push (declined)');
  assert.equal(no.confirms.length, 1, 'asked before --force');
  assert.match(no.confirms[0].message, /already exists/);

  const yes = new FakeUi({ packageDir: dir, confirm: true });
  const res = await cmds(yes).push();
  ok(yes, 'push --force');
  assert.equal(yes.confirms.length, 1);
  assert.match(res.reference, refRe('app', '0.0.1'));
});

test('Pull Package: oci:// source with the tag picked from kpm.tags', async () => {
  const ui = new FakeUi({ answers: [`oci://${reg.host}/test/app`] });
  const res = await cmds(ui).pull();
  ok(ui, 'pull');
  assert.equal(ui.picks.length, 1, 'tag picker shown');
  assert.deepEqual(ui.picks[0].items.map((i) => i.label), ['0.0.1']);
  assert.ok(fs.existsSync(path.join(res.path, 'kcl.mod')), `pulled package at ${res.path}`);
});

test('Pull Package: name:version from the default registry', async () => {
  const ui = new FakeUi({ answers: ['app:0.0.1'] });
  const res = await cmds(ui).pull();
  ok(ui, 'pull name:version');
  assert.ok(fs.existsSync(path.join(res.path, 'main.k')));
});

test('Run Package: YAML opens in a new document', async () => {
  const ui = new FakeUi({ packageDir: path.join(work, 'app') });
  await cmds(ui).run();
  ok(ui, 'run');
  assert.equal(ui.yamlDocs.length, 1);
  assert.match(ui.yamlDocs[0], /The_first_kcl_program: Hello World!/);
});

test('Run Package: an evaluation error becomes a diagnostic at its file:line:col', async () => {
  const dir = writePackage(path.join(work, 'broken'), {
    'kcl.mod': '[package]\nname = "broken"\nedition = "v0.11.0"\nversion = "0.0.1"\n',
    'kcl.mod.lock': '',
    'main.k': 'a = 1\nb = undefined_name + 1\n',
  });
  const ui = new FakeUi({ packageDir: dir });
  await cmds(ui).run();
  assert.equal(ui.yamlDocs.length, 0);
  assert.equal(ui.errors.length, 1, 'one error shown');
  if (serverGap(ui.errors[0])) assert.fail(`[server gap] run: ${ui.errors[0]}`);
  const diags = ui.diagnostics.at(-1);
  assert.ok(diags.length >= 1, `no file:line:col in ${JSON.stringify(ui.errors[0])}`);
  assert.equal(diags[0].file, path.join(dir, 'main.k'));
  assert.equal(diags[0].line, 1, 'line 2 (0-based 1)');
});

test('Run Package: several syntax errors become one diagnostic each', async () => {
  const dir = writePackage(path.join(work, 'twoerrors'), {
    'kcl.mod': '[package]\nname = "twoerrors"\nedition = "v0.11.0"\nversion = "0.0.1"\n',
    'kcl.mod.lock': '',
    'main.k': 'a = 1 +\nb = 2\nc = )\n',
  });
  const ui = new FakeUi({ packageDir: dir });
  await cmds(ui).run();
  assert.equal(ui.yamlDocs.length, 0);
  assert.equal(ui.errors.length, 1, 'one error shown');
  const diags = ui.diagnostics.at(-1);
  assert.deepEqual(
    diags.map((d) => [d.file, d.line, d.kind]),
    [
      [path.join(dir, 'main.k'), 0, 'InvalidSyntax'],
      [path.join(dir, 'main.k'), 2, 'InvalidSyntax'],
    ],
  );
});

test('Cancel in the progress notification stops a pull stuck on a registry that never answers', async () => {
  // A "registry" that accepts connections and never answers.
  const sockets = [];
  const silent = net.createServer((sock) => sockets.push(sock));
  await new Promise((r) => silent.listen(0, '127.0.0.1', r));
  const port = silent.address().port;
  // The notification's Cancel button: cancelled once the server's progress has begun and the
  // registry got its connection.
  const reports = [];
  const progress = {
    withProgress(title, task) {
      const listeners = [];
      const token = {
        isCancellationRequested: false,
        onCancellationRequested: (f) => (listeners.push(f), { dispose() {} }),
      };
      const timer = setInterval(() => {
        if (sockets.length > 0 && reports.length > 0 && !token.isCancellationRequested) {
          token.isCancellationRequested = true;
          listeners.forEach((f) => f());
        }
      }, 20);
      return task((r) => reports.push(r), token).finally(() => clearInterval(timer));
    },
  };
  const ui = new FakeUi();
  const c = new Commands(ui, new LspCommandClient(() => srv.conn, progress));
  const started = Date.now();
  const res = await c.fromServer('kpm.pull', [{ source: `oci://127.0.0.1:${port}/test/stuck`, tag: '1.0.0' }]);
  for (const sock of sockets) sock.destroy();
  silent.close();
  assert.equal(res, undefined);
  assert.deepEqual(ui.errors, [], 'a cancelled command shows nothing');
  assert.ok(Date.now() - started < 15000, 'the pull ended right after Cancel');
  const sent = srv.seen.traffic.join('\n');
  assert.match(sent, /window\/workDoneProgress\/cancel/);
  assert.match(sent, /\$\/cancelRequest/);
  assert.ok(reports.some((r) => r.message === 'cancelled'), `progress ends 'cancelled': ${JSON.stringify(reports)}`);
});

test('Run Package with Options: option("env") gets the value', async () => {
  const dir = writePackage(path.join(work, 'opts'), {
    'kcl.mod': '[package]\nname = "opts"\nedition = "v0.11.0"\nversion = "0.0.1"\n',
    'kcl.mod.lock': '',
    'main.k': 'env = option("env")\n',
  });
  const ui = new FakeUi({ packageDir: dir, answers: ['env=prod'] });
  await cmds(ui).runWithOptions();
  ok(ui, 'run with options');
  assert.match(ui.yamlDocs[0] ?? '', /env: prod/);
});

test('Add Dependency: tags newest first from kpm.tags, kcl.mod gains the dependency', async () => {
  const lib = path.join(work, 'lib');
  for (const v of ['0.1.0', '0.2.0']) {
    writePackage(lib, {
      'kcl.mod': `[package]\nname = "lib"\nedition = "v0.11.0"\nversion = "${v}"\n`,
      'kcl.mod.lock': '',
      'main.k': `version = "${v}"\n`,
    });
    const ui = new FakeUi({ packageDir: lib });
    await cmds(ui).push();
    ok(ui, `push lib ${v}`);
  }
  const app = path.join(work, 'app');
  const ui = new FakeUi({ packageDir: app, answers: ['lib'] });
  const res = await cmds(ui).add();
  ok(ui, 'add');
  assert.deepEqual(ui.picks[0].items.map((i) => i.label), ['0.2.0', '0.1.0']);
  assert.equal(res.version, '0.2.0');
  assert.match(fs.readFileSync(path.join(app, 'kcl.mod'), 'utf8'), /^lib\b.*0\.2\.0/m);
  assert.match(fs.readFileSync(path.join(app, 'kcl.mod.lock'), 'utf8'), /oci_tag = "0\.2\.0"/);
});

test('Update Dependencies and Check for Dependency Updates', async () => {
  const app = path.join(work, 'app');
  const ui = new FakeUi({ packageDir: app });
  const up = await cmds(ui).update();
  ok(ui, 'update');
  assert.equal(typeof up.changed, 'boolean');
  const chk = await cmds(ui).checkUpdates();
  ok(ui, 'checkUpdates');
  assert.ok(Array.isArray(chk.updates));
});

test('files opened with the extension\'s language ids get diagnostics (kcl-mod)', async () => {
  const dir = writePackage(path.join(work, 'badmod'), {
    'kcl.mod': '[package]\nname = "badmod"\nedition = "v0.11.0"\nversion = "1.x"\n',
    'kcl.mod.lock': '',
  });
  const uri = 'file://' + path.join(dir, 'kcl.mod');
  srv.conn.sendNotification('textDocument/didOpen', {
    textDocument: { uri, languageId: 'kcl-mod', version: 1, text: fs.readFileSync(path.join(dir, 'kcl.mod'), 'utf8') },
  });
  const deadline = Date.now() + 15000;
  while (!(srv.seen.diagnostics.get(uri) || []).length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  const diags = srv.seen.diagnostics.get(uri) || [];
  assert.ok(diags.some((d) => d.range.start.line === 3 && /version/i.test(d.message)), JSON.stringify(diags));
});

test('tag completion in kcl.mod (what VS Code shows after `lib = "`) lists tags newest first', async () => {
  const dir = writePackage(path.join(work, 'consumer'), {
    'kcl.mod': '[package]\nname = "consumer"\nedition = "v0.11.0"\nversion = "0.0.1"\n\n[dependencies]\nlib = ""\n',
    'kcl.mod.lock': '',
  });
  const uri = 'file://' + path.join(dir, 'kcl.mod');
  srv.conn.sendNotification('textDocument/didOpen', {
    textDocument: { uri, languageId: 'kcl-mod', version: 1, text: fs.readFileSync(path.join(dir, 'kcl.mod'), 'utf8') },
  });
  let labels = [];
  const deadline = Date.now() + 20000;
  while (Date.now() < deadline) {
    const res = await srv.conn.sendRequest('textDocument/completion', { textDocument: { uri }, position: { line: 6, character: 7 } });
    labels = (Array.isArray(res) ? res : res?.items ?? []).map((i) => i.label);
    if (labels.includes('0.2.0') && labels.includes('0.1.0')) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  assert.deepEqual(labels.slice(0, 2), ['0.2.0', '0.1.0']);
});

test('the server\'s Run code lens on [package] opens the YAML through the extension (middleware)', async () => {
  const app = path.join(work, 'app');
  const uri = 'file://' + path.join(app, 'kcl.mod');
  srv.conn.sendNotification('textDocument/didOpen', {
    textDocument: { uri, languageId: 'kcl-mod', version: 1, text: fs.readFileSync(path.join(app, 'kcl.mod'), 'utf8') },
  });
  const lenses = (await srv.conn.sendRequest('textDocument/codeLens', { textDocument: { uri } })) || [];
  const run = lenses.find((l) => l.command?.command === 'kpm.run');
  assert.ok(run, `no kpm.run lens in ${JSON.stringify(lenses.map((l) => l.command?.command))}`);
  const ui = new FakeUi();
  await cmds(ui).fromServer(run.command.command, run.command.arguments);
  ok(ui, 'run lens');
  assert.match(ui.yamlDocs[0] ?? '', /The_first_kcl_program: Hello World!/);
});

test('Logout: Logout succeeded and the status bar shows logged out', async () => {
  const ui = new FakeUi({ answers: [reg.host] });
  const res = await cmds(ui).logout();
  ok(ui, 'logout');
  assert.equal(res.message, 'Logout succeeded');
  assert.equal(ui.statuses.at(-1).loggedIn, false);
});

test('the password typed at login never appeared in window/showMessage or window/logMessage', () => {
  const shown = [...srv.seen.showMessage, ...srv.seen.logMessage].map((m) => m.message).join('\n');
  assert.doesNotMatch(shown, /\b1234\b/);
});
