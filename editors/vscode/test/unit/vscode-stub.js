// A stand-in for the `vscode` module (VS Code itself cannot run here) and for
// vscode-languageclient/node's LanguageClient, recording what the extension asks of them.
'use strict';
const Module = require('node:module');

function makeStubs({ answers = [], warningAnswer, server, settings = {}, failStart = false }) {
  const rec = {
    commands: new Map(),
    inputBoxes: [],
    quickPicks: [],
    infos: [],
    warnings: [],
    errors: [],
    documents: [],
    shown: [],
    diagnostics: new Map(),
    progress: [],
    statusItem: null,
    clients: [],
    contentProviders: new Map(),
    errorActions: [],
  };
  const queue = [...answers];
  class Disposable {
    dispose() {}
  }
  class Position {
    constructor(line, character) {
      Object.assign(this, { line, character });
    }
  }
  class Range {
    constructor(start, end) {
      Object.assign(this, { start, end });
    }
  }
  class Diagnostic {
    constructor(range, message, severity) {
      Object.assign(this, { range, message, severity });
    }
  }
  const Uri = {
    file: (p) => ({ scheme: 'file', fsPath: p, path: p, toString: () => `file://${p}` }),
    parse: (s) => ({ scheme: 'file', fsPath: s.replace(/^file:\/\//, ''), toString: () => s }),
    from: ({ scheme, path, query }) => ({ scheme, path, query, toString: () => `${scheme}:${path}?${query}` }),
  };
  class EventEmitter {
    constructor() {
      this.listeners = [];
      this.event = (f) => {
        this.listeners.push(f);
        return new Disposable();
      };
    }
    fire(e) {
      for (const f of this.listeners) f(e);
    }
    dispose() {}
  }
  const config = { 'server.path': '', 'trace.server': 'off', pkgPath: '', offline: false, registryCheckInterval: 3600, ...settings };
  const vscode = {
    Position,
    Range,
    Diagnostic,
    Uri,
    EventEmitter,
    DiagnosticSeverity: { Error: 0, Warning: 1, Information: 2, Hint: 3 },
    ProgressLocation: { SourceControl: 1, Window: 10, Notification: 15 },
    StatusBarAlignment: { Left: 1, Right: 2 },
    ViewColumn: { Active: -1, Beside: -2 },
    window: {
      activeTextEditor: undefined,
      createOutputChannel: () => ({ appendLine() {}, append() {}, show() {}, dispose() {} }),
      createStatusBarItem: () => {
        rec.statusItem = { text: '', tooltip: '', shown: false, show() { this.shown = true; }, dispose() {} };
        return rec.statusItem;
      },
      showInputBox: async (opts) => {
        rec.inputBoxes.push(opts);
        return queue.shift();
      },
      showQuickPick: async (items, opts) => {
        rec.quickPicks.push({ items, opts });
        return items[0];
      },
      showInformationMessage: async (msg) => {
        rec.infos.push(msg);
        return undefined;
      },
      showWarningMessage: async (msg, opts, ...actions) => {
        rec.warnings.push({ msg, opts, actions });
        return warningAnswer;
      },
      showErrorMessage: async (msg, ...actions) => {
        rec.errors.push(msg);
        rec.errorActions.push(actions);
        return undefined;
      },
      showOpenDialog: async () => undefined,
      showTextDocument: async (doc, opts) => {
        rec.shown.push({ doc, opts });
      },
      withProgress: async (opts, task) => {
        const entry = { opts, reports: [] };
        rec.progress.push(entry);
        const token = { isCancellationRequested: false, onCancellationRequested: () => new Disposable() };
        return task({ report: (r) => entry.reports.push(r) }, token);
      },
    },
    workspace: {
      workspaceFolders: undefined,
      getConfiguration: () => ({ get: (k, d) => (k in config ? config[k] : d) }),
      openTextDocument: async (uri) => {
        const provider = rec.contentProviders.get(uri.scheme);
        const doc = { uri, getText: () => provider.provideTextDocumentContent(uri) };
        rec.documents.push(doc);
        return doc;
      },
      registerTextDocumentContentProvider: (scheme, provider) => {
        rec.contentProviders.set(scheme, provider);
        return new Disposable();
      },
      findFiles: async () => [],
      createFileSystemWatcher: () => new Disposable(),
      onDidChangeConfiguration: (f) => {
        rec.configListeners = rec.configListeners || [];
        rec.configListeners.push(f);
        return new Disposable();
      },
    },
    languages: {
      createDiagnosticCollection: () => ({
        clear: () => rec.diagnostics.clear(),
        set: (uri, diags) => rec.diagnostics.set(uri.fsPath, diags),
        dispose() {},
      }),
    },
    commands: {
      registerCommand: (id, f) => {
        if (rec.commands.has(id)) throw new Error(`command '${id}' already exists`);
        rec.commands.set(id, f);
        return new Disposable();
      },
      executeCommand: async (id, ...args) => rec.commands.get(id)?.(...args),
    },
  };

  // LanguageClient stand-in: answers workspace/executeCommand with server(command, arg).
  class LanguageClient {
    constructor(id, name, serverOptions, clientOptions) {
      Object.assign(this, { id, name, serverOptions, clientOptions, running: false, notifications: new Map(), requests: [] });
      rec.clients.push(this);
    }
    // With failStart, the server process runs and exits, and start() rejects as
    // vscode-languageclient's does.
    async start() {
      if (failStart) {
        const child = await this.serverOptions();
        await new Promise((resolve) => child.on('exit', resolve));
        throw new Error('Pending response rejected since connection got disposed');
      }
      this.running = true;
    }
    async stop() {
      this.running = false;
    }
    error(message, data, showNotification) {
      (this.errorReports = this.errorReports || []).push({ message, showNotification });
    }
    isRunning() {
      return this.running;
    }
    onNotification(type, handler) {
      this.notifications.set(type.method ?? type, handler);
      return new Disposable();
    }
    onProgress() {
      return new Disposable();
    }
    async sendNotification(type, params) {
      (this.sent = this.sent || []).push({ method: type.method ?? type, params });
    }
    async setTrace(value) {
      (this.traces = this.traces || []).push(value);
    }
    async sendRequest(type, params) {
      this.requests.push({ method: type.method ?? type, params, traces: [...(this.traces || [])] });
      return server(params.command, params.arguments[0]);
    }
  }
  const proto = require('vscode-languageserver-protocol');
  const languageclient = {
    LanguageClient,
    ErrorAction: { Continue: 1, Shutdown: 2 },
    CloseAction: { DoNotRestart: 1, Restart: 2 },
    MessageType: proto.MessageType,
    Trace: proto.Trace,
    ShowMessageNotification: proto.ShowMessageNotification,
  };
  return { vscode, languageclient, rec, config };
}

// install makes require('vscode') and require('vscode-languageclient/node') return the stubs.
function install(stubs) {
  const orig = Module._load;
  Module._load = function (request, parent, isMain) {
    if (request === 'vscode') return stubs.vscode;
    if (request === 'vscode-languageclient/node') return stubs.languageclient;
    return orig.call(this, request, parent, isMain);
  };
  return () => {
    Module._load = orig;
  };
}

module.exports = { makeStubs, install };
