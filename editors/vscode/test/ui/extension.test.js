// The extension in a real VS Code (code-server) through its workbench, against the real `kpm lsp`
// and a real registry (user test, password 1234): one browser session walks a user's day in
// order, each step saving a screenshot. Run by scripts/test/editors-vscode-ui.sh.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { Workbench } = require('./workbench');

const kpm = process.env.KPM_BIN;
const registry = process.env.KPM_UI_REGISTRY;
const ws = process.env.KPM_UI_WORKSPACE;
const pkgHome = process.env.KCL_PKG_PATH;
const credentials = path.join(pkgHome, '.kpm', 'config', 'config.json');

// publishLib pushes package `lib` 0.1.0 and 0.2.0 with the CLI from a home of its own (the
// editor's home stays logged out), so the registry has tags to pick from.
function publishLib() {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'kpm-ui-lib-'));
  const env = { ...process.env, KCL_PKG_PATH: home };
  const dir = path.join(home, 'lib');
  fs.mkdirSync(dir);
  execFileSync(kpm, ['login', '-u', 'test', '--password-stdin', registry], { env, input: '1234\n' });
  execFileSync(kpm, ['init', '--version', '0.1.0'], { env, cwd: dir });
  fs.writeFileSync(path.join(dir, 'main.k'), 'greeting = "hello from lib"\n');
  execFileSync(kpm, ['push', `oci://${registry}/test/lib`], { env, cwd: dir });
  const mod = path.join(dir, 'kcl.mod');
  fs.writeFileSync(mod, fs.readFileSync(mod, 'utf8').replace('0.1.0', '0.2.0'));
  execFileSync(kpm, ['push', `oci://${registry}/test/lib`], { env, cwd: dir });
}

test('the kpm extension in code-server', async (t) => {
  assert.ok(kpm && registry && ws && pkgHome, 'KPM_BIN, KPM_UI_REGISTRY, KPM_UI_WORKSPACE and KCL_PKG_PATH are set');
  publishLib();
  const wb = await Workbench.open();
  const { page } = wb;
  const hello = path.join(ws, 'hello');
  t.after(() => wb.close());

  // Steps build on each other: after a failure the rest fail at once instead of timing out.
  let failed;
  const step = (name, f) =>
    t.test(name, async () => {
      if (failed) {
        const err = new Error(`not run: "${failed}" failed`);
        err.stack = err.message;
        throw err;
      }
      try {
        await f();
      } catch (err) {
        failed = name;
        await wb.record().catch(() => undefined);
        console.log(`notifications so far: ${JSON.stringify(wb.seen, null, 1)}`);
        throw err;
      } finally {
        await wb.shot(name.replace(/[^a-z0-9]+/gi, '-').toLowerCase()).catch(() => undefined);
      }
    });

  await step('the palette lists every KCL Package command', async () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '../../package.json'), 'utf8'));
    const want = pkg.contributes.commands.map((c) => `KCL Package: ${c.title}`).sort();
    // The palette fills in once the extension host has read the contributions.
    let titles = [];
    for (const deadline = Date.now() + 30000; Date.now() < deadline; ) {
      await wb.palette('KCL Package: ');
      await page.waitForTimeout(300);
      titles = (await wb.quickInputRows().locator('.label-name').allTextContents()).map((s) => s.trim()).sort();
      await page.keyboard.press('Escape');
      if (titles.length >= want.length) break;
      await page.waitForTimeout(1000);
    }
    assert.deepEqual(titles, want);
  });

  await step('login with a wrong password: an auth error, nothing stored; then the right one', async () => {
    await wb.runCommand('KCL Package: Login to Registry');
    // The first question carries the default registry from kpm.json.
    await wb.page.locator('.quick-input-widget .quick-input-title', { hasText: 'Login to Registry (1/3)' }).waitFor();
    assert.equal(await wb.quickInputBox().inputValue(), registry);
    await page.keyboard.press('Enter');
    await wb.answer('Login to Registry (2/3)', 'test');
    await wb.answer('Login to Registry (3/3)', 'wrong-password');
    const err = await wb.toast('unauthorized');
    assert.match(await err.textContent(), /wrong username or password/);
    assert.ok(!fs.existsSync(credentials) || !fs.readFileSync(credentials, 'utf8').includes(registry), 'no credentials stored');
    await wb.expectStatus({ text: registry, loggedIn: false });
    await wb.shot('login-wrong-password');
    await wb.clearToasts({ expectedErrors: 1 });

    await wb.runCommand('KCL Package: Login to Registry');
    await wb.answer('Login to Registry (1/3)', registry);
    await wb.answer('Login to Registry (2/3)', 'test');
    await wb.answer('Login to Registry (3/3)', '1234');
    await wb.toast('Login Succeeded');
    assert.ok(fs.readFileSync(credentials, 'utf8').includes(registry), 'credentials stored');
    await wb.expectStatus({ text: registry, loggedIn: true });
    await wb.progressClosed(`Logging in to ${registry}`);
  });

  await step('the status bar shows the default registry and the login state', async () => {
    const tip = await wb.statusTooltip();
    assert.match(tip, new RegExp(`default registry ${registry.replace(/\./g, '\\.')}/test \\(logged in\\)`));
    assert.doesNotMatch(tip, /kpm: kpm:/);
    await wb.clearToasts();
  });

  await step('init a package through the folder dialog', async () => {
    fs.mkdirSync(hello);
    await wb.runCommand('KCL Package: Init Package');
    await wb.pickFolder('Init Package', hello, 'Init here');
    await page.locator('.quick-input-widget .quick-input-message', { hasText: 'Package name' }).waitFor();
    assert.equal(await wb.quickInputBox().inputValue(), 'hello');
    await page.keyboard.press('Enter');
    await wb.toast('Initialized package hello');
    await wb.activeTab('kcl.mod');
    for (const f of ['kcl.mod', 'kcl.mod.lock', 'main.k']) assert.ok(fs.existsSync(path.join(hello, f)), f);
    await wb.clearToasts();
  });

  await step('push, then push again: a question before --force', async () => {
    await wb.runCommand('KCL Package: Push Package');
    const ref = `${registry}/test/hello:0.0.1`;
    const pushed = await wb.toast(`Pushed ${ref}`);
    // The reference and a short digest, not the whole sha256.
    assert.match(await pushed.textContent(), /\(sha256:[0-9a-f]{12}\)/);
    await wb.progressClosed('Pushing package');
    await wb.clearToasts();

    await wb.runCommand('KCL Package: Push Package');
    const dialog = page.locator('.monaco-dialog-box');
    await dialog.waitFor();
    assert.match(await dialog.textContent(), /already exists/);
    await wb.shot('push-force-question');
    await dialog.locator('.monaco-button', { hasText: 'Overwrite (--force)' }).click();
    await wb.toast(`Pushed ${ref}`);
    await wb.progressClosed('Pushing package');
    await wb.clearToasts();
  });

  await step('pull with the tag picked from the registry list', async () => {
    await wb.runCommand('KCL Package: Pull Package');
    await wb.answer('Pull Package', `oci://${registry}/test/lib`);
    const tags = await wb.pickRows('Pull Package');
    assert.deepEqual(tags.map((s) => s.split(/\s+/)[0]), ['0.2.0', '0.1.0']);
    await wb.pick('0.1.0');
    const pulled = await wb.toast(`Pulled ${registry}/test/lib:0.1.0 to `);
    const dir = /Pulled \S+ to (.+?)(Open kcl\.mod|$)/.exec((await pulled.locator('.notification-list-item-message').textContent()).trim())[1].trim();
    const listing = (d) => (fs.existsSync(d) ? fs.readdirSync(d).join(', ') : 'missing');
    assert.ok(fs.existsSync(path.join(dir, 'kcl.mod')), `lib 0.1.0 in ${dir}: ${listing(dir)}; home: ${listing(pkgHome)}`);
    await wb.progressClosed(`Pulling oci://${registry}/test/lib`);
    await wb.clearToasts();
  });

  await step('run: the YAML in a read-only document named after the package, reused', async () => {
    await wb.openFile(path.join(hello, 'main.k'));
    await wb.runCommand('KCL Package: Run Package');
    const title = 'hello — kpm run.yaml';
    await wb.activeTab(title);
    await wb.editorText(/The_first_kcl_program: Hello World!/);
    fs.writeFileSync(path.join(hello, 'main.k'), "The_first_kcl_program = 'Hello again!'\n");
    await wb.openFile(path.join(hello, 'main.k'));
    await wb.runCommand('KCL Package: Run Package');
    await wb.activeTab(title);
    await wb.editorText(/The_first_kcl_program: Hello again!/);
    assert.equal(await wb.tabs(title).count(), 1, 'one run document, reused');
    assert.equal(await page.locator('.tab.dirty').count(), 0, 'nothing unsaved');
    // Read-only: typing changes nothing.
    await page.keyboard.type('x');
    await wb.editorText(/The_first_kcl_program: Hello again!/);
    assert.equal(await page.locator('.editor-group-container').count(), 1, 'no second editor group');
    await wb.clearToasts();
  });

  await step('add a dependency with the tag picked from the registry list', async () => {
    await wb.openFile(path.join(hello, 'kcl.mod'));
    await wb.runCommand('KCL Package: Add Dependency');
    await wb.answer('Add Dependency', 'lib');
    const tags = await wb.pickRows('Add Dependency');
    assert.deepEqual(tags.map((s) => s.split(/\s+/)[0]), ['0.2.0', '0.1.0']);
    await wb.pick('0.1.0');
    await wb.toast('Added lib 0.1.0');
    await wb.editorText(/lib = "0\.1\.0"/);
    await wb.progressClosed('Adding lib');
    await wb.clearToasts();
  });

  await step('update dependencies', async () => {
    await wb.runCommand('KCL Package: Update Dependencies');
    await wb.toast('Dependencies');
    assert.match(fs.readFileSync(path.join(hello, 'kcl.mod.lock'), 'utf8'), /lib/);
    await wb.progressClosed('Updating dependencies');
    await wb.clearToasts();
  });

  await step('a version the registry does not have: squiggle, Problems entry, quick fix', async () => {
    await wb.openFile(path.join(hello, 'kcl.mod'));
    await wb.replaceInEditor('0.1.0', '9.9.9');
    const squiggle = page.locator('.monaco-editor .squiggly-warning');
    await squiggle.first().waitFor();
    await wb.runCommand('View: Focus Problems (Errors, Warnings, Infos)');
    const problem = page.locator('.markers-panel .monaco-list-row', { hasText: 'has no tag 9.9.9' });
    await problem.first().waitFor();
    assert.match(await problem.first().textContent(), /the newest is 0\.2\.0/);
    await wb.shot('problems-panel');
    await wb.openFile(path.join(hello, 'kcl.mod'));
    await wb.selectInEditor('9.9.9');
    await page.keyboard.press('Control+.');
    const fix = page.locator('.action-widget .monaco-list-row', { hasText: 'Use lib 0.2.0, the newest tag' });
    await fix.waitFor();
    await wb.shot('quick-fix');
    await wb.chooseAction('Use lib 0.2.0, the newest tag');
    await wb.editorText(/lib = "0\.2\.0"/);
    await squiggle.first().waitFor({ state: 'detached' });
  });

  await step('tag completion in kcl.mod', async () => {
    await wb.selectInEditor('0.2.0');
    await page.keyboard.press('Backspace');
    await page.keyboard.press('Control+Space');
    const rows = page.locator('.suggest-widget .monaco-list-row');
    await rows.first().waitFor();
    const labels = (await rows.allTextContents()).map((s) => s.trim());
    assert.ok(labels.some((s) => s.startsWith('0.2.0')), labels.join(', '));
    assert.ok(labels.some((s) => s.startsWith('0.1.0')), labels.join(', '));
    await wb.shot('tag-completion');
    await page.keyboard.press('Escape');
    await page.keyboard.press('Control+z');
  });

  await step('logout', async () => {
    await wb.runCommand('KCL Package: Logout from Registry');
    await wb.answer('Logout from Registry', registry);
    await wb.toast(`${registry}: Logout succeeded`);
    await wb.expectStatus({ text: registry, loggedIn: false });
    assert.ok(!fs.readFileSync(credentials, 'utf8').includes(registry), 'credentials removed');
    await wb.clearToasts();
  });

  await step('no unexpected error notifications', async () => {
    await wb.clearToasts();
    const errors = wb.seen.filter((n) => n.severity === 'error');
    assert.deepEqual(errors.map((n) => n.text.replace(/\s+/g, ' ')).filter((s) => !/unauthorized/.test(s)), []);
    assert.equal(errors.length, 1, 'only the wrong password');
  });

  await step('a server that cannot start: one toast with its cause, Show Output; commands say so at once', async () => {
    const broken = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'kpm-ui-broken-')), 'kpm');
    fs.writeFileSync(broken, '#!/bin/sh\necho "kpm: cannot open the package home: permission denied" >&2\nexit 3\n', { mode: 0o755 });
    await wb.setMachineSetting('kpm.server.path', 'Server: Path', broken);
    const ask = await wb.toast('restart the kpm language server?');
    await ask.locator('.monaco-button', { hasText: 'Restart' }).click();
    const failed = await wb.toast('permission denied');
    assert.match(await failed.textContent(), /kpm language server .*cannot open the package home: permission denied/);
    await failed.locator('.monaco-button', { hasText: 'Show Output' }).waitFor();
    await page.waitForTimeout(1000); // let any further toast arrive
    const errs = (await wb.currentToasts()).filter((n) => n.severity === 'error');
    assert.equal(errs.length, 1, `one error toast: ${JSON.stringify(errs)}`);
    const tip = await wb.statusTooltip();
    assert.match(tip, /permission denied/);
    assert.doesNotMatch(tip, /kpm: kpm:/);
    await wb.clearToasts();

    // Login says the server is down before asking anything, and the tooltip keeps the cause.
    await wb.runCommand('KCL Package: Login to Registry');
    await wb.toast('permission denied');
    assert.equal(await wb.quickInput().isVisible(), false, 'no question asked');
    await wb.progressClosed('Logging in');
    assert.match(await wb.statusTooltip(), /permission denied/);
    await wb.clearToasts();
  });
});
