// ui.ts: the extension's Ui (commands.ts) on VS Code's window API, the notification progress,
// and the read-only documents that show a run's YAML.
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { InputOptions, PickItem, Ui } from './commands';
import { RunDiagnostic, Status, findPackageDir, groupByFile, nameOfSource, packageNameOf, runDocumentTitle, statusBar } from './logic';
import { ProgressUi } from './rpc';

// RunDocuments serves the YAML of the last run of each package as a read-only document
// (kpm-run:/<name> — kpm run.yaml?<package>): running again updates the same document.
export class RunDocuments implements vscode.TextDocumentContentProvider {
  static readonly scheme = 'kpm-run';
  private readonly contents = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.contents.get(uri.toString()) ?? '';
  }

  // set stores the YAML of a run and returns the document's URI.
  set(name: string, key: string, yaml: string): vscode.Uri {
    const uri = vscode.Uri.from({ scheme: RunDocuments.scheme, path: `/${runDocumentTitle(name)}`, query: key });
    this.contents.set(uri.toString(), yaml);
    this.changed.fire(uri);
    return uri;
  }

  dispose(): void {
    this.changed.dispose();
  }
}

export class VscodeUi implements Ui {
  constructor(
    private readonly diagnostics: vscode.DiagnosticCollection,
    private readonly item: vscode.StatusBarItem,
    private readonly output: vscode.OutputChannel,
    private readonly runDocs: RunDocuments,
    // why the server is down, when it is: the status bar keeps saying so
    private readonly serverError: () => string | undefined,
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

  async showRunResult(yaml: string, run: { path?: string; source?: string }): Promise<void> {
    let name: string | undefined;
    if (run.path !== undefined) {
      try {
        name = packageNameOf(fs.readFileSync(path.join(run.path, 'kcl.mod'), 'utf8'));
      } catch {
        name = undefined;
      }
    }
    const uri = this.runDocs.set(name ?? nameOfSource(run.path ?? run.source ?? ''), run.path ?? run.source ?? '', yaml);
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.Active, preview: false });
  }

  log(line: string): void {
    this.output.appendLine(`kpm: ${line}`);
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
    const s = statusBar(status, status ? undefined : (this.serverError() ?? err));
    this.item.text = s.text;
    this.item.tooltip = s.tooltip;
    this.item.show();
  }
}

// Progress in the notification area with a Cancel button. (vscode-languageclient 9 shows
// server-created progress, window/workDoneProgress/create, only in the status bar and without
// Cancel, so the commands pass their own workDoneToken and render it here.)
export const notificationProgress: ProgressUi = {
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
