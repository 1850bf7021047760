// commands.ts: the palette commands' flows (what to ask, which server command to call, what to
// show). They talk to the user through Ui and to the server through CommandClient, both injected:
// the extension passes VS Code's window API, the tests pass scripted fakes.
import * as path from 'path';
import { CancelledError, CommandClient, ServerCommands, ServerError } from './rpc';
import { RunDiagnostic, Status, isAlreadyExists, isOci, parseRunErrors, runErrorsFromData, shortDigest } from './logic';

export interface InputOptions {
  title: string;
  prompt: string;
  value?: string;
  placeHolder?: string;
  password?: boolean;
  // returns an error text for an invalid value, undefined when it is fine
  validate?: (value: string) => string | undefined;
}

export interface PickItem {
  label: string;
  description?: string;
}

export interface Ui {
  input(opts: InputOptions): Promise<string | undefined>;
  pick(items: PickItem[], opts: { title: string; placeHolder: string }): Promise<PickItem | undefined>;
  info(message: string, ...actions: string[]): Promise<string | undefined>;
  // confirm asks a modal yes/no question; resolves to true when the user chose `action`.
  confirm(message: string, action: string): Promise<boolean>;
  error(message: string): Promise<void>;
  // pickFolder lets the user choose a directory (undefined when cancelled).
  pickFolder(title: string, defaultDir?: string): Promise<string | undefined>;
  // packageDir is the package (directory holding kcl.mod) of the active editor or the only
  // workspace package; undefined when there is none or the user cancelled a choice.
  packageDir(): Promise<string | undefined>;
  // workspaceDir is the first workspace folder, if any.
  workspaceDir(): string | undefined;
  // showRunResult shows the YAML of a run of `run` (a package directory or a source).
  showRunResult(yaml: string, run: { path?: string; source?: string }): Promise<void>;
  openFile(file: string): Promise<void>;
  setRunDiagnostics(diags: RunDiagnostic[]): void;
  // statusChanged shows the server's kpm.status answer, or err when there is none.
  statusChanged(status: Status | undefined, err?: string): void;
  // log writes a line to the extension's Output channel (details a notification leaves out).
  log(line: string): void;
}

export interface InitResult {
  path: string;
  files: string[];
}
export interface MessageResult {
  registry: string;
  message: string;
}
export interface PushResult {
  reference: string;
  digest: string;
}
export interface PullResult {
  reference: string;
  digest: string;
  path: string;
}
export interface RunResult {
  yaml: string;
}
export interface AddResult {
  name: string;
  version: string;
  reference: string;
}
export interface UpdateResult {
  changed: boolean;
  messages?: string[];
}
export interface CheckUpdatesResult {
  updates: { name: string; current: string; latest: string; kind: string }[];
}
export interface TagsResult {
  tags: string[];
}

// parseOptions reads `key=value` pairs separated by spaces (kpm run -D key=value).
export function parseOptions(text: string): { options: Record<string, string>; error?: string } {
  const options: Record<string, string> = {};
  for (const part of text.trim().split(/\s+/).filter((p) => p !== '')) {
    const eq = part.indexOf('=');
    if (eq <= 0) return { options, error: `"${part}" is not key=value` };
    options[part.slice(0, eq)] = part.slice(eq + 1);
  }
  return { options };
}

const notEmpty = (what: string) => (v: string) => (v.trim() === '' ? `${what} is required` : undefined);

export class Commands {
  constructor(
    private readonly ui: Ui,
    private readonly client: CommandClient,
  ) {}

  // status asks the server for the default registry and the login state and updates the status bar.
  async status(): Promise<Status | undefined> {
    try {
      const s = await this.client.execute<Status>(ServerCommands.status, {});
      this.ui.statusChanged(s);
      return s;
    } catch (err) {
      this.ui.statusChanged(undefined, (err as Error).message);
      return undefined;
    }
  }

  async login(): Promise<MessageResult | undefined> {
    return this.guard(async () => {
      const st = await this.status();
      const registry = await this.ui.input({
        title: 'Login to Registry (1/3)',
        prompt: 'Registry host, e.g. localhost:5001 or ghcr.io',
        value: st?.defaultRegistry ?? '',
        validate: notEmpty('the registry'),
      });
      if (registry === undefined) return undefined;
      const username = await this.ui.input({
        title: 'Login to Registry (2/3)',
        prompt: `Username for ${registry.trim()}`,
        validate: notEmpty('the username'),
      });
      if (username === undefined) return undefined;
      const password = await this.ui.input({
        title: 'Login to Registry (3/3)',
        prompt: `Password or token for ${username.trim()}@${registry.trim()}`,
        password: true,
        validate: notEmpty('the password'),
      });
      if (password === undefined) return undefined;
      const res = await this.client.execute<MessageResult>(
        ServerCommands.login,
        { registry: registry.trim(), username: username.trim(), password },
        `Logging in to ${registry.trim()}`,
      );
      await this.status();
      void this.ui.info(`${res.registry}: ${res.message}`);
      return res;
    });
  }

  async logout(): Promise<MessageResult | undefined> {
    return this.guard(async () => {
      const st = await this.status();
      const registry = await this.ui.input({
        title: 'Logout from Registry',
        prompt: 'Registry host to log out from',
        value: st?.defaultRegistry ?? '',
        validate: notEmpty('the registry'),
      });
      if (registry === undefined) return undefined;
      const res = await this.client.execute<MessageResult>(ServerCommands.logout, { registry: registry.trim() });
      await this.status();
      void this.ui.info(`${res.registry}: ${res.message}`);
      return res;
    });
  }

  async init(): Promise<InitResult | undefined> {
    return this.guard(async () => {
      const dir = await this.ui.pickFolder('Init Package: choose the package directory', this.ui.workspaceDir());
      if (dir === undefined) return undefined;
      const name = await this.ui.input({
        title: 'Init Package',
        prompt: 'Package name',
        value: path.basename(dir).replace(/[^a-z0-9_-]/gi, '_').toLowerCase(),
        validate: notEmpty('the package name'),
      });
      if (name === undefined) return undefined;
      const res = await this.client.execute<InitResult>(ServerCommands.init, { path: dir, name: name.trim() });
      await this.ui.openFile(path.join(res.path || dir, 'kcl.mod'));
      void this.ui.info(`Initialized package ${name.trim()} in ${res.path || dir}`);
      return res;
    });
  }

  // push pushes the current package; when the version is already in the registry it asks
  // before pushing again with force.
  async push(): Promise<PushResult | undefined> {
    return this.guard(async () => {
      const dir = await this.requirePackage('push');
      if (dir === undefined) return undefined;
      return this.doPush({ path: dir });
    });
  }

  private async doPush(arg: { path: string; source?: string; force?: boolean }): Promise<PushResult | undefined> {
    let res: PushResult;
    try {
      res = await this.client.execute<PushResult>(ServerCommands.push, arg, 'Pushing package');
    } catch (err) {
      if (err instanceof CancelledError || arg.force || !isAlreadyExists((err as Error).message)) throw err;
      const overwrite = await this.ui.confirm(
        `${(err as Error).message}. Push again and overwrite the version in the registry?`,
        'Overwrite (--force)',
      );
      if (!overwrite) return undefined;
      res = await this.client.execute<PushResult>(ServerCommands.push, { ...arg, force: true }, 'Pushing package (force)');
    }
    this.ui.log(`pushed ${res.reference}, digest ${res.digest}`);
    void this.ui.info(`Pushed ${res.reference} (${shortDigest(res.digest)})`);
    return res;
  }

  async pull(): Promise<PullResult | undefined> {
    return this.guard(async () => {
      const source = await this.ui.input({
        title: 'Pull Package',
        prompt: 'Package to pull: name[:version] from the default registry, or oci://host/repo/name',
        placeHolder: 'helloworld:0.1.4 or oci://localhost:5001/test/app',
        validate: notEmpty('the package'),
      });
      if (source === undefined) return undefined;
      const arg: { source: string; tag?: string } = { source: source.trim() };
      if (isOci(arg.source) && !arg.source.includes('?tag=')) {
        const tag = await this.pickTag(arg.source, 'Pull Package');
        if (tag === undefined) return undefined;
        arg.tag = tag;
      }
      return this.doPull(arg);
    });
  }

  private async doPull(arg: { source: string; tag?: string }): Promise<PullResult> {
    const res = await this.client.execute<PullResult>(ServerCommands.pull, arg, `Pulling ${arg.source}`);
    void this.ui.info(`Pulled ${res.reference} to ${res.path}`, 'Open kcl.mod').then((open) => {
      if (open === 'Open kcl.mod') return this.ui.openFile(path.join(res.path, 'kcl.mod'));
    });
    return res;
  }

  // run runs the current package (or a package the user names when there is none) and opens
  // the YAML in a new editor; evaluation errors become diagnostics on their file:line:col.
  // runWithOptions is run with top-level arguments (kpm run -D key=value), asked as
  // `key=value` pairs separated by spaces.
  async runWithOptions(): Promise<RunResult | undefined> {
    return this.guard(async () => {
      const text = await this.ui.input({
        title: 'Run Package with Options',
        prompt: 'Options for option("key") in the code, as key=value pairs separated by spaces',
        placeHolder: 'env=prod replicas=3',
        validate: (v) => parseOptions(v).error,
      });
      if (text === undefined) return undefined;
      return this.runPackage(parseOptions(text).options);
    });
  }

  async run(): Promise<RunResult | undefined> {
    return this.guard(() => this.runPackage());
  }

  private async runPackage(options?: Record<string, string>): Promise<RunResult | undefined> {
    const dir = await this.ui.packageDir();
    let arg: { path?: string; source?: string; tag?: string; options?: Record<string, string> };
    if (dir !== undefined) {
      arg = { path: dir };
    } else {
      const source = await this.ui.input({
        title: 'Run Package',
        prompt: 'No kcl.mod here. Package to run: a directory, name[:version], or oci://host/repo/name',
        validate: notEmpty('the package'),
      });
      if (source === undefined) return undefined;
      const s = source.trim();
      if (path.isAbsolute(s)) {
        arg = { path: s };
      } else {
        arg = { source: s };
        if (isOci(s) && !s.includes('?tag=')) {
          const tag = await this.pickTag(s, 'Run Package');
          if (tag === undefined) return undefined;
          arg.tag = tag;
        }
      }
    }
    if (options && Object.keys(options).length > 0) arg.options = options;
    return this.doRun(arg);
  }

  private async doRun(arg: { path?: string; source?: string; tag?: string; options?: Record<string, string> }): Promise<RunResult> {
    this.ui.setRunDiagnostics([]);
    let res: RunResult;
    try {
      res = await this.client.execute<RunResult>(ServerCommands.run, arg, 'Running package');
    } catch (err) {
      if (!(err instanceof CancelledError)) {
        const base = arg.path ?? this.ui.workspaceDir() ?? process.cwd();
        const data = err instanceof ServerError ? err.data : undefined;
        this.ui.setRunDiagnostics(runErrorsFromData(data, base) ?? parseRunErrors((err as Error).message, base));
      }
      throw err;
    }
    await this.ui.showRunResult(res.yaml, arg);
    return res;
  }

  // add adds a dependency to the current package, offering the registry's tags.
  async add(): Promise<AddResult | undefined> {
    return this.guard(async () => {
      const dir = await this.requirePackage('add a dependency to');
      if (dir === undefined) return undefined;
      const source = await this.ui.input({
        title: 'Add Dependency',
        prompt: 'Dependency: a package name from the default registry, or oci://host/repo/name',
        placeHolder: 'helloworld or oci://localhost:5001/test/app',
        validate: notEmpty('the dependency'),
      });
      if (source === undefined) return undefined;
      const s = source.trim();
      const arg: { path: string; source: string; tag?: string } = { path: dir, source: s };
      if (isOci(s) || !s.includes(':')) {
        const tag = await this.pickTag(s, 'Add Dependency');
        if (tag === undefined) return undefined;
        if (isOci(s)) arg.tag = tag;
        else arg.source = `${s}:${tag}`;
      }
      return this.doAdd(arg);
    });
  }

  private async doAdd(arg: { path: string; source: string; tag?: string }): Promise<AddResult> {
    const res = await this.client.execute<AddResult>(ServerCommands.add, arg, `Adding ${arg.source}`);
    void this.ui.info(`Added ${res.name} ${res.version} (${res.reference})`);
    return res;
  }

  async update(): Promise<UpdateResult | undefined> {
    return this.guard(async () => {
      const dir = await this.requirePackage('update');
      if (dir === undefined) return undefined;
      return this.doUpdate({ path: dir });
    });
  }

  private async doUpdate(arg: { path: string }): Promise<UpdateResult> {
    const res = await this.client.execute<UpdateResult>(ServerCommands.update, arg, 'Updating dependencies');
    const lines = res.messages ?? [];
    void this.ui.info(
      res.changed ? `Dependencies updated${lines.length ? ': ' + lines.join('; ') : ''}` : 'Dependencies are up to date',
    );
    return res;
  }

  async checkUpdates(): Promise<CheckUpdatesResult | undefined> {
    return this.guard(async () => {
      const dir = await this.requirePackage('check');
      if (dir === undefined) return undefined;
      return this.doCheckUpdates({ path: dir });
    });
  }

  private async doCheckUpdates(arg: { path: string; name?: string }): Promise<CheckUpdatesResult> {
    const res = await this.client.execute<CheckUpdatesResult>(ServerCommands.checkUpdates, arg, 'Checking for newer versions');
    const ups = res.updates ?? [];
    void this.ui.info(
      ups.length === 0
        ? 'All dependencies are at their newest version'
        : 'Newer versions: ' + ups.map((u) => `${u.name} ${u.current} → ${u.latest} (${u.kind})`).join(', '),
    );
    return res;
  }

  // fromServer runs a server command invoked by one of the server's code lenses or code actions
  // (Run, Push, Update dependencies, Check for newer tags, Download, ...) so that its result is
  // shown like the palette command's: the YAML of a run opens, a push that exists asks before
  // force, progress shows with Cancel. Other commands run with progress and their result is returned.
  async fromServer(command: string, args: unknown[]): Promise<unknown> {
    const arg = (args?.[0] ?? {}) as Record<string, unknown>;
    return this.guard<unknown>(async () => {
      switch (command) {
        case ServerCommands.run:
          return this.doRun(arg as { path?: string });
        case ServerCommands.push:
          return this.doPush(arg as { path: string });
        case ServerCommands.pull:
          return this.doPull(arg as { source: string });
        case ServerCommands.add:
          return this.doAdd(arg as { path: string; source: string });
        case ServerCommands.update:
          return this.doUpdate(arg as { path: string });
        case ServerCommands.checkUpdates:
          return this.doCheckUpdates(arg as { path: string });
        default:
          return this.client.execute<unknown>(command, arg, command.replace(/^kpm\./, 'kpm: '));
      }
    });
  }

  // pickTag offers the registry's tags (newest first) for a package; free text when it has none.
  private async pickTag(source: string, title: string): Promise<string | undefined> {
    let tags: string[] = [];
    try {
      tags = (await this.client.execute<TagsResult>(ServerCommands.tags, { source }, `Listing tags of ${source}`)).tags ?? [];
    } catch (err) {
      if (err instanceof CancelledError) throw err;
      await this.ui.error(`Cannot list the tags of ${source}: ${(err as Error).message}`);
    }
    if (tags.length === 0) {
      return this.ui.input({ title, prompt: `Tag (version) of ${source}`, validate: notEmpty('the tag') });
    }
    const picked = await this.ui.pick(
      tags.map((t, i) => ({ label: t, description: i === 0 ? 'newest' : undefined })),
      { title, placeHolder: `Version of ${source}` },
    );
    return picked?.label;
  }

  private async requirePackage(what: string): Promise<string | undefined> {
    const dir = await this.ui.packageDir();
    if (dir === undefined) {
      await this.ui.error(`No KCL package to ${what}: open a file of a package (a directory with kcl.mod) first.`);
    }
    return dir;
  }

  // guard checks that the server runs before the command asks anything, and shows a failed
  // command's message once; a cancelled command shows nothing.
  private async guard<T>(f: () => Promise<T | undefined>): Promise<T | undefined> {
    try {
      await this.client.ready();
      return await f();
    } catch (err) {
      if (!(err instanceof CancelledError)) await this.ui.error((err as Error).message);
      return undefined;
    }
  }
}
