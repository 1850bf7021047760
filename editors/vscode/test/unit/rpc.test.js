// Unit tests of src/rpc.ts (LspCommandClient) over a fake LSP connection.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { LspCommandClient, CancelledError, ServerError } = require('../../out/lib/rpc');

// fakeConnection answers executeCommand with answer(params, token) and lets the test emit
// $/progress for the request's workDoneToken.
function fakeConnection(answer) {
  const conn = {
    requests: [],
    notifications: [],
    progress: new Map(),
    sendRequest(type, params, token) {
      conn.requests.push({ method: type.method, params });
      return answer(params, token, conn);
    },
    sendNotification(type, params) {
      conn.notifications.push({ method: type.method, params });
    },
    onProgress(_type, token, handler) {
      conn.progress.set(token, handler);
      return { dispose: () => conn.progress.delete(token) };
    },
  };
  return conn;
}

function cancellableProgress() {
  const ui = {
    reports: [],
    cancel: null,
    withProgress(title, task) {
      const listeners = [];
      const token = {
        isCancellationRequested: false,
        onCancellationRequested: (f) => (listeners.push(f), { dispose() {} }),
      };
      ui.cancel = () => {
        token.isCancellationRequested = true;
        listeners.forEach((f) => f());
      };
      ui.title = title;
      return task((r) => ui.reports.push(r), token);
    },
  };
  return ui;
}

test('execute sends workspace/executeCommand with one argument; no token without a title', async () => {
  const conn = fakeConnection(async () => ({ ok: true }));
  const c = new LspCommandClient(() => conn, cancellableProgress());
  assert.deepEqual(await c.execute('kpm.status', {}), { ok: true });
  assert.deepEqual(conn.requests, [{ method: 'workspace/executeCommand', params: { command: 'kpm.status', arguments: [{}] } }]);
});

test('with a title: a workDoneToken, $/progress reported, busy while pending', async () => {
  let client;
  const conn = fakeConnection(async (params, _token, cn) => {
    assert.equal(client.busy, true);
    const report = cn.progress.get(params.workDoneToken);
    report({ kind: 'begin', title: 'kpm: pushing app', message: 'pushing app 0.0.1' });
    report({ kind: 'report', message: 'uploading', percentage: 50 });
    report({ kind: 'end', message: 'done' });
    return { digest: 'sha256:1' };
  });
  const ui = cancellableProgress();
  client = new LspCommandClient(() => conn, ui);
  await client.execute('kpm.push', { path: '/p' }, 'Pushing package');
  assert.equal(client.busy, false);
  assert.equal(typeof conn.requests[0].params.workDoneToken, 'string');
  assert.equal(ui.title, 'Pushing package');
  assert.deepEqual(ui.reports, [
    { message: 'pushing app 0.0.1', percentage: undefined },
    { message: 'uploading', percentage: 50 },
    { message: 'done' },
  ]);
  assert.equal(conn.progress.size, 0, 'progress handler disposed');
});

test('Cancel sends window/workDoneProgress/cancel for the token and $/cancelRequest; the call ends as CancelledError', async () => {
  const ui = cancellableProgress();
  let seenToken;
  const conn = fakeConnection(
    (params, token) =>
      new Promise((_resolve, reject) => {
        seenToken = token;
        token.onCancellationRequested(() => reject(Object.assign(new Error('cancelled'), { code: -32800 })));
        setImmediate(() => ui.cancel());
      }),
  );
  const c = new LspCommandClient(() => conn, ui);
  await assert.rejects(c.execute('kpm.pull', { source: 'x:1' }, 'Pulling'), CancelledError);
  assert.equal(seenToken.isCancellationRequested, true, 'request token cancelled ($/cancelRequest)');
  assert.deepEqual(conn.notifications, [
    { method: 'window/workDoneProgress/cancel', params: { token: conn.requests[0].params.workDoneToken } },
  ]);
});

test('a JSON-RPC error becomes ServerError with the server text', async () => {
  const conn = fakeConnection(async () => {
    throw Object.assign(new Error("push: package version '0.0.1' already exists"), { code: -32803 });
  });
  const c = new LspCommandClient(() => conn, cancellableProgress());
  await assert.rejects(c.execute('kpm.push', {}), (e) => e instanceof ServerError && e.code === -32803 && /already exists/.test(e.message));
});

test('no connection: the reason is the error', async () => {
  const c = new LspCommandClient(() => {
    throw new Error('kpm: cannot find the kpm binary');
  }, cancellableProgress());
  await assert.rejects(c.execute('kpm.status', {}), /cannot find the kpm binary/);
});
