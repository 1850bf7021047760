// Test harness: a real devregistry and a real `kpm lsp` ($KPM_BIN) driven over stdio with
// vscode-jsonrpc, answering server-to-client requests the way vscode-languageclient does.
'use strict';
const { spawn, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const rpc = require('vscode-jsonrpc/node');
const { LspCommandClient } = require('../../out/lib/rpc');

const repoRoot = path.resolve(__dirname, '../../../..');

function kpmBin() {
  const bin = process.env.KPM_BIN;
  if (!bin) throw new Error('KPM_BIN is not set: build kpm (make build) and export KPM_BIN=/abs/path/bin/kpm');
  if (!fs.existsSync(bin)) throw new Error(`KPM_BIN=${bin} does not exist`);
  return bin;
}

// startRegistry runs the devregistry command on 127.0.0.1 with a random port, user test / 1234.
async function startRegistry(dir) {
  let cmd = process.env.DEVREGISTRY_BIN;
  let args = ['-addr', '127.0.0.1:0', '-user', 'test', '-password', '1234', '-dir', dir];
  if (!cmd) {
    cmd = 'go';
    args = ['run', './internal/devregistry/cmd/devregistry', ...args];
  }
  const proc = spawn(cmd, args, { cwd: repoRoot, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  const host = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`devregistry did not start in 180s: ${stderr}`)), 180000);
    proc.stderr.on('data', (b) => {
      stderr += b.toString();
      const m = /listening on (\S+)/.exec(stderr);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    proc.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`devregistry exited with ${code}: ${stderr}`));
    });
  });
  return { host, close: () => proc.kill('SIGTERM') };
}

// recordingProgress stands in for VS Code's notification progress: it records every report.
function recordingProgress() {
  const log = [];
  return {
    log,
    withProgress(title, task) {
      const entry = { title, reports: [] };
      log.push(entry);
      const token = { isCancellationRequested: false, onCancellationRequested: () => ({ dispose() {} }) };
      return task((r) => entry.reports.push(r), token);
    },
  };
}

// startServer spawns `kpm lsp` with a fresh KCL_PKG_PATH/HOME whose kpm.json names the
// registry, initializes it like vscode-languageclient does, and returns the pieces.
async function startServer({ registryHost, settings = {} }) {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'kpm-vscode-it-'));
  const pkgPath = path.join(home, 'kpm');
  fs.mkdirSync(path.join(pkgPath, '.kpm', 'config'), { recursive: true });
  fs.writeFileSync(
    path.join(pkgPath, '.kpm', 'config', 'kpm.json'),
    JSON.stringify({ DefaultOciRegistry: registryHost, DefaultOciRepo: 'test' }),
  );
  const env = { ...process.env, HOME: home, KCL_PKG_PATH: pkgPath, DOCKER_CONFIG: path.join(home, '.docker') };
  delete env.KPM_REG;
  delete env.KPM_REPO;
  const proc = spawn(kpmBin(), ['lsp'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  proc.stderr.on('data', (b) => (stderr += b.toString()));
  const conn = rpc.createMessageConnection(new rpc.StreamMessageReader(proc.stdout), new rpc.StreamMessageWriter(proc.stdin));
  const seen = { showMessage: [], logMessage: [], diagnostics: new Map(), progressCreate: 0, traffic: [] };
  const kpmSettings = { pkgPath, offline: false, registryCheckInterval: 3600, ...settings };
  conn.onRequest('workspace/configuration', (p) => p.items.map((it) => (it.section === 'kpm' ? kpmSettings : null)));
  conn.onRequest('window/workDoneProgress/create', () => {
    seen.progressCreate++;
    return null;
  });
  conn.onRequest('client/registerCapability', () => null);
  conn.onRequest('client/unregisterCapability', () => null);
  conn.onRequest('window/showMessageRequest', () => null);
  conn.onRequest('workspace/applyEdit', () => ({ applied: false }));
  conn.onRequest('workspace/codeLens/refresh', () => null);
  conn.onNotification('window/showMessage', (m) => seen.showMessage.push(m));
  conn.onNotification('window/logMessage', (m) => seen.logMessage.push(m));
  conn.onNotification('textDocument/publishDiagnostics', (p) => seen.diagnostics.set(p.uri, p.diagnostics));
  conn.trace(rpc.Trace.Verbose, { log: (m, d) => seen.traffic.push(m + (d ? ` ${d}` : '')) });
  conn.listen();
  const init = await conn.sendRequest('initialize', {
    processId: process.pid,
    clientInfo: { name: 'kpm-vscode-integration-test' },
    rootUri: null,
    workspaceFolders: null,
    initializationOptions: { kpm: kpmSettings },
    capabilities: {
      window: { workDoneProgress: true, showMessage: {} },
      workspace: { configuration: true, didChangeConfiguration: { dynamicRegistration: true }, workspaceFolders: true },
      textDocument: {
        synchronization: { didSave: true },
        publishDiagnostics: { relatedInformation: true },
        completion: { completionItem: { snippetSupport: true } },
      },
    },
  });
  await conn.sendNotification('initialized', {});
  const progress = recordingProgress();
  const client = new LspCommandClient(() => conn, progress);
  return {
    conn,
    init,
    client,
    progress,
    seen,
    home,
    pkgPath,
    stderr: () => stderr,
    async close() {
      try {
        await Promise.race([conn.sendRequest('shutdown'), new Promise((r) => setTimeout(r, 3000))]);
        conn.sendNotification('exit');
      } catch {
        /* already gone */
      }
      setTimeout(() => proc.kill('SIGKILL'), 2000).unref();
      conn.dispose();
    },
  };
}

// writePackage creates a package directory with the given files.
function writePackage(dir, files) {
  fs.mkdirSync(dir, { recursive: true });
  for (const [name, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), content);
  }
  return dir;
}

// serverGap labels a failure caused by a server command that is not implemented yet.
function serverGap(message) {
  return /not available yet|unknown command|not implemented/i.test(message || '');
}

module.exports = { startRegistry, startServer, writePackage, serverGap, repoRoot, execFileSync };
