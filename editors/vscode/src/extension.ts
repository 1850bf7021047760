// extension.ts: VS Code entry point. Starts `kpm lsp` over stdio with vscode-languageclient and
// wires the palette commands (commands.ts) to VS Code's window API. All package logic lives in
// the server; this file only asks, shows and forwards.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import {
  DocumentSelector,
  LanguageClient,
  LanguageClientOptions,
  MessageType,
  ServerOptions,
  ShowMessageNotification,
  Trace,
} from 'vscode-languageclient/node';
import { Commands, InputOptions, PickItem, Ui } from './commands';
import { RunDiagnostic, Status, findPackageDir, findServer, groupByFile, serverSettings, statusBar } from './logic';
import { Connection, LspCommandClient, ProgressUi } from './rpc';

// Every file kind the server serves.
export const documentSelector: DocumentSelector = [
  { scheme: 'file', language: 'kcl-mod' },
  { scheme: 'file', language: 'kcl-mod-lock' },
  { scheme: 'file', language: 'json', pattern: '**/kpm.json' },
  { scheme: 'file', language: 'jsonc', pattern: '**/kpm.json' },
  { scheme: 'file', language: 'kcl' },
];

// Palette command IDs (distinct from the server's kpm.* IDs, which vscode-languageclient
// registers by itself) and the Commands method each one runs.
export const paletteCommands = {
  'kpm.client.login': 'login',
  'kpm.client.logout': 'logout',
  'kpm.client.push': 'push',
  'kpm.client.pull': 'pull',
  'kpm.client.run': 'run',
  'kpm.client.runWithOptions': 'runWithOptions',
  'kpm.client.init': 'init',
  'kpm.client.add': 'add',
  'kpm.client.update': 'update',
  'kpm.client.checkUpdates': 'checkUpdates',
} as const;

let client: LanguageClient | undefined;

function isExecutable(file: string): boolean {
  try {
    const st = fs.statSync(file);
    if (!st.isFile()) return false;
    if (process.platform === 'win32') return true;
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function kpmSettings(scope?: vscode.ConfigurationScope) {
  const cfg = vscode.workspace.getConfiguration('kpm', scope);
  return serverSettings(<T>(key: string, dflt: T) => cfg.get<T>(key, dflt) as T);
}

class VscodeUi implements Ui {
  constructor(
    private readonly diagnostics: vscode.DiagnosticCollection,
    private readonly item: vscode.StatusBarItem,
  ) {}

  input(o: InputOptions): Promise<string | undefined> {
    return Promise.resolve(
      vscode.window.showInputBox({
        title: o.title,
        prompt: o.prompt,
        value: o.value,
        placeHolder: o.placeHolder,
        password: o.password === true,
        ignoreFocusOut: true,
        validateInput: o.validate,
      }),
    );
  }

  pick(items: PickItem[], o: { title: string; placeHolder: string }): Promise<PickItem | undefined> {
    return Promise.resolve(vscode.window.showQuickPick(items, { title: o.title, placeHolder: o.placeHolder }));
  }

  info(message: string, ...actions: string[]): Promise<string | undefined> {
    return Promise.resolve(vscode.window.showInformationMessage(message, ...actions));
  }

  async confirm(message: string, action: string): Promise<boolean> {
    return (await vscode.window.showWarningMessage(message, { modal: true }, action)) === action;
  }

  async error(message: string): Promise<void> {
    await vscode.window.showErrorMessage(message);
  }

  async pickFolder(title: string, defaultDir?: string): Promise<string | undefined> {
    const picked = await vscode.window.showOpenDialog({
      title,
      canSelectFiles: false,
      canSelectFolders: true,
      canSelectMany: false,
      openLabel: 'Init here',
      defaultUri: defaultDir ? vscode.Uri.file(defaultDir) : undefined,
    });
    return picked?.[0]?.fsPath;
  }

  async packageDir(): Promise<string | undefined> {
    const exists = (f: string) => fs.existsSync(f);
    const doc = vscode.window.activeTextEditor?.document;
    if (doc && doc.uri.scheme === 'file') {
      const dir = findPackageDir(path.dirname(doc.uri.fsPath), exists);
      if (dir) return dir;
    }
    const found = await vscode.workspace.findFiles('**/kcl.mod', '**/node_modules/**', 50);
    const dirs = [...new Set(found.map((u) => path.dirname(u.fsPath)))].sort();
    if (dirs.length <= 1) return dirs[0];
    const picked = await vscode.window.showQuickPick(
      dirs.map((d) => ({ label: path.basename(d), description: d })),
      { title: 'KCL Package', placeHolder: 'Which package?' },
    );
    return picked?.description;
  }

  workspaceDir(): string | undefined {
    return vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  }

  async openYaml(content: string): Promise<void> {
    const doc = await vscode.workspace.openTextDocument({ content, language: 'yaml' });
    await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.Beside, preview: false });
  }

  async openFile(file: string): Promise<void> {
    await vscode.window.showTextDocument(vscode.Uri.file(file));
  }

  setRunDiagnostics(diags: RunDiagnostic[]): void {
    this.diagnostics.clear();
    for (const [file, list] of groupByFile(diags)) {
      this.diagnostics.set(
        vscode.Uri.file(file),
        list.map((d) => {
          const pos = new vscode.Position(d.line, d.character);
          const diag = new vscode.Diagnostic(new vscode.Range(pos, pos), d.message, vscode.DiagnosticSeverity.Error);
          diag.source = 'kpm run';
          if (d.kind) diag.code = d.kind;
          return diag;
        }),
      );
    }
  }

  statusChanged(status: Status | undefined, err?: string): void {
    const s = statusBar(status, err);
    this.item.text = s.text;
    this.item.tooltip = s.tooltip;
    this.item.show();
  }
}

// Progress in the notification area with a Cancel button. (vscode-languageclient 9 shows
// server-created progress, window/workDoneProgress/create, only in the status bar and without
// Cancel, so the commands pass their own workDoneToken and render it here.)
const notificationProgress: ProgressUi = {
  withProgress(title, task) {
    return Promise.resolve(
      vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title, cancellable: true },
        async (progress, token) => {
          let reported = 0;
          return task((r) => {
            let increment: number | undefined;
            if (typeof r.percentage === 'number') {
              const pct = Math.max(0, Math.min(100, r.percentage));
              increment = Math.max(0, pct - reported);
              reported += increment;
            }
            progress.report({ message: r.message, increment });
          }, token);
        },
      ),
    );
  },
};

// withoutTrace switches the client's LSP trace off while f runs (the login request carries the
// password; with kpm.trace.server "verbose" it would be written to the output channel).
const withoutTrace = async <T>(f: () => Promise<T>): Promise<T> => {
  const setting = vscode.workspace.getConfiguration('kpm').get<string>('trace.server', 'off');
  const c = client;
  if (!c || setting === 'off') return f();
  await c.setTrace(Trace.Off);
  try {
    return await f();
  } finally {
    await c.setTrace(Trace.fromString(setting));
  }
};

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const output = vscode.window.createOutputChannel('KCL Package');
  const diagnostics = vscode.languages.createDiagnosticCollection('kpm-run');
  const item = vscode.window.createStatusBarItem(vscode.StatusBarAlignment.Left, 10);
  item.name = 'KCL Package';
  item.command = 'kpm.client.login';
  context.subscriptions.push(output, diagnostics, item);

  const ui = new VscodeUi(diagnostics, item);
  ui.statusChanged(undefined);

  let startError: string | undefined;
  const rpc = new LspCommandClient((): Connection => {
    if (!client || !client.isRunning()) {
      throw new Error(startError ?? 'the kpm language server is not running; run "KCL Package: Restart Language Server"');
    }
    return client as unknown as Connection;
  }, notificationProgress, withoutTrace);
  const cmds = new Commands(ui, rpc);

  for (const [id, method] of Object.entries(paletteCommands)) {
    context.subscriptions.push(vscode.commands.registerCommand(id, () => cmds[method]()));
  }

  const start = async () => {
    startError = undefined;
    const loc = findServer({
      configured: vscode.workspace.getConfiguration('kpm').get<string>('server.path', ''),
      extensionPath: context.extensionPath,
      envPath: process.env.PATH ?? '',
      platform: process.platform,
      home: os.homedir(),
      isExecutable,
    });
    if ('error' in loc) {
      startError = loc.error;
      ui.statusChanged(undefined, loc.error);
      const choice = await vscode.window.showErrorMessage(loc.error, 'Open Settings');
      if (choice === 'Open Settings') {
        await vscode.commands.executeCommand('workbench.action.openSettings', 'kpm.server.path');
      }
      return;
    }
    output.appendLine(`kpm: starting ${loc.path} lsp (from ${loc.source})`);
    // No `transport`: with TransportKind.stdio vscode-languageclient appends `--stdio` to the
    // arguments; without it the child's stdin/stdout are used all the same, with exactly these args.
    const serverOptions: ServerOptions = {
      command: loc.path,
      args: ['lsp'],
    };
    const clientOptions: LanguageClientOptions = {
      documentSelector,
      outputChannel: output,
      initializationOptions: { kpm: kpmSettings() },
      synchronize: {
        fileEvents: vscode.workspace.createFileSystemWatcher('**/{kcl.mod,kcl.mod.lock,kpm.json}'),
      },
      middleware: {
        // The server's code lenses and code actions (Run, Push, Update dependencies, Check for
        // newer tags, Download) run through the same flows as the palette, so their results show.
        executeCommand: (command, args) => cmds.fromServer(command, args),
        workspace: {
          // Section "kpm" goes to the server as {pkgPath, offline, registryCheckInterval}.
          configuration: (params) =>
            params.items.map((it) => {
              const scope = it.scopeUri ? vscode.Uri.parse(it.scopeUri) : undefined;
              if (it.section === 'kpm') return kpmSettings(scope);
              if (!it.section) return null;
              return vscode.workspace.getConfiguration(undefined, scope).get(it.section) ?? null;
            }),
        },
      },
    };
    client = new LanguageClient('kpm', 'KCL Package', serverOptions, clientOptions);
    try {
      await client.start();
    } catch (err) {
      startError = `kpm: cannot start "${loc.path} lsp": ${(err as Error).message}`;
      ui.statusChanged(undefined, startError);
      void vscode.window.showErrorMessage(startError);
      return;
    }
    // A failed command comes back both as the request's error (shown by the command) and as a
    // window/showMessage: show the latter only when no palette command is waiting.
    client.onNotification(ShowMessageNotification.type, (m) => {
      output.appendLine(`[server] ${m.message}`);
      if (m.type === MessageType.Error) {
        if (!rpc.busy) void vscode.window.showErrorMessage(m.message);
      } else if (m.type === MessageType.Warning) {
        void vscode.window.showWarningMessage(m.message);
      } else if (m.type === MessageType.Info) {
        void vscode.window.showInformationMessage(m.message);
      }
    });
    await cmds.status();
  };

  context.subscriptions.push(
    vscode.commands.registerCommand('kpm.client.restart', async () => {
      if (client) {
        await client.stop().catch(() => undefined);
        client = undefined;
      }
      await start();
    }),
    vscode.workspace.onDidChangeConfiguration(async (e) => {
      if (e.affectsConfiguration('kpm.server.path')) {
        const choice = await vscode.window.showInformationMessage(
          'kpm.server.path changed: restart the kpm language server?',
          'Restart',
        );
        if (choice === 'Restart') await vscode.commands.executeCommand('kpm.client.restart');
        return;
      }
      if (
        client?.isRunning() &&
        (e.affectsConfiguration('kpm.pkgPath') ||
          e.affectsConfiguration('kpm.offline') ||
          e.affectsConfiguration('kpm.registryCheckInterval'))
      ) {
        await client.sendNotification('workspace/didChangeConfiguration', { settings: { kpm: kpmSettings() } });
        await cmds.status();
      }
    }),
  );

  await start();
}

export async function deactivate(): Promise<void> {
  if (client) {
    const c = client;
    client = undefined;
    await c.stop();
  }
}
