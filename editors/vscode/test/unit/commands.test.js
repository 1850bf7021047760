// Unit tests of the palette command flows (src/commands.ts) with a scripted Ui and server.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { Commands } = require('../../out/lib/commands');
const { FakeUi, FakeClient, ServerError, CancelledError, status } = require('./fakes');

test('login asks registry (prefilled from kpm.status), username and a hidden password, then calls kpm.login', async () => {
  const ui = new FakeUi({ answers: ['localhost:5001', 'test', '1234'] });
  const client = new FakeClient((cmd) => {
    if (cmd === 'kpm.status') return status;
    if (cmd === 'kpm.login') return { registry: 'localhost:5001', message: 'Login succeeded' };
    throw new Error(`unexpected ${cmd}`);
  });
  const res = await new Commands(ui, client).login();
  assert.deepEqual(res, { registry: 'localhost:5001', message: 'Login succeeded' });
  assert.equal(ui.inputs.length, 3);
  assert.equal(ui.inputs[0].value, 'localhost:5001', 'registry prefilled with the default');
  assert.notEqual(ui.inputs[0].password, true);
  assert.notEqual(ui.inputs[1].password, true);
  assert.equal(ui.inputs[2].password, true, 'password input hides what is typed');
  assert.deepEqual(client.commands(), ['kpm.status', 'kpm.login', 'kpm.status']);
  assert.deepEqual(client.calls[1].arg, { registry: 'localhost:5001', username: 'test', password: '1234' });
  assert.equal(typeof client.calls[1].progressTitle, 'string');
  assert.deepEqual(ui.infos.map((i) => i.message), ['localhost:5001: Login succeeded']);
  assert.deepEqual(ui.errors, []);
  assert.equal(ui.statuses.length, 2, 'status bar refreshed before and after login');
});

test('login cancelled at any prompt sends nothing', async () => {
  for (let cancelAt = 0; cancelAt < 3; cancelAt++) {
    const answers = ['localhost:5001', 'test', '1234'];
    answers[cancelAt] = undefined;
    const ui = new FakeUi({ answers: answers.slice(0, cancelAt + 1) });
    const client = new FakeClient((cmd) => (cmd === 'kpm.status' ? status : assert.fail(`sent ${cmd}`)));
    assert.equal(await new Commands(ui, client).login(), undefined);
    assert.deepEqual(client.commands(), ['kpm.status'], `cancel at prompt ${cancelAt}`);
    assert.equal(ui.inputs.length, cancelAt + 1);
  }
});

test('login failure shows the server message once and never the password', async () => {
  const ui = new FakeUi({ answers: ['localhost:5001', 'test', 'wrong-secret'] });
  const client = new FakeClient((cmd) => {
    if (cmd === 'kpm.status') return status;
    throw new ServerError("login localhost:5001: unauthorized: wrong username or password", -32803);
  });
  assert.equal(await new Commands(ui, client).login(), undefined);
  assert.deepEqual(ui.errors, ['login localhost:5001: unauthorized: wrong username or password']);
  assert.ok(!JSON.stringify(ui.errors).includes('wrong-secret'));
});

test('logout asks the registry and calls kpm.logout', async () => {
  const ui = new FakeUi({ answers: ['localhost:5001'] });
  const client = new FakeClient((cmd) =>
    cmd === 'kpm.status' ? status : { registry: 'localhost:5001', message: 'Logout succeeded' },
  );
  await new Commands(ui, client).logout();
  assert.deepEqual(client.commands(), ['kpm.status', 'kpm.logout', 'kpm.status']);
  assert.deepEqual(client.calls[1].arg, { registry: 'localhost:5001' });
  assert.equal(ui.inputs[0].value, 'localhost:5001');
});

test('push: "already exists" asks before retrying with force', async (t) => {
  const cases = [
    { name: 'user agrees', confirm: true, want: ['kpm.push', 'kpm.push'], pushed: true },
    { name: 'user declines', confirm: false, want: ['kpm.push'], pushed: false },
  ];
  for (const c of cases) {
    await t.test(c.name, async () => {
      const ui = new FakeUi({ packageDir: '/w/app', confirm: c.confirm });
      const client = new FakeClient((cmd, arg) => {
        if (!arg.force) throw new ServerError("push oci://localhost:5001/test/app:0.0.1: package version '0.0.1' already exists", -32803);
        return { reference: 'oci://localhost:5001/test/app:0.0.1', digest: 'sha256:abc' };
      });
      const res = await new Commands(ui, client).push();
      assert.deepEqual(client.commands(), c.want);
      assert.deepEqual(client.calls[0].arg, { path: '/w/app' });
      assert.equal(ui.confirms.length, 1);
      assert.match(ui.confirms[0].message, /already exists/);
      assert.deepEqual(ui.errors, []);
      if (c.pushed) {
        assert.deepEqual(client.calls[1].arg, { path: '/w/app', force: true });
        assert.equal(res.digest, 'sha256:abc');
      } else {
        assert.equal(res, undefined);
      }
    });
  }
});

test('push: other errors are shown, no force prompt', async () => {
  const ui = new FakeUi({ packageDir: '/w/app' });
  const client = new FakeClient(() => {
    throw new ServerError("push oci://localhost:5001/test/app:0.0.1: unauthorized; run 'kpm login localhost:5001'", -32803);
  });
  await new Commands(ui, client).push();
  assert.equal(ui.confirms.length, 0);
  assert.equal(ui.errors.length, 1);
  assert.match(ui.errors[0], /kpm login localhost:5001/);
});

test('push without a package says what to open', async () => {
  const ui = new FakeUi({});
  const client = new FakeClient(() => assert.fail('nothing should be sent'));
  await new Commands(ui, client).push();
  assert.match(ui.errors[0], /kcl\.mod/);
});

test('a cancelled command shows nothing', async () => {
  const ui = new FakeUi({ packageDir: '/w/app' });
  const client = new FakeClient(() => {
    throw new CancelledError();
  });
  await new Commands(ui, client).push();
  assert.deepEqual(ui.errors, []);
  assert.deepEqual(ui.confirms, []);
});

test('run opens the YAML in a new document', async () => {
  const ui = new FakeUi({ packageDir: '/w/app' });
  const client = new FakeClient(() => ({ yaml: 'The_first_kcl_program: Hello World!\n' }));
  await new Commands(ui, client).run();
  assert.deepEqual(client.calls.map((c) => [c.command, c.arg]), [['kpm.run', { path: '/w/app' }]]);
  assert.deepEqual(ui.yamlDocs, ['The_first_kcl_program: Hello World!\n']);
  assert.deepEqual(ui.diagnostics, [[]], 'old run diagnostics cleared');
});

test('run errors become diagnostics at file:line:col', async () => {
  const ui = new FakeUi({ packageDir: '/w/app' });
  const msg = 'main.k:3:5: TypeError: expected int, got str\n/w/app/lib/x.k:10:1: SyntaxError: unexpected token';
  const client = new FakeClient(() => {
    throw new ServerError(msg, -32803);
  });
  await new Commands(ui, client).run();
  assert.deepEqual(ui.yamlDocs, []);
  assert.deepEqual(ui.errors, [msg]);
  assert.deepEqual(ui.diagnostics.at(-1), [
    { file: '/w/app/main.k', line: 2, character: 4, kind: 'TypeError', message: 'TypeError: expected int, got str' },
    { file: '/w/app/lib/x.k', line: 9, character: 0, kind: 'SyntaxError', message: 'SyntaxError: unexpected token' },
  ]);
});

test('run errors: every error of the data becomes a diagnostic (the message names only the first)', async () => {
  const ui = new FakeUi({ packageDir: '/w/app' });
  const msg = '/w/app/main.k:1:8: InvalidSyntax: expected an expression (and more)';
  const data = {
    errors: [
      { file: '/w/app/main.k', line: 1, col: 8, kind: 'InvalidSyntax', message: 'expected an expression' },
      { file: 'sub/b.k', line: 3, col: 5, kind: 'InvalidSyntax', message: "expected an expression, found ')'" },
    ],
  };
  const client = new FakeClient(() => {
    throw new ServerError(msg, -32803, data);
  });
  await new Commands(ui, client).run();
  assert.deepEqual(ui.errors, [msg]);
  assert.deepEqual(ui.diagnostics.at(-1), [
    { file: '/w/app/main.k', line: 0, character: 7, kind: 'InvalidSyntax', message: 'InvalidSyntax: expected an expression' },
    { file: '/w/app/sub/b.k', line: 2, character: 4, kind: 'InvalidSyntax', message: "InvalidSyntax: expected an expression, found ')'" },
  ]);
});

test('run without a package asks for a remote package and a tag from kpm.tags', async () => {
  const ui = new FakeUi({ answers: ['oci://localhost:5001/test/app'] });
  const client = new FakeClient((cmd) => (cmd === 'kpm.tags' ? { tags: ['0.0.2', '0.0.1'] } : { yaml: 'a: 1\n' }));
  await new Commands(ui, client).run();
  assert.deepEqual(client.calls.map((c) => [c.command, c.arg]), [
    ['kpm.tags', { source: 'oci://localhost:5001/test/app' }],
    ['kpm.run', { source: 'oci://localhost:5001/test/app', tag: '0.0.2' }],
  ]);
  assert.equal(ui.picks[0].items[0].description, 'newest');
});

test('add offers the tags from kpm.tags (newest first)', async (t) => {
  const cases = [
    { name: 'oci source: tag separate', source: 'oci://localhost:5001/test/lib', want: { path: '/w/app', source: 'oci://localhost:5001/test/lib', tag: '0.2.0' } },
    { name: 'name: version in the source', source: 'lib', want: { path: '/w/app', source: 'lib:0.2.0' } },
  ];
  for (const c of cases) {
    await t.test(c.name, async () => {
      const ui = new FakeUi({ packageDir: '/w/app', answers: [c.source] });
      const client = new FakeClient((cmd) =>
        cmd === 'kpm.tags' ? { tags: ['0.2.0', '0.1.0'] } : { name: 'lib', version: '0.2.0', reference: 'x' },
      );
      await new Commands(ui, client).add();
      assert.deepEqual(client.calls[0], { command: 'kpm.tags', arg: { source: c.source }, progressTitle: `Listing tags of ${c.source}` });
      assert.deepEqual(ui.picks[0].items.map((i) => i.label), ['0.2.0', '0.1.0']);
      assert.deepEqual(client.calls[1].arg, c.want);
    });
  }
});

test('add with an explicit name:version skips the tag picker', async () => {
  const ui = new FakeUi({ packageDir: '/w/app', answers: ['lib:0.1.0'] });
  const client = new FakeClient(() => ({ name: 'lib', version: '0.1.0', reference: 'x' }));
  await new Commands(ui, client).add();
  assert.deepEqual(client.calls.map((c) => [c.command, c.arg]), [['kpm.add', { path: '/w/app', source: 'lib:0.1.0' }]]);
});

test('pull of an oci:// source asks the tag; name:version does not', async () => {
  const ui = new FakeUi({ answers: ['oci://localhost:5001/test/app'] });
  const client = new FakeClient((cmd) =>
    cmd === 'kpm.tags' ? { tags: ['0.0.1'] } : { reference: 'r', digest: 'd', path: '/cache/app_0.0.1' },
  );
  await new Commands(ui, client).pull();
  assert.deepEqual(client.calls[1].arg, { source: 'oci://localhost:5001/test/app', tag: '0.0.1' });
  assert.deepEqual(ui.openedFiles, ['/cache/app_0.0.1/kcl.mod']);

  const ui2 = new FakeUi({ answers: ['app:0.0.1'] });
  const client2 = new FakeClient(() => ({ reference: 'r', digest: 'd', path: '/cache/app_0.0.1' }));
  await new Commands(ui2, client2).pull();
  assert.deepEqual(client2.calls.map((c) => [c.command, c.arg]), [['kpm.pull', { source: 'app:0.0.1' }]]);
});

test('init asks folder and name, then opens kcl.mod', async () => {
  const ui = new FakeUi({ folder: '/w/My-App', answers: [undefined] });
  const client = new FakeClient(() => assert.fail('cancelled init must not call the server'));
  await new Commands(ui, client).init();
  assert.equal(ui.inputs[0].value, 'my-app');

  const ui2 = new FakeUi({ folder: '/w/app', answers: ['app'] });
  const client2 = new FakeClient(() => ({ path: '/w/app', files: ['kcl.mod', 'kcl.mod.lock', 'main.k'] }));
  await new Commands(ui2, client2).init();
  assert.deepEqual(client2.calls[0].arg, { path: '/w/app', name: 'app' });
  assert.deepEqual(ui2.openedFiles, ['/w/app/kcl.mod']);
});

test('update and checkUpdates report what the server says', async () => {
  const ui = new FakeUi({ packageDir: '/w/app' });
  const client = new FakeClient((cmd) =>
    cmd === 'kpm.update'
      ? { changed: true, messages: ['lib 0.1.0 -> 0.2.0'] }
      : { updates: [{ name: 'lib', current: '0.1.0', latest: '1.0.0', kind: 'major' }] },
  );
  const cmds = new Commands(ui, client);
  await cmds.update();
  await cmds.checkUpdates();
  assert.deepEqual(client.calls.map((c) => [c.command, c.arg]), [
    ['kpm.update', { path: '/w/app' }],
    ['kpm.checkUpdates', { path: '/w/app' }],
  ]);
  assert.deepEqual(ui.infos.map((i) => i.message), [
    'Dependencies updated: lib 0.1.0 -> 0.2.0',
    'Newer versions: lib 0.1.0 → 1.0.0 (major)',
  ]);
});

test('server code lenses/actions run through the same flows (fromServer)', async (t) => {
  await t.test('kpm.run lens opens the YAML', async () => {
    const ui = new FakeUi();
    const client = new FakeClient(() => ({ yaml: 'a: 1\n' }));
    await new Commands(ui, client).fromServer('kpm.run', [{ path: '/w/app' }]);
    assert.deepEqual(client.calls.map((c) => [c.command, c.arg]), [['kpm.run', { path: '/w/app' }]]);
    assert.deepEqual(ui.yamlDocs, ['a: 1\n']);
  });
  await t.test('kpm.push lens asks before force', async () => {
    const ui = new FakeUi({ confirm: true });
    const client = new FakeClient((cmd, arg) => {
      if (!arg.force) throw new ServerError("package version '0.0.1' already exists", -32803);
      return { reference: 'r', digest: 'd' };
    });
    await new Commands(ui, client).fromServer('kpm.push', [{ path: '/w/app' }]);
    assert.deepEqual(client.calls.map((c) => c.arg), [{ path: '/w/app' }, { path: '/w/app', force: true }]);
    assert.equal(ui.confirms.length, 1);
  });
  await t.test('other commands pass through with progress and return the result', async () => {
    const ui = new FakeUi();
    const client = new FakeClient(() => ({ name: 'lib' }));
    const res = await new Commands(ui, client).fromServer('kpm.add', [{ path: '/w/app', source: 'lib:0.1.0' }]);
    assert.deepEqual(res, { name: 'lib' });
    const res2 = await new Commands(ui, client).fromServer('kpm.tags', [{ source: 'lib' }]);
    assert.deepEqual(res2, { name: 'lib' });
    assert.deepEqual(client.calls[1], { command: 'kpm.tags', arg: { source: 'lib' }, progressTitle: 'kpm: tags' });
    assert.deepEqual(client.calls[0], { command: 'kpm.add', arg: { path: '/w/app', source: 'lib:0.1.0' }, progressTitle: 'Adding lib:0.1.0' });
  });
  await t.test('errors are shown once', async () => {
    const ui = new FakeUi();
    const client = new FakeClient(() => {
      throw new ServerError('kpm.update: kcl.mod:3:1: bad', -32803);
    });
    assert.equal(await new Commands(ui, client).fromServer('kpm.update', [{ path: '/w/app' }]), undefined);
    assert.deepEqual(ui.errors, ['kpm.update: kcl.mod:3:1: bad']);
  });
});

test('Run Package with Options sends key=value pairs as options', async () => {
  const { parseOptions } = require('../../out/lib/commands');
  assert.deepEqual(parseOptions(' env=prod  replicas=3 url=a=b '), { options: { env: 'prod', replicas: '3', url: 'a=b' } });
  assert.match(parseOptions('env').error, /not key=value/);
  assert.match(parseOptions('=x').error, /not key=value/);
  const ui = new FakeUi({ packageDir: '/w/app', answers: ['env=prod replicas=3'] });
  const client = new FakeClient(() => ({ yaml: 'env: prod\n' }));
  await new Commands(ui, client).runWithOptions();
  assert.deepEqual(client.calls[0].arg, { path: '/w/app', options: { env: 'prod', replicas: '3' } });
  assert.deepEqual(ui.yamlDocs, ['env: prod\n']);
});

test('Add Dependency from a server code action shows the result', async () => {
  const ui = new FakeUi();
  const client = new FakeClient(() => ({ name: 'lib', version: '0.1.0', reference: 'r' }));
  await new Commands(ui, client).fromServer('kpm.add', [{ path: '/w/app', source: 'lib' }]);
  assert.deepEqual(ui.infos.map((i) => i.message), ['Added lib 0.1.0 (r)']);
});

test('push: the notification has the reference and a short digest; the full digest goes to the Output channel', async () => {
  const digest = 'sha256:02b96d7d20b010ecfb39294f7a2add246224f1bbd3265f641740a3b5c0c8f46b';
  const ui = new FakeUi({ packageDir: '/w/app' });
  const client = new FakeClient(() => ({ reference: 'localhost:5001/test/app:0.0.1', digest }));
  await new Commands(ui, client).push();
  assert.deepEqual(ui.infos.map((i) => i.message), ['Pushed localhost:5001/test/app:0.0.1 (sha256:02b96d7d20b0)']);
  assert.deepEqual(ui.logs, [`pushed localhost:5001/test/app:0.0.1, digest ${digest}`]);
});

test('with the server down, every command says why before asking anything', async (t) => {
  const why = 'The kpm language server did not start: cannot open the package home';
  for (const method of ['login', 'logout', 'init', 'push', 'pull', 'run', 'runWithOptions', 'add', 'update', 'checkUpdates']) {
    await t.test(method, async () => {
      const ui = new FakeUi({ answers: [], packageDir: '/w/app', folder: '/w/app' });
      const client = new FakeClient(() => assert.fail('no server command'), { down: why });
      assert.equal(await new Commands(ui, client)[method](), undefined);
      assert.deepEqual(ui.inputs, [], 'no question asked');
      assert.deepEqual(ui.errors, [why]);
      assert.deepEqual(client.calls, []);
    });
  }
});

test('status: a failed kpm.status keeps its reason for the status bar', async () => {
  const ui = new FakeUi();
  const client = new FakeClient(() => {
    throw new Error('The kpm language server stopped: killed');
  });
  assert.equal(await new Commands(ui, client).status(), undefined);
  assert.deepEqual(ui.statuses, [undefined]);
  assert.deepEqual(ui.statusErrors, ['The kpm language server stopped: killed']);
});

test('run: the YAML is shown with what was run (the package directory)', async () => {
  const ui = new FakeUi({ packageDir: '/w/app' });
  const client = new FakeClient(() => ({ yaml: 'a: 1\n' }));
  await new Commands(ui, client).run();
  assert.deepEqual(ui.runs, [{ path: '/w/app' }]);
});
