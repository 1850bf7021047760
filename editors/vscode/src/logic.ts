// logic.ts: the extension's pure helpers (no `vscode` import), unit-tested with node.
import * as path from 'path';

export interface ServerLookup {
  configured: string; // setting kpm.server.path ("" when unset)
  extensionPath: string; // where the extension is installed
  envPath: string; // $PATH
  platform: NodeJS.Platform;
  home: string;
  isExecutable: (file: string) => boolean;
}

export type ServerLocation = { path: string; source: 'setting' | 'bundled' | 'PATH' } | { error: string };

// findServer picks the kpm binary: the setting kpm.server.path, else bin/kpm bundled in the
// extension, else `kpm` on PATH. The error names what was tried and how to fix it.
export function findServer(l: ServerLookup): ServerLocation {
  const exe = l.platform === 'win32' ? 'kpm.exe' : 'kpm';
  if (l.configured.trim() !== '') {
    let p = l.configured.trim();
    if (p === '~' || p.startsWith('~/')) p = path.join(l.home, p.slice(1));
    if (l.isExecutable(p)) return { path: p, source: 'setting' };
    return {
      error:
        `the setting kpm.server.path points to "${p}", which is not an executable file. ` +
        'Fix the path, or clear the setting to use the bundled kpm or kpm on PATH.',
    };
  }
  const bundled = path.join(l.extensionPath, 'bin', exe);
  if (l.isExecutable(bundled)) return { path: bundled, source: 'bundled' };
  const sep = l.platform === 'win32' ? ';' : ':';
  for (const dir of l.envPath.split(sep)) {
    if (dir === '') continue;
    const candidate = path.join(dir, exe);
    if (l.isExecutable(candidate)) return { path: candidate, source: 'PATH' };
  }
  return {
    error:
      'cannot find the kpm binary (not set in kpm.server.path, not bundled with the extension, not on PATH). ' +
      'Install kpm (for example `make build` in the kpm repository, then put bin/kpm on PATH) or set kpm.server.path to its full path.',
  };
}

// findPackageDir returns the nearest directory at or above start that holds a kcl.mod.
export function findPackageDir(start: string, exists: (file: string) => boolean): string | undefined {
  let dir = start;
  for (;;) {
    if (exists(path.join(dir, 'kcl.mod'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

export interface RunDiagnostic {
  file: string; // absolute
  line: number; // 0-based
  character: number; // 0-based
  kind: string; // "SyntaxError", "TypeError", ... ("" when the message had none)
  message: string;
}

const positioned = /^(.+?):(\d+):(\d+): (?:([A-Za-z][A-Za-z0-9]*(?:Error|Warning|Exception)?): )?(.*)$/;

// parseRunErrors turns the server's "file:line:col: Kind: msg" lines (1-based positions) into
// diagnostics; relative files are taken from baseDir. Lines without a position are skipped.
export function parseRunErrors(text: string, baseDir: string): RunDiagnostic[] {
  const out: RunDiagnostic[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    const m = positioned.exec(line);
    if (!m) continue;
    const file = path.isAbsolute(m[1]) ? m[1] : path.join(baseDir, m[1]);
    out.push({
      file,
      line: Math.max(0, Number(m[2]) - 1),
      character: Math.max(0, Number(m[3]) - 1),
      kind: m[4] ?? '',
      message: m[4] ? `${m[4]}: ${m[5]}` : m[5],
    });
  }
  return out;
}

// runErrorsFromData reads the positions kpm.run puts in its error's data
// ({errors: [{file, line, col, kind, message}]}, 1-based): every error, where the message holds
// only the first. Undefined when the data has none.
export function runErrorsFromData(data: unknown, baseDir: string): RunDiagnostic[] | undefined {
  const list = (data as { errors?: unknown } | undefined)?.errors;
  if (!Array.isArray(list)) return undefined;
  const out: RunDiagnostic[] = [];
  for (const raw of list) {
    const e = raw as { file?: unknown; line?: unknown; col?: unknown; kind?: unknown; message?: unknown };
    if (typeof e.file !== 'string' || e.file === '' || typeof e.message !== 'string') continue;
    const kind = typeof e.kind === 'string' ? e.kind : '';
    out.push({
      file: path.isAbsolute(e.file) ? e.file : path.join(baseDir, e.file),
      line: Math.max(0, Number(e.line ?? 1) - 1),
      character: Math.max(0, Number(e.col ?? 1) - 1),
      kind,
      message: kind ? `${kind}: ${e.message}` : e.message,
    });
  }
  return out.length > 0 ? out : undefined;
}

// groupByFile groups diagnostics by their file, keeping their order.
export function groupByFile(diags: RunDiagnostic[]): Map<string, RunDiagnostic[]> {
  const m = new Map<string, RunDiagnostic[]>();
  for (const d of diags) {
    const list = m.get(d.file) ?? [];
    list.push(d);
    m.set(d.file, list);
  }
  return m;
}

export interface Status {
  defaultRegistry: string;
  defaultRepo: string;
  loggedIn: boolean;
}

// statusBar renders the status bar item for a kpm.status answer, or the server's state when
// there is none: err is why (the server did not start, the status could not be read).
export function statusBar(s: Status | undefined, err?: string): { text: string; tooltip: string } {
  if (!s) {
    return {
      text: err ? '$(package) kpm $(error)' : '$(package) kpm',
      tooltip: `KCL Package: ${err ?? 'starting the language server'}`,
    };
  }
  const state = s.loggedIn ? 'logged in' : 'not logged in';
  return {
    text: `$(package) ${s.defaultRegistry}${s.loggedIn ? ' $(pass)' : ' $(circle-slash)'}`,
    tooltip: `KCL Package: default registry ${s.defaultRegistry}/${s.defaultRepo} (${state}). Click to log in.`,
  };
}

// serverFailure says why the server did not start or stopped, from what it wrote on stderr last
// (its own "kpm: ..." line), else its exit code or the spawn error.
export function serverFailure(what: 'did not start' | 'stopped', stderr: string, exit?: { code: number | null; signal: string | null }, spawnError?: string): string {
  const last = stderr
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .pop();
  let cause: string;
  if (spawnError) cause = spawnError;
  else if (last) cause = last.replace(/^kpm: /, '');
  else if (exit?.code != null) cause = `it exited with code ${exit.code}`;
  else if (exit?.signal) cause = `it was killed by ${exit.signal}`;
  else cause = 'no answer to initialize';
  return `The kpm language server ${what}: ${cause}`;
}

// shortDigest keeps the algorithm and the first 12 hex digits of a digest (as docker does).
export function shortDigest(digest: string): string {
  const m = /^([a-z0-9]+):([0-9a-f]{12})[0-9a-f]*$/.exec(digest);
  return m ? `${m[1]}:${m[2]}` : digest;
}

// packageNameOf reads name = "..." from the [package] table of a kcl.mod text.
export function packageNameOf(kclMod: string): string | undefined {
  let inPackage = false;
  for (const raw of kclMod.split(/\r?\n/)) {
    const line = raw.trim();
    if (line.startsWith('[')) {
      inPackage = line === '[package]';
      continue;
    }
    const m = inPackage ? /^name\s*=\s*["']([^"']+)["']/.exec(line) : null;
    if (m) return m[1];
  }
  return undefined;
}

// nameOfSource is the package name in a run source: oci://host/repo/name?tag=v, name:version or a path.
export function nameOfSource(source: string): string {
  const noQuery = source.replace(/\?.*$/, '');
  const last = noQuery.replace(/\/+$/, '').split('/').pop() ?? noQuery;
  return last.replace(/:[^:]*$/, '') || 'kcl';
}

// runDocumentTitle names the read-only document showing a run's YAML.
export function runDocumentTitle(pkgName: string): string {
  return `${pkgName} — kpm run.yaml`;
}

export interface ServerSettings {
  pkgPath: string;
  offline: boolean;
  registryCheckInterval: number;
}

// serverSettings maps the extension's settings (section "kpm") to the object the server reads
// for workspace/configuration section "kpm".
export function serverSettings(get: <T>(key: string, dflt: T) => T): ServerSettings {
  return {
    pkgPath: get<string>('pkgPath', ''),
    offline: get<boolean>('offline', false),
    registryCheckInterval: get<number>('registryCheckInterval', 3600),
  };
}

// isAlreadyExists tells a push refused because the tag is already in the registry.
export function isAlreadyExists(message: string): boolean {
  return /already exists/i.test(message);
}

// isOci tells an oci:// (or https://) package reference from a name[:version].
export function isOci(source: string): boolean {
  return /^(oci|https?):\/\//.test(source);
}
