// Scripted fakes for the extension's injected Ui and CommandClient (see src/commands.ts).
'use strict';
const { ServerError, CancelledError } = require('../../out/lib/rpc');

// FakeUi answers prompts from a queue and records everything it was asked to show.
class FakeUi {
  constructor({ answers = [], confirm = true, packageDir, folder, pickIndex = 0 } = {}) {
    this.answers = [...answers];
    this.confirmAnswer = confirm;
    this.pkg = packageDir;
    this.folder = folder;
    this.pickIndex = pickIndex;
    this.inputs = [];
    this.picks = [];
    this.infos = [];
    this.errors = [];
    this.confirms = [];
    this.yamlDocs = [];
    this.openedFiles = [];
    this.diagnostics = [];
    this.statuses = [];
    this.runs = [];
    this.statusErrors = [];
    this.logs = [];
  }
  async input(opts) {
    this.inputs.push(opts);
    if (this.answers.length === 0) throw new Error(`unexpected prompt: ${opts.prompt}`);
    const a = this.answers.shift();
    if (a !== undefined && opts.validate) {
      const problem = opts.validate(a);
      if (problem) throw new Error(`answer ${JSON.stringify(a)} rejected: ${problem}`);
    }
    return a;
  }
  async pick(items, opts) {
    this.picks.push({ items, opts });
    return items[this.pickIndex];
  }
  async info(message, ...actions) {
    this.infos.push({ message, actions });
    return actions[0];
  }
  async confirm(message, action) {
    this.confirms.push({ message, action });
    return this.confirmAnswer;
  }
  async error(message) {
    this.errors.push(message);
  }
  async pickFolder() {
    return this.folder;
  }
  async packageDir() {
    return this.pkg;
  }
  workspaceDir() {
    return this.pkg ?? this.folder;
  }
  async showRunResult(yaml, run) {
    this.yamlDocs.push(yaml);
    this.runs.push(run);
  }
  log(line) {
    this.logs.push(line);
  }
  async openFile(file) {
    this.openedFiles.push(file);
  }
  setRunDiagnostics(diags) {
    this.diagnostics.push(diags);
  }
  statusChanged(s, err) {
    this.statuses.push(s);
    if (err !== undefined) this.statusErrors.push(err);
  }
}

// FakeClient answers server commands with a handler (command, arg, callIndex) and records calls;
// with down set, the server is not running and ready() rejects with that reason.
class FakeClient {
  constructor(handler, { down } = {}) {
    this.handler = handler;
    this.calls = [];
    this.down = down;
  }
  async ready() {
    if (this.down) throw new Error(this.down);
  }
  async execute(command, arg, progressTitle) {
    this.calls.push({ command, arg, progressTitle });
    return this.handler(command, arg, this.calls.length - 1);
  }
  commands() {
    return this.calls.map((c) => c.command);
  }
}

const status = { defaultRegistry: 'localhost:5001', defaultRepo: 'test', loggedIn: false };

module.exports = { FakeUi, FakeClient, ServerError, CancelledError, status };
