-- Headless Neovim tests of the kpm plugin against the real `kpm lsp` and a real registry.
-- Run by scripts/test/editors-nvim.sh:
--   KPM_BIN=... KPM_TEST_REG=127.0.0.1:PORT KPM_TEST_WORK=/tmp/dir KCL_PKG_PATH=... \
--   nvim --headless --clean -u NONE --cmd 'set rtp+=editors/nvim' -c 'luafile editors/nvim/tests/run.lua'
-- Prompts are answered by stubbing vim.fn.input / inputsecret / confirm and vim.ui.select.
-- Prints one PASS/FAIL line per test; exits non-zero (cquit) when any failed.

local kpm_bin = assert(os.getenv("KPM_BIN"), "KPM_BIN not set")
local reg = assert(os.getenv("KPM_TEST_REG"), "KPM_TEST_REG not set")
local work = assert(os.getenv("KPM_TEST_WORK"), "KPM_TEST_WORK not set")
local pkg_path = os.getenv("KCL_PKG_PATH") or ""

-- Record reads of undefined globals from the plugin's own code (a misspelt or out-of-scope local).
local undefined_globals = {}
setmetatable(_G, {
  __index = function(_, k)
    local info = debug.getinfo(2, "S")
    local src = info and info.source or ""
    if src:match("/lua/kpm/[%w_]+%.lua$") or src:match("/ftdetect/kpm%.lua$") then
      undefined_globals[k] = true
    end
    return nil
  end,
})

local function out(s)
  io.stdout:write(s .. "\n")
  io.stdout:flush()
end

local results = { pass = 0, fail = 0, gaps = {} }

local function test(name, fn)
  local ok, err = xpcall(fn, debug.traceback)
  if ok then
    results.pass = results.pass + 1
    out("PASS: " .. name)
  else
    results.fail = results.fail + 1
    local msg = tostring(err):gsub("\n.*", "")
    if msg:match("not available yet") or msg:match("unknown command") then
      msg = "[server gap] " .. msg
      table.insert(results.gaps, name .. ": " .. msg)
    end
    out("FAIL: " .. name .. ": " .. msg)
  end
end

local function eq(got, want, what)
  if got ~= want then
    error(string.format("%s: got %s, want %s", what or "value", vim.inspect(got), vim.inspect(want)), 2)
  end
end

local function truthy(v, what)
  if not v then
    error((what or "condition") .. " is false", 2)
  end
  return v
end

local function read(path)
  local f = io.open(path, "r")
  if not f then
    return nil
  end
  local s = f:read("*a")
  f:close()
  return s
end

local function write(path, content)
  vim.fn.mkdir(vim.fn.fnamemodify(path, ":h"), "p")
  local f = assert(io.open(path, "w"))
  f:write(content)
  f:close()
end

-- ---------------------------------------------------------------------------
-- stubs for the prompts

local answers = {} -- queue for vim.fn.input
local prompts = {} -- every prompt asked, in order: { kind, prompt, default }
local secret = "1234"
local confirm_answer = 1
local selected = {} -- item lists offered by vim.ui.select
local notes = {} -- vim.notify messages

vim.fn.input = function(opts)
  if type(opts) ~= "table" then
    opts = { prompt = opts }
  end
  table.insert(prompts, { kind = "input", prompt = opts.prompt, default = opts.default })
  local a = table.remove(answers, 1)
  if a == nil then
    error("unexpected prompt: " .. tostring(opts.prompt))
  end
  if a == "<default>" then
    return opts.default or ""
  end
  return a
end
vim.fn.inputsecret = function(prompt)
  table.insert(prompts, { kind = "secret", prompt = prompt })
  return secret
end
vim.fn.confirm = function(msg)
  table.insert(prompts, { kind = "confirm", prompt = msg })
  return confirm_answer
end
local select_pick = nil -- optional function(items) -> index
vim.ui.select = function(items, opts, cb)
  table.insert(selected, items)
  table.insert(prompts, { kind = "select", prompt = opts.prompt })
  local i = select_pick and select_pick(items) or 1
  cb(items[i], i)
end
vim.notify = function(msg, level)
  table.insert(notes, { msg = msg, level = level })
end

-- ---------------------------------------------------------------------------

-- Everything the LSP client sends is logged at "debug": the passwords must still stay out.
vim.lsp.set_log_level("debug")

local kpm = require("kpm")
kpm.setup({ cmd = { kpm_bin, "lsp" }, settings = { pkgPath = pkg_path, offline = false }, progress = true })

local function wait(ms, cond, what)
  if not vim.wait(ms, cond, 50) then
    error("timed out after " .. ms .. " ms waiting for " .. what, 2)
  end
end

-- run executes an Ex command and waits for the kpm command it starts to finish.
local function run(cmd, want_ok)
  local before = kpm.seq
  prompts = {}
  vim.cmd(cmd)
  wait(120000, function()
    return kpm.seq > before
  end, cmd)
  local last = kpm.last
  if want_ok ~= false and last.err then
    error(cmd .. " failed: " .. last.err, 2)
  end
  return last
end

local function kpm_client(buf)
  local clients = vim.lsp.get_clients and vim.lsp.get_clients({ name = "kpm", bufnr = buf }) or vim.lsp.buf_get_clients(buf)
  for _, c in pairs(clients) do
    if c.name == "kpm" then
      return c
    end
  end
  return nil
end

-- gap_in_notes raises the server's "not available yet" message if a command reported one.
local function gap_in_notes()
  for _, n in ipairs(notes) do
    if tostring(n.msg):match("not available yet") then
      error(n.msg, 2)
    end
  end
end

local function prompt_kinds()
  local kinds = {}
  for _, p in ipairs(prompts) do
    table.insert(kinds, p.kind)
  end
  return table.concat(kinds, ",")
end

-- ---------------------------------------------------------------------------

local bad = work .. "/bad"
write(bad .. "/kcl.mod", '[package]\nname = "bad"\nedition = "v0.11.0"\nversion = "1.x"\n')
write(bad .. "/kcl.mod.lock", "")
write(bad .. "/main.k", "a = 1\n")
write(work .. "/cfg/kpm.json", '{"DefaultOciRegistry": "' .. reg .. '"}\n')

test("filetype detection: kcl.mod, kcl.mod.lock, kpm.json, *.k", function()
  local want = {
    [bad .. "/kcl.mod"] = "kclmod",
    [bad .. "/kcl.mod.lock"] = "kclmodlock",
    [bad .. "/main.k"] = "kcl",
    [work .. "/cfg/kpm.json"] = "json",
  }
  for file, ft in pairs(want) do
    vim.cmd("edit " .. vim.fn.fnameescape(file))
    eq(vim.bo.filetype, ft, file)
  end
end)

-- the plugin directory (editors/nvim), from this file's path
local plugin_dir = vim.fn.fnamemodify(debug.getinfo(1, "S").source:sub(2), ":p:h:h")

-- child_nvim runs a fresh headless Neovim with the plugin on 'runtimepath' and returns its
-- stdout and exit code. clean = true starts it as a user would (--clean: filetype detection and
-- plugins on, no config), else with -u NONE.
local function child_nvim(clean, args)
  local argv = { vim.v.progpath, "--headless", "-i", "NONE", "-n" }
  vim.list_extend(argv, clean and { "--clean" } or { "--clean", "-u", "NONE" })
  vim.list_extend(argv, { "--cmd", "set rtp^=" .. plugin_dir })
  vim.list_extend(argv, args)
  local output = vim.fn.system(argv)
  return output, vim.v.shell_error
end

test("every module loads on its own", function()
  local names = {}
  for _, f in ipairs(vim.fn.glob(plugin_dir .. "/lua/kpm/*.lua", false, true)) do
    local base = vim.fn.fnamemodify(f, ":t:r")
    table.insert(names, base == "init" and "kpm" or ("kpm." .. base))
  end
  table.sort(names)
  for _, want in ipairs({ "kpm", "kpm.commands", "kpm.lsp", "kpm.ui" }) do
    truthy(vim.tbl_contains(names, want), want .. " among the modules " .. table.concat(names, ", "))
  end
  for _, name in ipairs(names) do
    local output, code = child_nvim(false, {
      "-c",
      string.format(
        "lua local ok, m = pcall(require, %q); io.stdout:write(ok and type(m) == 'table' and 'loaded' or tostring(m)); vim.cmd(ok and 'qall!' or 'cquit 1')",
        name
      ),
    })
    eq(code, 0, "exit code of require(" .. name .. "): " .. output)
    eq(vim.trim(output), "loaded", "require(" .. name .. ")")
  end
end)

test("without setup(): ftdetect sets the filetypes; no command, no server", function()
  local probe = "lua io.stdout:write(vim.bo.filetype .. ' ' .. vim.fn.exists(':KpmRun') .. ' ' .. "
    .. "#(vim.lsp.get_clients or vim.lsp.get_active_clients)() .. ';')"
  local output, code = child_nvim(true, {
    bad .. "/kcl.mod",
    "-c", probe,
    "-c", "edit " .. vim.fn.fnameescape(bad .. "/kcl.mod.lock"),
    "-c", probe,
    "-c", "edit " .. vim.fn.fnameescape(bad .. "/main.k"),
    "-c", probe,
    "-c", "qall!",
  })
  eq(code, 0, "exit code (" .. output .. ")")
  eq(vim.trim(output), "kclmod 0 0;kclmodlock 0 0;kcl 0 0;", "filetype, :KpmRun defined, clients")
end)

test(":help kpm, and a help tag for every command, function, field and option", function()
  local dir = vim.fn.tempname()
  write(dir .. "/doc/kpm.txt", truthy(read(plugin_dir .. "/doc/kpm.txt"), "doc/kpm.txt"))
  vim.cmd("helptags " .. vim.fn.fnameescape(dir .. "/doc"))
  local tags = {}
  for line in io.lines(dir .. "/doc/tags") do
    tags[line:match("^[^\t]+")] = true
  end
  vim.opt.runtimepath:prepend(dir)
  vim.cmd("help kpm")
  eq(vim.fn.expand("%:t"), "kpm.txt", ":help kpm opens")
  truthy(vim.api.nvim_get_current_line():find("*kpm*", 1, true), "cursor on *kpm*: " .. vim.api.nvim_get_current_line())
  vim.cmd("help :KpmRun")
  truthy(vim.api.nvim_get_current_line():find("*:KpmRun*", 1, true), ":help :KpmRun: " .. vim.api.nvim_get_current_line())
  vim.cmd("helpclose")
  local want = { "kpm.last", "kpm.run_buf", "KpmDone", "kpm-filetypes" }
  for name in pairs(vim.api.nvim_get_commands({})) do
    if name:match("^Kpm") then
      table.insert(want, ":" .. name)
    end
  end
  for k, v in pairs(kpm) do
    table.insert(want, type(v) == "function" and ("kpm." .. k .. "()") or ("kpm." .. k))
  end
  for k in pairs(kpm.config) do
    table.insert(want, "kpm-option-" .. k)
  end
  truthy(#want > 40, "tags wanted: " .. #want)
  local missing = {}
  for _, t in ipairs(want) do
    if not tags[t] then
      table.insert(missing, t)
    end
  end
  table.sort(missing)
  eq(table.concat(missing, " "), "", "undocumented")
end)

local bad_buf
test("attaches kpm lsp to kcl.mod with root at the nearest kcl.mod", function()
  vim.cmd("edit " .. vim.fn.fnameescape(bad .. "/kcl.mod"))
  bad_buf = vim.api.nvim_get_current_buf()
  wait(15000, function()
    local c = kpm_client(bad_buf)
    return c ~= nil and c.initialized
  end, "kpm client on kcl.mod")
  eq(kpm_client(bad_buf).config.root_dir, bad, "root_dir")
  eq(vim.bo[bad_buf].omnifunc, "v:lua.vim.lsp.omnifunc", "omnifunc")
end)

test("not attached to an unrelated JSON file", function()
  write(work .. "/other.json", "{}\n")
  vim.cmd("edit " .. vim.fn.fnameescape(work .. "/other.json"))
  local b = vim.api.nvim_get_current_buf()
  vim.wait(300)
  eq(kpm_client(b), nil, "kpm client on other.json")
end)

test("diagnostic on a kcl.mod with an invalid version", function()
  wait(15000, function()
    return #vim.diagnostic.get(bad_buf) > 0
  end, "diagnostics on bad/kcl.mod")
  local d = vim.diagnostic.get(bad_buf)
  local found = false
  for _, x in ipairs(d) do
    if x.lnum == 3 and x.message:lower():match("version") then
      found = true
    end
  end
  truthy(found, "a diagnostic about the version on line 4, got " .. vim.inspect(d))
end)

test(":KpmStatus reports the default registry, not logged in", function()
  local r = run("KpmStatus")
  eq(r.result.defaultRegistry, reg, "defaultRegistry")
  eq(r.result.loggedIn, false, "loggedIn")
end)

test(":KpmLogin with a wrong password fails without echoing it", function()
  answers = { "<default>", "test" }
  secret = "wrong-pw-5150"
  local r = run("KpmLogin", false)
  truthy(r.err, "an error")
  truthy(not r.err:find("wrong-pw-5150", 1, true), "password in the error: " .. r.err)
end)

test(":KpmLogin asks registry (default prefilled), username, password via inputsecret", function()
  answers = { "<default>", "test" }
  secret = "1234"
  local r = run("KpmLogin")
  eq(prompt_kinds(), "input,input,secret", "prompts")
  eq(prompts[1].default, reg, "registry default")
  eq(r.result.message, "Login succeeded", "message")
  eq(run("KpmStatus").result.loggedIn, true, "loggedIn after login")
end)

local app = work .. "/app"
test(":KpmInit creates the package and opens kcl.mod", function()
  answers = { app, "app" }
  run("KpmInit")
  truthy(read(app .. "/kcl.mod"), "app/kcl.mod exists")
  truthy(read(app .. "/main.k"), "app/main.k exists")
  eq(vim.api.nvim_buf_get_name(0), app .. "/kcl.mod", "current buffer")
  eq(vim.bo.filetype, "kclmod", "filetype")
end)

test(":KpmPush pushes the package and shows $/progress as messages", function()
  kpm.progress_log = {}
  local r = run("KpmPush")
  truthy(r.result.reference:match(vim.pesc(reg) .. "/test/app:0%.0%.1$"), "reference " .. r.result.reference)
  truthy(r.result.digest:match("^sha256:"), "digest")
  truthy(#kpm.progress_log > 0, "progress messages")
end)

test(":KpmPush again: 'already exists' asks, then forces", function()
  confirm_answer = 1
  local r = run("KpmPush")
  truthy(prompt_kinds():match("confirm"), "asked before --force: " .. prompt_kinds())
  truthy(r.result.digest:match("^sha256:"), "digest")
  confirm_answer = 2
  local r2 = run("KpmPush", false)
  eq(r2.err, "cancelled", "declined overwrite")
end)

test(":KpmPush a second version (0.0.2)", function()
  local mod = read(app .. "/kcl.mod"):gsub('version = "0%.0%.1"', 'version = "0.0.2"')
  write(app .. "/kcl.mod", mod)
  vim.cmd("edit! " .. vim.fn.fnameescape(app .. "/kcl.mod"))
  local r = run("KpmPush")
  truthy(r.result.reference:match("app:0%.0%.2$"), "reference " .. r.result.reference)
end)

test(":KpmPull name:version", function()
  local r = run("KpmPull app:0.0.1")
  truthy(read(r.result.path .. "/kcl.mod"), "pulled kcl.mod at " .. tostring(r.result.path))
end)

test(":KpmPull oci:// picks the tag from the registry's tags", function()
  answers = { "oci://" .. reg .. "/test/app" }
  selected = {}
  notes = {}
  local r = run("KpmPull", false)
  gap_in_notes()
  if r.err then
    error("KpmPull failed: " .. r.err)
  end
  eq(vim.inspect(selected[1]), vim.inspect({ "0.0.2", "0.0.1" }), "tags offered")
  truthy(read(r.result.path .. "/kcl.mod"), "pulled kcl.mod")
end)

test(":KpmRun shows the YAML in a scratch split", function()
  vim.cmd("edit " .. vim.fn.fnameescape(app .. "/main.k"))
  local r = run("KpmRun")
  local buf = kpm.run_buf
  truthy(buf and vim.api.nvim_buf_is_valid(buf), "scratch buffer")
  eq(vim.bo[buf].filetype, "yaml", "filetype")
  eq(vim.bo[buf].buftype, "nofile", "buftype")
  local text = table.concat(vim.api.nvim_buf_get_lines(buf, 0, -1, false), "\n")
  truthy(text:match("The_first_kcl_program: Hello World!"), "yaml: " .. text)
  truthy(r.result.yaml, "result yaml")
end)

test(":KpmRun dir key=value passes options to option()", function()
  local opts = work .. "/opts"
  write(opts .. "/kcl.mod", '[package]\nname = "opts"\nedition = "v0.11.0"\nversion = "0.0.1"\n')
  write(opts .. "/kcl.mod.lock", "")
  write(opts .. "/main.k", 'env = option("env")\n')
  local r = run("KpmRun " .. opts .. " env=prod")
  truthy(r.result.yaml:match("env: prod"), "yaml: " .. r.result.yaml)
end)

test(":KpmRun errors become diagnostics at file:line:col", function()
  local broken = work .. "/broken"
  write(broken .. "/kcl.mod", '[package]\nname = "broken"\nedition = "v0.11.0"\nversion = "0.0.1"\n')
  write(broken .. "/kcl.mod.lock", "")
  write(broken .. "/main.k", "a = 1\nb = undefined_name + 1\n")
  local r = run("KpmRun " .. broken, false)
  truthy(r.err, "an error")
  if r.err:match("not available yet") then
    error(r.err)
  end
  local b = vim.fn.bufnr(broken .. "/main.k")
  local ds = vim.diagnostic.get(b)
  truthy(#ds > 0, "diagnostics on broken/main.k from " .. r.err)
  eq(ds[1].lnum, 1, "line")
end)

test(":KpmRun with several syntax errors: one diagnostic and quickfix entry each", function()
  local two = work .. "/twoerrors"
  write(two .. "/kcl.mod", '[package]\nname = "twoerrors"\nedition = "v0.11.0"\nversion = "0.0.1"\n')
  write(two .. "/kcl.mod.lock", "")
  write(two .. "/main.k", "a = 1 +\nb = 2\nc = )\n")
  local r = run("KpmRun " .. two, false)
  truthy(r.err, "an error")
  local ds = vim.diagnostic.get(vim.fn.bufnr(two .. "/main.k"))
  table.sort(ds, function(x, y)
    return x.lnum < y.lnum
  end)
  eq(#ds, 2, "diagnostics (" .. r.err .. ")")
  eq(ds[1].lnum, 0, "first error line")
  eq(ds[2].lnum, 2, "second error line")
  eq(#vim.fn.getqflist(), 2, "quickfix entries")
end)

test(":KpmCancel cancels a command stuck on a registry that never answers", function()
  local uv = vim.uv or vim.loop
  local srv = uv.new_tcp()
  srv:bind("127.0.0.1", 0)
  local conns = {}
  srv:listen(16, function()
    local c = uv.new_tcp()
    srv:accept(c)
    table.insert(conns, c)
    c:read_start(function() end)
  end)
  local port = srv:getsockname().port
  notes = {}
  kpm.progress_log = {}
  local before = kpm.seq
  vim.cmd("KpmPull oci://127.0.0.1:" .. port .. "/test/stuck 1.0.0")
  wait(20000, function()
    return #conns > 0
  end, "a connection to the silent registry")
  eq(kpm.seq, before, "the pull is still waiting")
  vim.cmd("KpmCancel")
  wait(5000, function()
    return kpm.seq > before
  end, "the cancelled pull to finish")
  eq(kpm.last.err, "cancelled", "outcome")
  wait(10000, function()
    for _, p in ipairs(kpm.progress_log) do
      if p.kind == "end" and p.text:match("cancelled") then
        return true
      end
    end
    return false
  end, "the server's $/progress end 'cancelled'")
  for _, n in ipairs(notes) do
    truthy(n.level ~= vim.log.levels.ERROR, "no error shown: " .. tostring(n.msg))
  end
  notes = {}
  vim.cmd("KpmCancel")
  truthy(notes[1] and notes[1].msg:match("nothing to cancel"), "nothing left running: " .. vim.inspect(notes))
  for _, c in ipairs(conns) do
    c:close()
  end
  srv:close()
end)

test("code lens Run on [package] (:KpmLens) shows the YAML through the plugin", function()
  vim.cmd("edit " .. vim.fn.fnameescape(app .. "/kcl.mod"))
  local buf = vim.api.nvim_get_current_buf()
  local run_line
  wait(15000, function()
    if vim.fn.has("nvim-0.11") == 1 then
      vim.lsp.codelens.refresh({ bufnr = buf })
    else
      vim.lsp.codelens.refresh()
    end
    for _, l in ipairs(vim.lsp.codelens.get(buf) or {}) do
      if l.command and l.command.command == "kpm.run" then
        run_line = l.range.start.line
        return true
      end
    end
    return false
  end, "a kpm.run code lens on app/kcl.mod")
  vim.api.nvim_win_set_cursor(0, { run_line + 1, 0 })
  select_pick = function(items)
    for i, it in ipairs(items) do
      local lens = it.lens or it
      if lens.command and lens.command.command == "kpm.run" then
        return i
      end
    end
    return 1
  end
  vim.bo[kpm.run_buf].modifiable = true
  vim.api.nvim_buf_set_lines(kpm.run_buf, 0, -1, false, {})
  local r = run("KpmLens")
  select_pick = nil
  eq(r.name, "run", "the lens ran the plugin's run")
  local text = table.concat(vim.api.nvim_buf_get_lines(kpm.run_buf, 0, -1, false), "\n")
  truthy(text:match("The_first_kcl_program: Hello World!"), "yaml: " .. text)
end)

local consumer = work .. "/consumer"
test("tag completion in kcl.mod lists the pushed versions newest first", function()
  write(consumer .. "/kcl.mod", '[package]\nname = "consumer"\nedition = "v0.11.0"\nversion = "0.0.1"\n\n[dependencies]\napp = ""\n')
  write(consumer .. "/kcl.mod.lock", "")
  write(consumer .. "/main.k", "x = 1\n")
  vim.cmd("edit " .. vim.fn.fnameescape(consumer .. "/kcl.mod"))
  local buf = vim.api.nvim_get_current_buf()
  wait(15000, function()
    local c = kpm_client(buf)
    return c ~= nil and c.initialized
  end, "kpm client on consumer/kcl.mod")
  local params = {
    textDocument = { uri = vim.uri_from_bufnr(buf) },
    position = { line = 6, character = 7 },
  }
  local labels = {}
  wait(20000, function()
    local res = vim.lsp.buf_request_sync(buf, "textDocument/completion", params, 5000) or {}
    labels = {}
    for _, r in pairs(res) do
      local items = r.result and (r.result.items or r.result) or {}
      for _, it in ipairs(items) do
        table.insert(labels, it.label)
      end
    end
    return vim.tbl_contains(labels, "0.0.2") and vim.tbl_contains(labels, "0.0.1")
  end, "tags 0.0.2 and 0.0.1 in the completion")
  eq(labels[1], "0.0.2", "newest first")
end)

test(":KpmAdd offers tags (newest first) and adds the dependency", function()
  write(consumer .. "/kcl.mod", '[package]\nname = "consumer"\nedition = "v0.11.0"\nversion = "0.0.1"\n')
  vim.cmd("edit! " .. vim.fn.fnameescape(consumer .. "/kcl.mod"))
  answers = { "app" }
  selected = {}
  notes = {}
  local r = run("KpmAdd", false)
  gap_in_notes()
  if r.err then
    error("KpmAdd failed: " .. r.err)
  end
  eq(vim.inspect(selected[1]), vim.inspect({ "0.0.2", "0.0.1" }), "tags offered")
  eq(r.result.version, "0.0.2", "version")
  truthy(read(consumer .. "/kcl.mod"):match("app"), "kcl.mod has the dependency")
end)

test(":KpmUpdate", function()
  vim.cmd("edit " .. vim.fn.fnameescape(consumer .. "/kcl.mod"))
  local r = run("KpmUpdate")
  eq(type(r.result.changed), "boolean", "changed")
end)

test(":KpmLogout", function()
  answers = { "<default>" }
  local r = run("KpmLogout")
  eq(r.result.message, "Logout succeeded", "message")
  eq(run("KpmStatus").result.loggedIn, false, "loggedIn after logout")
end)

-- KCL code intelligence over a Kubernetes-shaped dependency in the package cache (written by
-- internal/k8sgen into $KCL_PKG_PATH/k8s_1.29 by the test script).
local kclapp = work .. "/kclapp"
local kcl_main = kclapp .. "/main.k"
local kcl_src = table.concat({
  "import k8s.api.apps.v1 as apps",
  "",
  "schema App:",
  "    name: str",
  "",
  "app = App {name = \"web\"}",
  "deploy = apps.Deployment {",
  "    spec = {",
  "        replicas = 2",
  "        template.spec.containers = [{",
  "            name = app.name",
  "            ",
  "        }]",
  "    }",
  "}",
  "",
}, "\n")

-- kcl_request sends a request for the current .k buffer at (line, character), 0-based.
local function kcl_request(method, line, character, extra)
  local buf = vim.api.nvim_get_current_buf()
  local params = vim.tbl_extend("force", { textDocument = { uri = vim.uri_from_bufnr(buf) }, position = { line = line, character = character } }, extra or {})
  local res = vim.lsp.buf_request_sync(buf, method, params, 10000) or {}
  for _, r in pairs(res) do
    if r.result then
      return r.result
    end
  end
  return nil
end

test("KCL: completion of a nested attribute of a dependency's schema", function()
  write(kclapp .. "/kcl.mod", '[package]\nname = "kclapp"\nedition = "v0.11.0"\nversion = "0.0.1"\n\n[dependencies]\nk8s = "1.29"\n')
  write(kcl_main, kcl_src)
  vim.cmd("edit " .. vim.fn.fnameescape(kcl_main))
  local buf = vim.api.nvim_get_current_buf()
  eq(vim.bo[buf].filetype, "kcl", "filetype")
  wait(15000, function()
    local c = kpm_client(buf)
    return c ~= nil and c.initialized
  end, "kpm client on main.k")
  local labels = {}
  wait(20000, function()
    local r = kcl_request("textDocument/completion", 11, 12) or {}
    labels = {}
    for _, it in ipairs(r.items or r) do
      table.insert(labels, it.label)
    end
    return vim.tbl_contains(labels, "image")
  end, "Container attributes in the completion")
  truthy(vim.tbl_contains(labels, "ports"), "ports offered")
  truthy(not vim.tbl_contains(labels, "name"), "name is set already")
end)

test("KCL: hover shows the type, the doc and the dependency", function()
  local h = kcl_request("textDocument/hover", 8, 9)
  local text = h and (h.contents.value or h.contents) or ""
  truthy(text:find("DeploymentSpec.replicas?: int", 1, true), "type in hover: " .. text)
  truthy(text:find("Number of desired pods.", 1, true), "doc in hover: " .. text)
  truthy(text:find("from `k8s` 1.29", 1, true), "package in hover: " .. text)
end)

test("KCL: definition jumps into the package cache", function()
  local locs = kcl_request("textDocument/definition", 9, 23) or {}
  local uri = (locs[1] or locs).uri or (locs[1] or locs).targetUri or ""
  truthy(uri:find("k8s_1.29/api/core/v1/pod_spec.k", 1, true), "definition of containers: " .. uri)
  vim.cmd("edit " .. vim.fn.fnameescape(vim.uri_to_fname(uri)))
  truthy(vim.api.nvim_buf_get_name(0):find("pod_spec.k", 1, true), "the cache file is open")
  vim.cmd("edit " .. vim.fn.fnameescape(kcl_main))
end)

test("KCL: rename a schema of the package", function()
  vim.cmd("edit " .. vim.fn.fnameescape(kcl_main))
  local buf = vim.api.nvim_get_current_buf()
  -- on App (line 3); the edit is applied as vim.lsp.buf.rename applies it
  local edit
  -- reopening the buffer re-attaches the client asynchronously (Neovim 0.11)
  wait(15000, function()
    edit = kcl_request("textDocument/rename", 2, 8, { newName = "Application" })
    return edit ~= nil
  end, "a workspace edit for the rename")
  vim.lsp.util.apply_workspace_edit(edit, "utf-16")
  wait(10000, function()
    local text = table.concat(vim.api.nvim_buf_get_lines(buf, 0, -1, false), "\n")
    return text:find("schema Application:", 1, true) and text:find("app = Application {", 1, true)
  end, "App renamed in the buffer")
end)

test("KCL: formatting with the formatter of kpm fmt", function()
  local buf = vim.api.nvim_get_current_buf()
  vim.api.nvim_buf_set_lines(buf, -1, -1, false, { "extra = {a=1,   b=[1,2]}" })
  if vim.lsp.buf.format then
    vim.lsp.buf.format({ async = false, timeout_ms = 10000 })
  else
    vim.lsp.buf.formatting_sync(nil, 10000)
  end
  local lines = vim.api.nvim_buf_get_lines(buf, 0, -1, false)
  eq(lines[#lines], "extra = {a = 1, b = [1, 2]}", "formatted line")
end)

test("passwords never reach the LSP log (lsp.log at debug level)", function()
  local log = read(vim.lsp.get_log_path()) or ""
  truthy(#log > 0, "lsp.log written at " .. vim.lsp.get_log_path())
  truthy(log:find("workspace/executeCommand", 1, true), "the log has the commands")
  truthy(not log:find("wrong-pw-5150", 1, true), "the refused password is in lsp.log")
  local i = log:find('password = "', 1, true) or log:find('"password":', 1, true)
  truthy(not i, "a password field is in lsp.log: " .. (i and log:sub(math.max(1, i - 200), i + 60) or ""))
  eq(require("vim.lsp.log").get_level(), vim.log.levels.DEBUG, "log level restored")
end)

test("the plugin read no undefined global", function()
  eq(vim.inspect(vim.tbl_keys(undefined_globals)), "{}", "undefined globals")
end)

out(string.format("nvim: %d passed, %d failed", results.pass, results.fail))
for _, g in ipairs(results.gaps) do
  out("server gap: " .. g)
end
for _, c in ipairs((vim.lsp.get_clients or vim.lsp.get_active_clients)()) do
  pcall(c.stop, c.stop and vim.fn.has("nvim-0.11") == 1 and c or true, true)
end
if results.fail > 0 then
  vim.cmd("cquit 1")
else
  vim.cmd("qall!")
end
