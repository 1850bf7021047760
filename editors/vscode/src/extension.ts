// extension.ts: VS Code entry point. Activation wires the server (server.ts), the palette
// commands (commands.ts) and VS Code's window API (ui.ts) together. All package logic lives in
// the server; the extension only asks, shows and forwards.
import * as vscode from 'vscode';
import { DocumentSelector, LanguageClientOptions, Trace } from 'vscode-languageclient/node';
import { Commands } from './commands';
import { serverSettings } from './logic';
import { LspCommandClient } from './rpc';
import { KpmServer } from './server';
import { RunDocuments, VscodeUi, notificationProgress } from './ui';

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

let server: KpmServer | undefined;

function kpmSettings(scope?: vscode.ConfigurationScope) {
  const cfg = vscode.workspace.getConfiguration('kpm', scope);
  return serverSettings(<T>(key: string, dflt: T) => cfg.get<T>(key, dflt) as T);
}

// withoutTrace switches the client's LSP trace off while f runs (the login request carries the
// password; with kpm.trace.server "verbose" it would be written to the output channel).
const withoutTrace = async <T>(f: () => Promise<T>): Promise<T> => {
  const setting = vscode.workspace.getConfiguration('kpm').get<string>('trace.server', 'off');
  const c = server?.languageClient;
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
  const runDocs = new RunDocuments();
  context.subscriptions.push(
    output,
    diagnostics,
    item,
    runDocs,
    vscode.workspace.registerTextDocumentContentProvider(RunDocuments.scheme, runDocs),
  );

  const ui = new VscodeUi(diagnostics, item, output, runDocs, () => kpm.error);
  const rpc: LspCommandClient = new LspCommandClient(
    () => kpm.connection(),
    notificationProgress,
    withoutTrace,
    () => kpm.ready(),
  );
  const cmds = new Commands(ui, rpc);

  const clientOptions = (): LanguageClientOptions => ({
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
  });
  const kpm: KpmServer = new KpmServer(context.extensionPath, output, {
    options: clientOptions,
    changed: () => ui.statusChanged(undefined),
    busy: (): boolean => rpc.busy,
  });
  server = kpm;

  for (const [id, method] of Object.entries(paletteCommands)) {
    context.subscriptions.push(vscode.commands.registerCommand(id, () => cmds[method]()));
  }
  context.subscriptions.push(
    vscode.commands.registerCommand('kpm.client.restart', async () => {
      await kpm.restart();
      if (!kpm.error) await cmds.status();
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
      const c = kpm.languageClient;
      if (
        c?.isRunning() &&
        (e.affectsConfiguration('kpm.pkgPath') ||
          e.affectsConfiguration('kpm.offline') ||
          e.affectsConfiguration('kpm.registryCheckInterval'))
      ) {
        await c.sendNotification('workspace/didChangeConfiguration', { settings: { kpm: kpmSettings() } });
        await cmds.status();
      }
    }),
  );

  await kpm.start();
  if (!kpm.error) await cmds.status();
}

export async function deactivate(): Promise<void> {
  const s = server;
  server = undefined;
  await s?.stop();
}
