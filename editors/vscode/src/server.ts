// server.ts: starts and stops `kpm lsp` with vscode-languageclient, and says why when it cannot.
// The extension shows one notification of its own, with the cause the server wrote on stderr,
// instead of the client's generic ones ("couldn't create connection", "connection got closed").
import * as cp from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as vscode from 'vscode';
import {
  CloseAction,
  ErrorAction,
  LanguageClient,
  LanguageClientOptions,
  MessageType,
  ShowMessageNotification,
} from 'vscode-languageclient/node';
import { findServer, serverFailure } from './logic';
import { Connection } from './rpc';

// The last bytes of the server's stderr kept to explain a failure.
const stderrKeep = 4096;

// QuietClient logs the client's own error reports to the Output channel without a notification:
// KpmServer shows one notification with the cause instead.
class QuietClient extends LanguageClient {
  error(message: string, data?: unknown): void {
    super.error(message, data, false);
  }
}

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

export interface ServerHooks {
  // options builds the client options (document selector, middleware) for each start.
  options(): LanguageClientOptions;
  // changed is called whenever the server's state changes (started, failed, stopped).
  changed(): void;
  // busy tells that a palette command waits for its answer (its error is shown by the command,
  // so the server's duplicate window/showMessage error is only logged).
  busy(): boolean;
}

export class KpmServer {
  private client: LanguageClient | undefined;
  private starting: Promise<void> | undefined;
  private failure: string | undefined;
  private running = false;

  constructor(
    private readonly extensionPath: string,
    private readonly output: vscode.OutputChannel,
    private readonly hooks: ServerHooks,
  ) {}

  // error is why the server is down (undefined while it starts or runs).
  get error(): string | undefined {
    return this.failure;
  }

  get languageClient(): LanguageClient | undefined {
    return this.client;
  }

  // connection is the running client; it throws the reason when the server is down.
  connection(): Connection {
    if (!this.client || !this.running) {
      throw new Error(this.failure ?? 'The kpm language server is not running: run "KCL Package: Restart Language Server".');
    }
    return this.client as unknown as Connection;
  }

  // ready waits for a start under way.
  async ready(): Promise<void> {
    await this.starting;
  }

  start(): Promise<void> {
    this.starting = this.doStart();
    return this.starting;
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  async stop(): Promise<void> {
    const c = this.client;
    this.client = undefined;
    this.running = false;
    if (c) await c.stop().catch(() => undefined);
  }

  private async doStart(): Promise<void> {
    this.failure = undefined;
    this.hooks.changed();
    const loc = findServer({
      configured: vscode.workspace.getConfiguration('kpm').get<string>('server.path', ''),
      extensionPath: this.extensionPath,
      envPath: process.env.PATH ?? '',
      platform: process.platform,
      home: os.homedir(),
      isExecutable,
    });
    if ('error' in loc) {
      this.fail(`The kpm language server did not start: ${loc.error}`, 'Open Settings');
      return;
    }
    this.output.appendLine(`kpm: starting ${loc.path} lsp (from ${loc.source})`);

    let stderr = '';
    let exit: { code: number | null; signal: string | null } | undefined;
    let spawnError: string | undefined;
    // The process is spawned here (not by the client) to keep its stderr for the message. No
    // extra arguments: with TransportKind.stdio the client would append `--stdio`.
    const spawnServer = async (): Promise<cp.ChildProcess> => {
      const child = cp.spawn(loc.path, ['lsp'], { stdio: 'pipe' });
      child.stderr.on('data', (d: Buffer) => {
        stderr = (stderr + d.toString('utf8')).slice(-stderrKeep);
      });
      child.on('error', (err) => {
        spawnError = err.message;
      });
      child.on('exit', (code, signal) => {
        exit = { code, signal };
      });
      return child;
    };
    const options = this.hooks.options();
    options.errorHandler = {
      error: () => ({ action: ErrorAction.Shutdown, handled: true }),
      closed: () => {
        if (this.running && this.client === client) {
          // It ran and went away: say why once; the user restarts it from the palette.
          this.running = false;
          setTimeout(() => this.fail(serverFailure('stopped', stderr, exit, spawnError), 'Restart'), 100);
        }
        return { action: CloseAction.DoNotRestart, handled: true };
      },
    };
    options.initializationFailedHandler = () => false;
    const client = new QuietClient('kpm', 'KCL Package', spawnServer, options);
    this.client = client;
    let started = true;
    try {
      await client.start();
    } catch {
      started = false;
    }
    // start() can also resolve for a server that exited at once: when the pipe closes before the
    // initialize request fails, the client forgets its start promise and returns undefined.
    if (!started || !client.isRunning()) {
      if (this.client !== client) return; // stopped or restarted meanwhile
      this.client = undefined;
      // The exit status arrives a moment after the closed pipes.
      await new Promise((resolve) => setTimeout(resolve, 100));
      this.fail(serverFailure('did not start', stderr, exit, spawnError));
      return;
    }
    this.running = true;
    // A failed command comes back both as the request's error (shown by the command) and as a
    // window/showMessage: show the latter only when no palette command is waiting.
    client.onNotification(ShowMessageNotification.type, (m) => {
      this.output.appendLine(`[server] ${m.message}`);
      if (m.type === MessageType.Error) {
        if (!this.hooks.busy()) void vscode.window.showErrorMessage(m.message);
      } else if (m.type === MessageType.Warning) {
        void vscode.window.showWarningMessage(m.message);
      } else if (m.type === MessageType.Info) {
        void vscode.window.showInformationMessage(m.message);
      }
    });
    this.hooks.changed();
  }

  // fail records why the server is down and shows it once, with the Output channel a click away.
  private fail(message: string, action?: 'Open Settings' | 'Restart'): void {
    this.failure = message;
    this.output.appendLine(`kpm: ${message}`);
    this.hooks.changed();
    const actions = action ? ['Show Output', action] : ['Show Output'];
    void Promise.resolve(vscode.window.showErrorMessage(message, ...actions)).then(async (choice) => {
      if (choice === 'Show Output') this.output.show(true);
      if (choice === 'Open Settings') await vscode.commands.executeCommand('workbench.action.openSettings', 'kpm.server.path');
      if (choice === 'Restart') await vscode.commands.executeCommand('kpm.client.restart');
    });
  }
}
