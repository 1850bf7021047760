// KCL code intelligence through the server, as the extension's client asks for it: completion of
// a nested attribute of a dependency's schema, hover, definition into the package cache, rename
// and formatting. The dependency is a Kubernetes-shaped package (internal/k8sgen) already in the
// package cache as k8s 1.29.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { startRegistry, startServer, writePackage, repoRoot, execFileSync } = require('./harness');

let reg;
let srv;
let uri;
let text;

const program = [
  'import k8s.api.apps.v1 as apps',
  '',
  'schema App:',
  '    name: str',
  '',
  'app = App {name = "web"}',
  'deploy = apps.Deployment {',
  '    spec = {',
  '        replicas = 2',
  '        template.spec.containers = [{',
  '            name = app.name',
  '            ',
  '        }]',
  '    }',
  '}',
  '',
].join('\n');

before(async () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'kpm-vscode-kcl-'));
  reg = await startRegistry(path.join(work, 'registry'));
  srv = await startServer({ registryHost: reg.host });
  execFileSync('go', ['run', './internal/k8sgen/cmd/k8sgen', '-o', path.join(srv.pkgPath, 'k8s_1.29'), '-groups', '2', '-kinds', '2'], {
    cwd: repoRoot,
  });
  const dir = writePackage(path.join(work, 'app'), {
    'kcl.mod': '[package]\nname = "app"\nedition = "v0.11.0"\nversion = "0.0.1"\n\n[dependencies]\nk8s = "1.29"\n',
    'main.k': program,
  });
  uri = 'file://' + path.join(dir, 'main.k');
  text = program;
  srv.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'kcl', version: 1, text } });
});

after(async () => {
  if (srv) await srv.close();
  if (reg) reg.close();
});

const at = (line, character) => ({ textDocument: { uri }, position: { line, character } });

test('completion inside a list of Containers offers the attributes not set yet', async () => {
  const res = await srv.conn.sendRequest('textDocument/completion', at(11, 12));
  const labels = (Array.isArray(res) ? res : res.items).map((i) => i.label);
  assert.ok(labels.includes('image') && labels.includes('ports'), labels.join(','));
  assert.ok(!labels.includes('name'), 'name is set already');
});

test('hover on a dependency attribute: type, doc, package and version', async () => {
  const h = await srv.conn.sendRequest('textDocument/hover', at(8, 9));
  assert.match(h.contents.value, /DeploymentSpec\.replicas\?: int/);
  assert.match(h.contents.value, /Number of desired pods\./);
  assert.match(h.contents.value, /from `k8s` 1\.29/);
});

test('definition jumps into the dependency in the package cache', async () => {
  const locs = await srv.conn.sendRequest('textDocument/definition', at(9, 23));
  assert.equal(locs.length, 1);
  assert.ok(locs[0].uri.endsWith('/k8s_1.29/api/core/v1/pod_spec.k'), locs[0].uri);
});

test('rename a schema of the package: its declaration and uses', async () => {
  const edit = await srv.conn.sendRequest('textDocument/rename', { ...at(2, 8), newName: 'Application' });
  const edits = edit.changes[uri];
  assert.deepEqual(
    edits.map((e) => e.range.start.line),
    [2, 5],
  );
  assert.ok(edits.every((e) => e.newText === 'Application'));
  await assert.rejects(srv.conn.sendRequest('textDocument/rename', { ...at(6, 16), newName: 'D' }), /read-only/);
});

test('formatting uses the formatter of kpm fmt', async () => {
  const bad = text + 'extra = {a=1,   b=[1,2]}\n';
  srv.conn.sendNotification('textDocument/didChange', { textDocument: { uri, version: 2 }, contentChanges: [{ text: bad }] });
  const edits = await srv.conn.sendRequest('textDocument/formatting', { textDocument: { uri }, options: { tabSize: 4, insertSpaces: true } });
  assert.ok(edits.length >= 1, JSON.stringify(edits));
  assert.equal(edits[edits.length - 1].newText, 'extra = {a = 1, b = [1, 2]}\n', JSON.stringify(edits));
});
