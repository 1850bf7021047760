// rpc.ts: calls the server's workspace commands (kpm.login, kpm.push, ...) over an LSP
// connection. It imports no `vscode`: the extension passes vscode-languageclient's
// LanguageClient, the integration tests pass a vscode-jsonrpc MessageConnection to the
// real `kpm lsp`, so both run exactly this code.
import {
  CancellationToken,
  CancellationTokenSource,
  ExecuteCommandRequest,
  LSPErrorCodes,
  ProgressType,
  WorkDoneProgressBegin,
  WorkDoneProgressCancelNotification,
  WorkDoneProgressEnd,
  WorkDoneProgressReport,
} from 'vscode-languageserver-protocol';

// The server's command IDs (the contract in the plan). The extension's palette commands use
// different IDs (kpm.client.*): vscode-languageclient registers these itself.
export const ServerCommands = {
  init: 'kpm.init',
  login: 'kpm.login',
  logout: 'kpm.logout',
  push: 'kpm.push',
  pull: 'kpm.pull',
  run: 'kpm.run',
  add: 'kpm.add',
  update: 'kpm.update',
  checkUpdates: 'kpm.checkUpdates',
  tags: 'kpm.tags',
  status: 'kpm.status',
} as const;

export interface Disposable {
  dispose(): void;
}

// The subset of LanguageClient / MessageConnection used here.
export interface Connection {
  sendRequest<R>(type: typeof ExecuteCommandRequest.type, params: unknown, token?: CancellationToken): Promise<R>;
  sendNotification(type: typeof WorkDoneProgressCancelNotification.type, params: { token: string | number }): unknown;
  onProgress<P>(type: ProgressType<P>, token: string | number, handler: (params: P) => void): Disposable;
}

// One progress report shown to the user: a message and/or a percentage (0..100).
export interface ProgressReport {
  message?: string;
  percentage?: number;
}

// Where progress is shown (the notification area in VS Code, a recorder in tests).
export interface ProgressUi {
  withProgress<T>(
    title: string,
    task: (report: (r: ProgressReport) => void, cancel: CancellationToken) => Promise<T>,
  ): Promise<T>;
}

// Thrown when the user cancelled a command; callers stay silent about it.
export class CancelledError extends Error {
  constructor() {
    super('cancelled');
    this.name = 'CancelledError';
  }
}

// Thrown for a JSON-RPC error answer; message is the server's one-line text, data the error's
// data (kpm.run puts every evaluation error there: {errors: [{file, line, col, kind, message}]}).
export class ServerError extends Error {
  constructor(
    message: string,
    readonly code: number,
    readonly data?: unknown,
  ) {
    super(message);
    this.name = 'ServerError';
  }
}

export interface CommandClient {
  // execute runs one server command with one JSON object argument. With a progress title,
  // the call carries a workDoneToken: the server's $/progress shows under that title and the
  // user can cancel it (window/workDoneProgress/cancel plus $/cancelRequest).
  execute<R>(command: string, arg: object, progressTitle?: string): Promise<R>;
  // ready resolves once the server runs (waiting for a start under way); it rejects with the
  // reason when the server is down, so a command can say so before asking anything.
  ready(): Promise<void>;
}

let tokenCounter = 0;

function newToken(): string {
  tokenCounter++;
  return `kpm-client-${process.pid}-${Date.now()}-${tokenCounter}`;
}

const workDone = new ProgressType<WorkDoneProgressBegin | WorkDoneProgressReport | WorkDoneProgressEnd>();

// untraced runs f with the client's message tracing switched off (the extension passes one):
// kpm.login carries the password, and a client with trace "verbose" logs every parameter.
export type Untraced = <T>(f: () => Promise<T>) => Promise<T>;

const noHook: Untraced = (f) => f();

export class LspCommandClient implements CommandClient {
  private inFlight = 0;

  constructor(
    private readonly conn: () => Connection,
    private readonly progress: ProgressUi,
    private readonly untraced: Untraced = noHook,
    private readonly started: () => Promise<void> = async () => undefined,
  ) {}

  async ready(): Promise<void> {
    await this.started();
    this.conn();
  }

  // busy is true while a command sent by this client waits for its answer. The extension uses it
  // to keep the server's duplicate window/showMessage error out of the way (it shows the error
  // of its own request itself).
  get busy(): boolean {
    return this.inFlight > 0;
  }

  async execute<R>(command: string, arg: object, progressTitle?: string): Promise<R> {
    if (command === ServerCommands.login) {
      return this.untraced(() => this.run<R>(command, arg, progressTitle));
    }
    return this.run<R>(command, arg, progressTitle);
  }

  private async run<R>(command: string, arg: object, progressTitle?: string): Promise<R> {
    this.inFlight++;
    try {
      if (progressTitle === undefined) {
        return await this.send<R>(command, arg);
      }
      return await this.progress.withProgress(progressTitle, (report, cancel) =>
        this.sendWithProgress<R>(command, arg, report, cancel),
      );
    } finally {
      this.inFlight--;
    }
  }

  private async send<R>(command: string, arg: object, token?: CancellationToken, workDoneToken?: string): Promise<R> {
    const params: { command: string; arguments: object[]; workDoneToken?: string } = { command, arguments: [arg] };
    if (workDoneToken !== undefined) {
      params.workDoneToken = workDoneToken;
    }
    try {
      return await this.conn().sendRequest<R>(ExecuteCommandRequest.type, params, token);
    } catch (err) {
      throw toError(err, token);
    }
  }

  private async sendWithProgress<R>(
    command: string,
    arg: object,
    report: (r: ProgressReport) => void,
    cancel: CancellationToken,
  ): Promise<R> {
    const conn = this.conn();
    const token = newToken();
    const source = new CancellationTokenSource();
    const sub = conn.onProgress(workDone, token, (value) => {
      if (value.kind === 'end') {
        if (value.message) report({ message: value.message });
        return;
      }
      report({ message: value.message, percentage: value.percentage });
    });
    const onCancel = cancel.onCancellationRequested(() => {
      conn.sendNotification(WorkDoneProgressCancelNotification.type, { token });
      source.cancel();
    });
    try {
      return await this.send<R>(command, arg, source.token, token);
    } finally {
      onCancel.dispose();
      sub.dispose();
      source.dispose();
    }
  }
}

function toError(err: unknown, token?: CancellationToken): Error {
  const e = err as { code?: unknown; message?: unknown; data?: unknown };
  if (token?.isCancellationRequested || e?.code === LSPErrorCodes.RequestCancelled) {
    return new CancelledError();
  }
  if (e && typeof e.code === 'number' && typeof e.message === 'string') {
    return new ServerError(e.message, e.code, e.data);
  }
  return err instanceof Error ? err : new Error(String(err));
}
