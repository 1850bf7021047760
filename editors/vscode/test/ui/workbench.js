// workbench.js: drives a real VS Code workbench (code-server) in Debian's Chromium through
// playwright-core, the way a user does: palette, quick inputs, dialogs, notifications, editors.
// scripts/test/editors-vscode-ui.sh starts code-server and passes its URL and paths in KPM_UI_*.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const assert = require('node:assert/strict');
const { chromium } = require('playwright-core');

const env = (name) => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run scripts/test/editors-vscode-ui.sh`);
  return v;
};

// Generous waits: the machine is a loaded 2-core CI box; every wait returns as soon as its
// condition holds.
const TIMEOUT = 30000;

class Workbench {
  constructor(browser, page) {
    this.browser = browser;
    this.page = page;
    this.artifacts = env('KPM_UI_ARTIFACTS');
    this.workspace = env('KPM_UI_WORKSPACE');
    this.registry = env('KPM_UI_REGISTRY');
    this.shots = 0;
    // Every notification toast seen so far (text), to find unexpected errors.
    this.seen = [];
  }

  static async open() {
    const browser = await chromium.launch({
      // Debian's Chromium, never a downloaded one; launch() gives it a fresh temporary profile.
      executablePath: '/usr/bin/chromium',
      headless: true,
      chromiumSandbox: false,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const page = await context.newPage();
    page.setDefaultTimeout(TIMEOUT);
    const wb = new Workbench(browser, page);
    await page.goto(env('KPM_UI_URL'));
    await page.locator('.monaco-workbench').waitFor();
    await page.locator('.statusbar').waitFor();
    wb.poller = setInterval(() => wb.record().catch(() => undefined), 500);
    return wb;
  }

  async close() {
    clearInterval(this.poller);
    await this.browser.close();
  }

  // shot saves a screenshot named after the step (NN-name.png) into the artifacts directory.
  async shot(name) {
    this.shots++;
    const file = path.join(this.artifacts, `${String(this.shots).padStart(2, '0')}-${name}.png`);
    await this.page.screenshot({ path: file });
    return file;
  }

  kpmStatus() {
    return this.page.locator('.statusbar-item', { has: this.page.locator('.codicon-package') });
  }

  // --- palette and quick input ----------------------------------------------------------------
  async palette(text) {
    await this.page.keyboard.press('F1');
    const input = this.quickInputBox();
    await input.waitFor();
    await input.fill(`>${text}`);
    return input;
  }

  quickInput() {
    return this.page.locator('.quick-input-widget');
  }

  quickInputBox() {
    return this.page.locator('.quick-input-widget .quick-input-box input');
  }

  quickInputRows() {
    return this.page.locator('.quick-input-widget .quick-input-list .monaco-list-row');
  }

  async quickInputTitle() {
    return (await this.page.locator('.quick-input-widget .quick-input-title').textContent())?.trim() ?? '';
  }

  // runCommand runs a palette command by its full title ("KCL Package: Login to Registry").
  async runCommand(title) {
    await this.palette(title);
    const row = this.quickInputRows().filter({ hasText: title }).first();
    await row.waitFor();
    await this.page.keyboard.press('Enter');
  }

  // answer waits for a quick input titled `title` (substring) whose prompt holds `prompt` (when
  // given) and types `value` + Enter.
  async answer(title, value, prompt) {
    await this.page.locator('.quick-input-widget .quick-input-title', { hasText: title }).waitFor();
    if (prompt) await this.page.locator('.quick-input-widget .quick-input-message', { hasText: prompt }).waitFor();
    const box = this.quickInputBox();
    await box.fill(value);
    await this.page.keyboard.press('Enter');
  }

  async waitQuickInputClosed() {
    await this.quickInput().waitFor({ state: 'hidden' });
  }

  // --- notifications --------------------------------------------------------------------------
  toasts() {
    return this.page.locator('.notifications-toasts .notification-toast');
  }

  // toast waits for a notification containing `text` and returns it.
  async toast(text) {
    const t = this.toasts().filter({ hasText: text }).first();
    await t.waitFor();
    return t;
  }

  // currentToasts lists the visible notifications: {severity: error|warning|info, text}.
  currentToasts() {
    return this.page.evaluate(() =>
      [...document.querySelectorAll('.notifications-toasts .notification-toast .notification-list-item')].map((el) => {
        const icon = el.querySelector('.notification-list-item-icon')?.className ?? '';
        const severity = /codicon-error/.test(icon) ? 'error' : /codicon-warning/.test(icon) ? 'warning' : 'info';
        const text = el.querySelector('.notification-list-item-message')?.textContent?.trim() ?? '';
        return { severity, text };
      }),
    );
  }

  // record keeps every notification seen (polled: toasts of a few seconds are not missed).
  async record() {
    for (const n of await this.currentToasts()) {
      if (!this.seen.some((s) => s.severity === n.severity && s.text === n.text)) this.seen.push(n);
    }
  }

  // clearToasts records and closes every toast.
  async clearToasts() {
    await this.record();
    await this.runCommand('Notifications: Clear All Notifications');
    await this.toasts().first().waitFor({ state: 'detached' });
  }

  // progressClosed waits until the progress notification titled `title` is gone (it must close
  // when its command ends) and checks that none is left spinning.
  async progressClosed(title) {
    await this.toasts().filter({ hasText: title }).first().waitFor({ state: 'detached', timeout: 10000 });
    assert.equal(await this.page.locator('.notifications-toasts .monaco-progress-container.active').count(), 0, 'no progress left');
  }

  // --- status bar -----------------------------------------------------------------------------
  async expectStatus({ text, loggedIn }) {
    const item = this.kpmStatus();
    await item.filter({ hasText: text }).first().waitFor();
    await item.locator(loggedIn ? '.codicon-pass' : '.codicon-circle-slash').first().waitFor();
  }

  async statusTooltip() {
    await this.record();
    await this.page.mouse.move(700, 400);
    await this.kpmStatus().first().hover();
    const hover = this.page.locator('.workbench-hover, .monaco-hover').filter({ hasText: 'KCL Package' }).last();
    await hover.waitFor();
    const text = (await hover.textContent()).trim();
    await this.page.mouse.move(700, 400);
    await hover.waitFor({ state: 'hidden' }).catch(() => undefined);
    return text;
  }

  // --- dialogs and quick picks ------------------------------------------------------------------
  // pickFolder answers VS Code's own folder dialog (the simple dialog code-server shows): it
  // opens in the workspace folder; a click on the sub-folder enters it, then the OK button.
  async pickFolder(title, dir, okLabel) {
    await this.page.locator('.quick-input-widget .quick-input-title', { hasText: title }).waitFor();
    await this.quickInputRows().filter({ has: this.page.locator('.label-name', { hasText: path.basename(dir) }) }).first().click();
    for (const deadline = Date.now() + TIMEOUT; ; ) {
      if ((await this.quickInputBox().inputValue()).replace(/\/$/, '') === dir) break;
      if (Date.now() > deadline) throw new Error(`the folder dialog did not enter ${dir}`);
      await this.page.waitForTimeout(100);
    }
    await this.shot('folder-dialog');
    await this.page.locator('.quick-input-widget .monaco-button', { hasText: okLabel }).click();
  }

  // chooseAction picks an entry of the open action widget (quick fixes) with the keyboard, as
  // the widget blocks the pointer while it opens.
  async chooseAction(title) {
    const focused = this.page.locator('.action-widget .monaco-list-row.focused');
    for (let i = 0; i < 20; i++) {
      if (((await focused.getAttribute('aria-label').catch(() => '')) ?? '').includes(title)) {
        await this.page.keyboard.press('Enter');
        return;
      }
      await this.page.keyboard.press('ArrowDown');
    }
    throw new Error(`no action "${title}"`);
  }

  // pickRows waits for a quick pick titled `title` and returns its rows' labels.
  async pickRows(title) {
    await this.page.locator('.quick-input-widget .quick-input-title', { hasText: title }).waitFor();
    await this.quickInputRows().first().waitFor();
    return (await this.quickInputRows().locator('.label-name').allTextContents()).map((s) => s.trim());
  }

  async pick(label) {
    const row = this.quickInputRows().filter({ has: this.page.locator('.label-name', { hasText: label }) }).first();
    await row.click();
  }

  // --- editors ----------------------------------------------------------------------------------
  async openFile(file) {
    await this.page.keyboard.press('Control+P');
    await this.quickInputBox().waitFor();
    await this.quickInputBox().fill(file);
    // Click the file's row: Enter could pick a recent editor before the results arrive.
    const row = this.quickInputRows().filter({ has: this.page.locator('.label-name', { hasText: path.basename(file) }) }).first();
    await row.click();
    await this.activeTab(path.basename(file));
    await this.page.locator('.editor-group-container.active .monaco-editor textarea').first().focus();
  }

  tabs(title) {
    return this.page.locator('.tabs-container .tab', { has: this.page.locator('.label-name', { hasText: title }) });
  }

  async activeTab(title) {
    await this.page.locator('.editor-group-container.active .tab.active .label-name', { hasText: title }).waitFor();
  }

  // editorText waits until the active editor's visible text matches `re` and returns it.
  async editorText(re) {
    const lines = this.page.locator('.editor-group-container.active .monaco-editor .view-lines').first();
    let text = '';
    const deadline = Date.now() + TIMEOUT;
    for (;;) {
      text = ((await lines.innerText().catch(() => '')) ?? '').replace(/\u00a0/g, ' ');
      if (re.test(text) || Date.now() > deadline) break;
      await this.page.waitForTimeout(200);
    }
    if (!re.test(text)) throw new Error(`editor text does not match ${re}:\n${text}`);
    return text;
  }

  // selectInEditor selects the first occurrence of `text` in the active editor (Find, Escape).
  async selectInEditor(text) {
    await this.page.locator('.editor-group-container.active .monaco-editor textarea').first().focus();
    await this.page.keyboard.press('Control+F');
    const find = this.page.locator('.editor-group-container.active .find-widget textarea, .editor-group-container.active .find-widget input').first();
    await find.waitFor();
    await find.fill(text);
    await this.page.keyboard.press('Enter');
    await this.page.keyboard.press('Escape');
  }

  async replaceInEditor(from, to) {
    await this.selectInEditor(from);
    await this.page.keyboard.type(to);
  }

  // setMachineSetting types a string setting into the Settings editor (titled like "Server: Path"
  // for kpm.server.path), then closes it.
  async setMachineSetting(key, title, value) {
    await this.runCommand('Preferences: Open User Settings');
    const search = this.page.locator('.settings-editor .settings-header .suggest-input-container textarea, .settings-editor .settings-header input').first();
    await search.waitFor();
    // Machine-overridable settings (kpm.server.path) belong to the machine code-server runs on.
    await this.page.locator('.settings-editor .settings-tabs-widget .action-label', { hasText: 'Remote' }).click();
    await search.fill(key);
    const item = this.page.locator('.settings-editor .setting-item-contents', { hasText: title }).filter({ hasText: key.split('.')[0] });
    const input = item.locator('input').first();
    await input.waitFor();
    await input.fill(value);
    await this.page.keyboard.press('Tab');
    await this.shot('settings');
    await this.page.keyboard.press('Control+W');
  }
}

module.exports = { Workbench, TIMEOUT };
