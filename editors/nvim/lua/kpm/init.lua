-- kpm.nvim: Neovim client for `kpm lsp`, the KCL package manager's language server.
--
--   require("kpm").setup({
--     cmd = { "kpm", "lsp" },                 -- how to start the server
--     settings = { offline = false, pkgPath = "", registryCheckInterval = 3600 },
--   })
--
-- Detects the filetypes (kcl.mod -> kclmod, kcl.mod.lock -> kclmodlock, kpm.json -> json,
-- *.k -> kcl), attaches the server to those buffers with the root at the nearest kcl.mod
-- (else the current directory), and adds :KpmLogin, :KpmLogout, :KpmPush, :KpmPull, :KpmRun,
-- :KpmInit, :KpmAdd, :KpmUpdate, :KpmCheckUpdates, :KpmStatus and :KpmCancel. All the work is done
-- by the server through workspace/executeCommand; this file only asks, shows and forwards.
-- Works on Neovim 0.7 (vim.lsp.start_client) and 0.11+ (vim.lsp.config / vim.lsp.enable).
local M = {}

local uv = vim.uv or vim.loop
local has011 = vim.fn.has("nvim-0.11") == 1
local use_new_api = has011 and type(vim.lsp.config) ~= "nil" and type(vim.lsp.enable) == "function"

M.filetypes = { "kclmod", "kclmodlock", "json", "kcl" }

M.config = {
  cmd = { "kpm", "lsp" },
  settings = { pkgPath = "", offline = false, registryCheckInterval = 3600 },
  -- progress is echoed as messages; set to false to keep quiet
  progress = true,
  -- show the server's code lenses (Run, Push, Update dependencies, Check for newer tags);
  -- run the one under the cursor with :KpmLens (vim.lsp.codelens.run)
  codelens = true,
}

-- M.last is the outcome of the most recent user command: { name, err, result, seq }.
-- A `User KpmDone` autocommand fires after each one.
M.last = nil
M.seq = 0
M.progress_log = {}

local clients_by_root = {} -- legacy (0.7) path: root dir -> client id
local pending = 0 -- requests sent by user commands and not answered yet
local active = {} -- workDoneToken -> { client, request_id, title }
local token_counter = 0
local run_ns = vim.api.nvim_create_namespace("kpm-run")

-- ---------------------------------------------------------------------------
-- helpers

local function notify(msg, level)
  vim.notify(msg, level or vim.log.levels.INFO)
end

local function is_file(path)
  local st = uv.fs_stat(path)
  return st ~= nil and st.type == "file"
end

local function dirname(path)
  return vim.fn.fnamemodify(path, ":h")
end

-- find_root returns the nearest directory at or above `start` holding a kcl.mod, or nil.
function M.find_root(start)
  local dir = start
  while dir and dir ~= "" do
    if is_file(dir .. "/kcl.mod") then
      return dir
    end
    local parent = dirname(dir)
    if parent == dir then
      return nil
    end
    dir = parent
  end
  return nil
end

local function buf_dir(bufnr)
  local name = vim.api.nvim_buf_get_name(bufnr or 0)
  if name == "" or name:match("^%a+://") then
    return nil
  end
  return dirname(vim.fn.fnamemodify(name, ":p"))
end

-- package_dir is the package of the current buffer (nearest kcl.mod), else of the cwd.
function M.package_dir(bufnr)
  local d = buf_dir(bufnr or 0)
  return (d and M.find_root(d)) or M.find_root(vim.fn.getcwd())
end

local function is_kpm_buffer(bufnr)
  local name = vim.api.nvim_buf_get_name(bufnr)
  local base = vim.fn.fnamemodify(name, ":t")
  local ft = vim.bo[bufnr].filetype
  if ft == "json" then
    return base == "kpm.json"
  end
  return ft == "kclmod" or ft == "kclmodlock" or ft == "kcl"
end

local function creq(client, method, params, handler, bufnr)
  if has011 then
    return client:request(method, params, handler, bufnr)
  end
  return client.request(method, params, handler, bufnr)
end

local function cnotify(client, method, params)
  if has011 then
    return client:notify(method, params)
  end
  return client.notify(method, params)
end

local function ccancel(client, id)
  if has011 then
    return client:cancel_request(id)
  end
  return client.cancel_request(id)
end

local function get_kpm_clients(bufnr)
  local out = {}
  if vim.lsp.get_clients then
    out = vim.lsp.get_clients({ name = "kpm", bufnr = bufnr })
  else
    if bufnr then
      for _, c in pairs(vim.lsp.buf_get_clients(bufnr)) do
        if c.name == "kpm" then
          table.insert(out, c)
        end
      end
    else
      for _, c in pairs(vim.lsp.get_active_clients()) do
        if c.name == "kpm" then
          table.insert(out, c)
        end
      end
    end
  end
  return out
end

local function server_settings()
  local s = M.config.settings or {}
  if s.kpm then
    return s
  end
  return { kpm = s }
end

-- ---------------------------------------------------------------------------
-- handlers

local function on_progress(err, result, ctx, config)
  local default = vim.lsp.handlers["$/progress"]
  if default then
    pcall(default, err, result, ctx, config)
  end
  if not result or type(result.value) ~= "table" then
    return
  end
  local v = result.value
  local a = active[result.token]
  local title = v.title or (a and a.title) or "kpm"
  if a and v.title then
    a.title = v.title
  end
  local text = title
  if v.message and v.message ~= "" then
    text = text .. ": " .. v.message
  end
  if v.percentage then
    text = text .. string.format(" (%d%%)", v.percentage)
  end
  if v.kind == "end" and (v.message == nil or v.message == "") then
    text = text .. ": done"
  end
  table.insert(M.progress_log, { token = result.token, kind = v.kind, text = text })
  if M.config.progress then
    vim.api.nvim_echo({ { "kpm: " .. text, "Comment" } }, false, {})
  end
end

local function on_show_message(err, result, ctx, config)
  -- A failed user command comes back as the request's error (shown by the command) and as
  -- window/showMessage; keep the duplicate out of the way while a command waits.
  if result and result.type == 1 and pending > 0 then
    return
  end
  return vim.lsp.handlers["window/showMessage"](err, result, ctx, config)
end

local function refresh_lenses(bufnr)
  if has011 then
    pcall(vim.lsp.codelens.refresh, { bufnr = bufnr })
  elseif vim.api.nvim_get_current_buf() == bufnr then
    pcall(vim.lsp.codelens.refresh)
  end
end

local function on_attach(client, bufnr)
  vim.bo[bufnr].omnifunc = "v:lua.vim.lsp.omnifunc"
  local caps = client.server_capabilities or client.resolved_capabilities or {}
  if M.config.codelens and (caps.codeLensProvider or caps.code_lens) then
    local group = vim.api.nvim_create_augroup("kpm_codelens_" .. bufnr, { clear = true })
    vim.api.nvim_create_autocmd({ "BufEnter", "InsertLeave", "BufWritePost" }, {
      group = group,
      buffer = bufnr,
      callback = function()
        refresh_lenses(bufnr)
      end,
    })
    refresh_lenses(bufnr)
  end
  if M.config.on_attach then
    M.config.on_attach(client, bufnr)
  end
end

-- Client-side handlers for the server's command IDs: Neovim runs these (instead of a bare
-- workspace/executeCommand whose result it drops) when a code lens or code action names them,
-- so a Run lens shows its YAML and a Push lens asks before forcing.
local function lens_arg(command)
  return (command.arguments and command.arguments[1]) or {}
end

local client_commands = {
  ["kpm.run"] = function(command)
    M.run_arg(lens_arg(command))
  end,
  ["kpm.push"] = function(command)
    M.push_arg(lens_arg(command))
  end,
  ["kpm.pull"] = function(command)
    M.pull_arg(lens_arg(command))
  end,
  ["kpm.update"] = function(command)
    M.update_arg(lens_arg(command))
  end,
  ["kpm.checkUpdates"] = function(command)
    M.check_updates_arg(lens_arg(command))
  end,
  ["kpm.add"] = function(command)
    M.add_arg(lens_arg(command))
  end,
}
M.client_commands = client_commands

local function client_config(root)
  return {
    name = "kpm",
    cmd = M.config.cmd,
    root_dir = root,
    workspace_folders = { { uri = vim.uri_from_fname(root), name = root } },
    settings = server_settings(),
    init_options = server_settings(),
    capabilities = M.config.capabilities or vim.lsp.protocol.make_client_capabilities(),
    handlers = {
      ["$/progress"] = on_progress,
      ["window/showMessage"] = on_show_message,
    },
    commands = client_commands,
    on_attach = on_attach,
  }
end

-- ---------------------------------------------------------------------------
-- attaching (legacy path: Neovim 0.7 .. 0.10)

local function legacy_client_for(root)
  local id = clients_by_root[root]
  if id then
    local c = vim.lsp.get_client_by_id(id)
    if c and not c.is_stopped() then
      return id
    end
  end
  id = vim.lsp.start_client(client_config(root))
  if not id then
    notify("kpm: cannot start " .. table.concat(M.config.cmd, " ") .. "; set cmd in require('kpm').setup{}", vim.log.levels.ERROR)
    return nil
  end
  clients_by_root[root] = id
  return id
end

local function legacy_attach(bufnr)
  if not is_kpm_buffer(bufnr) then
    return
  end
  local d = buf_dir(bufnr)
  local root = (d and M.find_root(d)) or vim.fn.getcwd()
  local id = legacy_client_for(root)
  if id then
    vim.lsp.buf_attach_client(bufnr, id)
  end
end

-- ---------------------------------------------------------------------------
-- filetypes

local function set_filetypes()
  if vim.filetype and vim.filetype.add and vim.fn.has("nvim-0.8") == 1 then
    vim.filetype.add({
      filename = { ["kcl.mod"] = "kclmod", ["kcl.mod.lock"] = "kclmodlock", ["kpm.json"] = "json" },
      extension = { k = "kcl" },
    })
  end
  -- Forced (not :setfiletype): Vim's own detection calls *.mod files modsim3/lprolog/go.
  local group = vim.api.nvim_create_augroup("kpm_filetype", { clear = true })
  local function force(patterns, ft)
    vim.api.nvim_create_autocmd({ "BufRead", "BufNewFile" }, {
      group = group,
      pattern = patterns,
      callback = function(args)
        if vim.bo[args.buf].filetype ~= ft then
          vim.bo[args.buf].filetype = ft
        end
      end,
    })
  end
  force({ "kcl.mod", "*/kcl.mod" }, "kclmod")
  force({ "kcl.mod.lock", "*/kcl.mod.lock" }, "kclmodlock")
  force({ "*.k" }, "kcl")
  force({ "kpm.json", "*/kpm.json" }, "json")
  -- kcl.mod and its lock are TOML: borrow TOML highlighting and comments.
  vim.api.nvim_create_autocmd("FileType", {
    group = group,
    pattern = { "kclmod", "kclmodlock" },
    callback = function(args)
      vim.bo[args.buf].syntax = "toml"
      vim.bo[args.buf].commentstring = "# %s"
    end,
  })
end

-- ---------------------------------------------------------------------------
-- running server commands

-- client_for_command returns a running kpm client for the current buffer, any kpm client, or
-- a new one rooted at the package of the current buffer (else the cwd); nil with a message.
local function client_for_command()
  local c = get_kpm_clients(vim.api.nvim_get_current_buf())[1] or get_kpm_clients(nil)[1]
  if not c then
    local root = M.package_dir(0) or vim.fn.getcwd()
    local id
    if use_new_api then
      id = vim.lsp.start(vim.tbl_extend("force", vim.lsp.config.kpm or {}, client_config(root)), { attach = false })
    else
      id = legacy_client_for(root)
    end
    c = id and vim.lsp.get_client_by_id(id)
  end
  if not c then
    return nil, "kpm: the language server is not running (cmd = " .. table.concat(M.config.cmd, " ") .. ")"
  end
  if not c.initialized then
    vim.wait(10000, function()
      return c.initialized == true
    end, 20)
  end
  return c
end

-- execute sends workspace/executeCommand with one object argument and a workDoneToken, and
-- calls cb(err_message, result, err_data) on the main loop, exactly once: err_message is
-- "cancelled" for a command cancelled with :KpmCancel (Neovim drops the server's
-- RequestCancelled answer, so the cancellation completes the command itself); err_data is the
-- JSON-RPC error's data (kpm.run lists every evaluation error there).
function M.execute(command, arg, cb, title)
  local client, e = client_for_command()
  if not client then
    return cb(e)
  end
  token_counter = token_counter + 1
  local token = string.format("kpm-nvim-%d-%d", vim.fn.getpid(), token_counter)
  local params = { command = command, arguments = { arg }, workDoneToken = token }
  pending = pending + 1
  local entry = { client = client, title = title or command, done = false }
  function entry.complete(err_msg, result, err_data)
    if entry.done then
      return
    end
    entry.done = true
    pending = pending - 1
    active[token] = nil
    cb(err_msg, result, err_data)
  end
  -- kpm.login carries the password: keep it out of the LSP log (lsp.log at "debug" writes every
  -- message) by raising the level while the request is written.
  local restore_level
  if command == "kpm.login" then
    local okl, level = pcall(function()
      return require("vim.lsp.log").get_level()
    end)
    if okl and type(level) == "number" and level < vim.log.levels.WARN then
      restore_level = level
      vim.lsp.set_log_level(vim.log.levels.WARN)
    end
  end
  local ok, id = creq(client, "workspace/executeCommand", params, function(err, result)
    if err then
      if err.code == -32800 then
        return entry.complete("cancelled")
      end
      return entry.complete(err.message or vim.inspect(err), nil, err.data)
    end
    entry.complete(nil, result)
  end, vim.api.nvim_get_current_buf())
  if restore_level then
    vim.lsp.set_log_level(restore_level)
  end
  if not ok then
    entry.done = true
    pending = pending - 1
    return cb("kpm: the language server is not running")
  end
  entry.request_id = id
  active[token] = entry
end

-- cancel stops every command still running (window/workDoneProgress/cancel and $/cancelRequest)
-- and completes each one as "cancelled".
function M.cancel()
  local n = 0
  for token, a in pairs(active) do
    cnotify(a.client, "window/workDoneProgress/cancel", { token = token })
    pcall(ccancel, a.client, a.request_id)
    n = n + 1
    a.complete("cancelled")
  end
  notify(n == 0 and "kpm: nothing to cancel" or string.format("kpm: cancelling %d command(s)", n))
end

local function finish(name, err, result)
  M.seq = M.seq + 1
  M.last = { name = name, err = err, result = result, seq = M.seq }
  if err and err ~= "cancelled" then
    notify(err, vim.log.levels.ERROR)
  end
  pcall(vim.api.nvim_exec_autocmds, "User", { pattern = "KpmDone", modeline = false })
end

-- prompts (looked up on vim.fn / vim.ui at call time so tests can answer them)
local function ask(prompt, default, completion)
  local ok, v = pcall(vim.fn.input, { prompt = prompt, default = default or "", completion = completion, cancelreturn = "" })
  if not ok or v == nil then
    return nil
  end
  v = vim.trim(v)
  if v == "" then
    return nil
  end
  return v
end

local function ask_secret(prompt)
  local ok, v = pcall(vim.fn.inputsecret, prompt)
  if not ok or v == nil or v == "" then
    return nil
  end
  return v
end

local function is_oci(s)
  return s:match("^oci://") ~= nil or s:match("^https?://") ~= nil
end

-- pick_tag offers the registry's tags (newest first); free text when it has none.
local function pick_tag(source, cb)
  M.execute("kpm.tags", { source = source }, function(err, res)
    local tags = (not err and res and res.tags) or {}
    if err then
      notify("kpm: cannot list the tags of " .. source .. ": " .. err, vim.log.levels.WARN)
    end
    if #tags == 0 then
      return cb(ask("Tag (version) of " .. source .. ": "))
    end
    vim.ui.select(tags, {
      prompt = "Version of " .. source,
      format_item = function(t)
        return t == tags[1] and (t .. " (newest)") or t
      end,
    }, function(choice)
      cb(choice)
    end)
  end, "Listing tags")
end

local function need_package(name)
  local dir = M.package_dir(0)
  if not dir then
    finish(name, "kpm: no KCL package here: open a file of a package (a directory with kcl.mod) first")
  end
  return dir
end

local function reload_package_buffers(dir)
  for _, b in ipairs(vim.api.nvim_list_bufs()) do
    local n = vim.api.nvim_buf_get_name(b)
    if n:sub(1, #dir) == dir and vim.api.nvim_buf_is_loaded(b) and not vim.bo[b].modified then
      vim.api.nvim_buf_call(b, function()
        vim.cmd("silent! checktime")
      end)
    end
  end
end

-- ---------------------------------------------------------------------------
-- run output and errors

-- errors_from_data reads the positions kpm.run puts in its error's data
-- ({errors = {{file, line, col, kind, message}}}, 1-based): every error, where the message holds
-- only the first. nil when the data has none.
function M.errors_from_data(data, base)
  if type(data) ~= "table" or type(data.errors) ~= "table" then
    return nil
  end
  local out = {}
  for _, e in ipairs(data.errors) do
    if type(e) == "table" and type(e.file) == "string" and e.file ~= "" and type(e.message) == "string" then
      local file = e.file
      if file:sub(1, 1) ~= "/" then
        file = base .. "/" .. file
      end
      local kind = type(e.kind) == "string" and e.kind or ""
      table.insert(out, {
        file = file,
        lnum = math.max(0, (tonumber(e.line) or 1) - 1),
        col = math.max(0, (tonumber(e.col) or 1) - 1),
        message = kind ~= "" and (kind .. ": " .. e.message) or e.message,
      })
    end
  end
  if #out == 0 then
    return nil
  end
  return out
end

-- parse_errors turns "file:line:col: Kind: msg" texts (1-based) into entries with 0-based positions.
function M.parse_errors(text, base)
  local out = {}
  for _, line in ipairs(vim.split(text or "", "\n", { plain = true })) do
    line = vim.trim(line)
    local file, l, c, rest = line:match("^(.-):(%d+):(%d+): (.*)$")
    if file and file ~= "" then
      if file:sub(1, 1) ~= "/" then
        file = base .. "/" .. file
      end
      table.insert(out, { file = file, lnum = tonumber(l) - 1, col = tonumber(c) - 1, message = rest })
    end
  end
  return out
end

local function set_run_errors(entries)
  for _, b in ipairs(vim.api.nvim_list_bufs()) do
    vim.diagnostic.reset(run_ns, b)
  end
  local by_buf, qf = {}, {}
  for _, e in ipairs(entries) do
    local b = vim.fn.bufadd(e.file)
    by_buf[b] = by_buf[b] or {}
    table.insert(by_buf[b], {
      lnum = e.lnum,
      col = e.col,
      message = e.message,
      severity = vim.diagnostic.severity.ERROR,
      source = "kpm run",
    })
    table.insert(qf, { filename = e.file, lnum = e.lnum + 1, col = e.col + 1, text = e.message, type = "E" })
  end
  for b, d in pairs(by_buf) do
    vim.diagnostic.set(run_ns, b, d)
  end
  vim.fn.setqflist({}, "r", { title = "kpm run", items = qf })
end

-- show_yaml puts the YAML in a scratch split (reused by the next run).
function M.show_yaml(yaml, title)
  local buf = M.run_buf
  if not (buf and vim.api.nvim_buf_is_valid(buf)) then
    vim.cmd("botright new")
    buf = vim.api.nvim_get_current_buf()
    M.run_buf = buf
    vim.bo[buf].buftype = "nofile"
    vim.bo[buf].bufhidden = "hide"
    vim.bo[buf].swapfile = false
    pcall(vim.api.nvim_buf_set_name, buf, "kpm://run")
  else
    local win = vim.fn.bufwinid(buf)
    if win == -1 then
      vim.cmd("botright split")
      vim.api.nvim_win_set_buf(0, buf)
    else
      vim.api.nvim_set_current_win(win)
    end
  end
  local lines = vim.split(yaml or "", "\n", { plain = true })
  if #lines > 1 and lines[#lines] == "" then
    table.remove(lines)
  end
  vim.bo[buf].modifiable = true
  vim.api.nvim_buf_set_lines(buf, 0, -1, false, lines)
  vim.bo[buf].modifiable = false
  vim.bo[buf].filetype = "yaml"
  vim.b[buf].kpm_run_title = title
  return buf
end

-- ---------------------------------------------------------------------------
-- user commands

function M.login(registry, username)
  M.execute("kpm.status", {}, function(_, st)
    registry = registry or ask("Registry: ", st and st.defaultRegistry or "")
    if not registry then
      return finish("login", "cancelled")
    end
    username = username or ask("Username for " .. registry .. ": ")
    if not username then
      return finish("login", "cancelled")
    end
    local password = ask_secret("Password for " .. username .. "@" .. registry .. ": ")
    if not password then
      return finish("login", "cancelled")
    end
    M.execute("kpm.login", { registry = registry, username = username, password = password }, function(err, res)
      if not err then
        notify(res.registry .. ": " .. res.message)
      end
      finish("login", err, res)
    end, "Logging in")
  end)
end

function M.logout(registry)
  M.execute("kpm.status", {}, function(_, st)
    registry = registry or ask("Logout from registry: ", st and st.defaultRegistry or "")
    if not registry then
      return finish("logout", "cancelled")
    end
    M.execute("kpm.logout", { registry = registry }, function(err, res)
      if not err then
        notify(res.registry .. ": " .. res.message)
      end
      finish("logout", err, res)
    end)
  end)
end

function M.status()
  M.execute("kpm.status", {}, function(err, st)
    if not err then
      notify(string.format("kpm: default registry %s/%s (%s)", st.defaultRegistry, st.defaultRepo, st.loggedIn and "logged in" or "not logged in"))
    end
    finish("status", err, st)
  end)
end

-- push_arg pushes {path, source?, force?}; "already exists" asks before forcing.
function M.push_arg(arg)
  local function done(err, res)
    if not err then
      notify("kpm: pushed " .. res.reference .. " (" .. res.digest .. ")")
    end
    finish("push", err, res)
  end
  M.execute("kpm.push", arg, function(err, res)
    if err and not arg.force and err:match("already exists") then
      local choice = vim.fn.confirm(err .. "\nPush again and overwrite it (--force)?", "&Overwrite\n&Cancel", 2)
      if choice ~= 1 then
        return finish("push", "cancelled")
      end
      return M.execute("kpm.push", vim.tbl_extend("force", arg, { force = true }), done, "Pushing (force)")
    end
    done(err, res)
  end, "Pushing")
end

function M.push(force)
  local dir = need_package("push")
  if not dir then
    return
  end
  M.push_arg({ path = dir, force = force or nil })
end

function M.pull_arg(arg)
  M.execute("kpm.pull", arg, function(err, res)
    if not err then
      notify("kpm: pulled " .. res.reference .. " to " .. res.path)
    end
    finish("pull", err, res)
  end, "Pulling " .. tostring(arg.source))
end

function M.pull(source, tag)
  source = source or ask("Package to pull (name[:version] or oci://host/repo/name): ")
  if not source then
    return finish("pull", "cancelled")
  end
  local function go(t)
    M.pull_arg({ source = source, tag = t })
  end
  if tag or not is_oci(source) or source:match("%?tag=") then
    return go(tag)
  end
  pick_tag(source, function(t)
    if not t then
      return finish("pull", "cancelled")
    end
    go(t)
  end)
end

-- run runs target (a directory, name[:version] or oci://…; default: the current package) with
-- optional options {key = value} (kpm run -D key=value).
function M.run(target, options)
  local arg, base
  if target and target ~= "" then
    if target:sub(1, 1) == "/" or target:sub(1, 1) == "." or vim.fn.isdirectory(target) == 1 then
      base = vim.fn.fnamemodify(target, ":p"):gsub("/$", "")
      arg = { path = base }
    else
      arg = { source = target }
    end
  else
    base = M.package_dir(0)
    if not base then
      return finish("run", "kpm: no KCL package here: open a file of a package or give :KpmRun a directory or a package")
    end
    arg = { path = base }
  end
  if options and next(options) then
    arg.options = options
  end
  M.run_arg(arg)
end

-- run_arg runs {path} | {source, tag?}: YAML in the scratch split, errors as diagnostics.
function M.run_arg(arg)
  set_run_errors({})
  M.execute("kpm.run", arg, function(err, res, data)
    if err then
      if err ~= "cancelled" then
        local base = arg.path or vim.fn.getcwd()
        set_run_errors(M.errors_from_data(data, base) or M.parse_errors(err, base))
      end
      return finish("run", err)
    end
    M.show_yaml(res.yaml, arg.path or arg.source)
    finish("run", nil, res)
  end, "Running")
end

function M.init(dir)
  dir = dir or ask("Package directory: ", vim.fn.getcwd(), "dir")
  if not dir then
    return finish("init", "cancelled")
  end
  dir = vim.fn.fnamemodify(dir, ":p"):gsub("/$", "")
  local name = ask("Package name: ", (vim.fn.fnamemodify(dir, ":t"):lower():gsub("[^%w_-]", "_")))
  if not name then
    return finish("init", "cancelled")
  end
  vim.fn.mkdir(dir, "p")
  M.execute("kpm.init", { path = dir, name = name }, function(err, res)
    if not err then
      vim.cmd("edit " .. vim.fn.fnameescape(dir .. "/kcl.mod"))
      notify("kpm: initialized package " .. name .. " in " .. dir)
    end
    finish("init", err, res)
  end)
end

-- add_arg adds {path, source, tag?, rename?} and reloads the package's buffers.
function M.add_arg(arg)
  M.execute("kpm.add", arg, function(err, res)
    if not err then
      if arg.path then
        reload_package_buffers(arg.path)
      end
      notify(string.format("kpm: added %s %s (%s)", res.name, res.version, res.reference))
    end
    finish("add", err, res)
  end, "Adding " .. tostring(arg.source))
end

function M.add(source)
  local dir = need_package("add")
  if not dir then
    return
  end
  source = source or ask("Dependency (name[:version] or oci://host/repo/name): ")
  if not source then
    return finish("add", "cancelled")
  end
  local function go(arg)
    arg.path = dir
    M.add_arg(arg)
  end
  if not is_oci(source) and source:find(":") then
    return go({ source = source })
  end
  pick_tag(source, function(t)
    if not t then
      return finish("add", "cancelled")
    end
    if is_oci(source) then
      go({ source = source, tag = t })
    else
      go({ source = source .. ":" .. t })
    end
  end)
end

function M.update()
  local dir = need_package("update")
  if not dir then
    return
  end
  M.update_arg({ path = dir })
end

function M.update_arg(arg)
  M.execute("kpm.update", arg, function(err, res)
    if not err then
      reload_package_buffers(arg.path)
      local msgs = res.messages or {}
      notify(res.changed and ("kpm: dependencies updated" .. (#msgs > 0 and (": " .. table.concat(msgs, "; ")) or ""))
        or "kpm: dependencies are up to date")
    end
    finish("update", err, res)
  end, "Updating dependencies")
end

function M.check_updates()
  local dir = need_package("checkUpdates")
  if not dir then
    return
  end
  M.check_updates_arg({ path = dir })
end

function M.check_updates_arg(arg)
  M.execute("kpm.checkUpdates", arg, function(err, res)
    if not err then
      local ups = res.updates or {}
      if #ups == 0 then
        notify("kpm: all dependencies are at their newest version")
      else
        local parts = {}
        for _, u in ipairs(ups) do
          table.insert(parts, string.format("%s %s -> %s (%s)", u.name, u.current, u.latest, u.kind))
        end
        notify("kpm: newer versions: " .. table.concat(parts, ", "))
      end
    end
    finish("checkUpdates", err, res)
  end, "Checking for newer versions")
end

local function arg_or_nil(s)
  if s == nil or s == "" then
    return nil
  end
  return s
end

local function create_commands()
  local cmd = vim.api.nvim_create_user_command
  cmd("KpmLogin", function(o)
    M.login(arg_or_nil(o.fargs[1]), arg_or_nil(o.fargs[2]))
  end, { nargs = "*", desc = "kpm: log in to a registry ([registry [username]])" })
  cmd("KpmLogout", function(o)
    M.logout(arg_or_nil(o.args))
  end, { nargs = "?", desc = "kpm: log out from a registry" })
  cmd("KpmPush", function(o)
    M.push(o.bang)
  end, { bang = true, desc = "kpm: push the current package (! to overwrite)" })
  cmd("KpmPull", function(o)
    M.pull(arg_or_nil(o.fargs[1]), arg_or_nil(o.fargs[2]))
  end, { nargs = "*", desc = "kpm: pull a package ([source [tag]])" })
  cmd("KpmRun", function(o)
    local target, options = nil, {}
    for _, a in ipairs(o.fargs) do
      local k, v = a:match("^([^=]+)=(.*)$")
      if k then
        options[k] = v
      elseif not target then
        target = a
      end
    end
    M.run(target, options)
  end, { nargs = "*", complete = "dir", desc = "kpm: run a package ([dir|source] [key=value ...]), YAML in a scratch split" })
  cmd("KpmInit", function(o)
    M.init(arg_or_nil(o.args))
  end, { nargs = "?", complete = "dir", desc = "kpm: create a package" })
  cmd("KpmAdd", function(o)
    M.add(arg_or_nil(o.args))
  end, { nargs = "?", desc = "kpm: add a dependency to the current package" })
  cmd("KpmUpdate", function()
    M.update()
  end, { desc = "kpm: update the dependencies and the lock file" })
  cmd("KpmCheckUpdates", function()
    M.check_updates()
  end, { desc = "kpm: list newer versions of the dependencies" })
  cmd("KpmStatus", function()
    M.status()
  end, { desc = "kpm: default registry and login state" })
  cmd("KpmLens", function()
    vim.lsp.codelens.run()
  end, { desc = "kpm: run the code lens on the current line" })
  cmd("KpmCancel", function()
    M.cancel()
  end, { desc = "kpm: cancel the running kpm commands" })
end

-- ---------------------------------------------------------------------------
-- setup

function M.setup(opts)
  opts = opts or {}
  M.config = vim.tbl_deep_extend("force", M.config, opts)
  if opts.cmd then
    M.config.cmd = opts.cmd -- lists are replaced, not merged
  end
  set_filetypes()
  create_commands()

  if use_new_api then
    vim.lsp.config("kpm", {
      cmd = M.config.cmd,
      filetypes = M.filetypes,
      settings = server_settings(),
      init_options = server_settings(),
      handlers = { ["$/progress"] = on_progress, ["window/showMessage"] = on_show_message },
      commands = client_commands,
      on_attach = on_attach,
      root_dir = function(bufnr, on_dir)
        if not is_kpm_buffer(bufnr) then
          return -- kpm serves kpm.json, not every JSON file
        end
        local d = buf_dir(bufnr)
        on_dir((d and M.find_root(d)) or vim.fn.getcwd())
      end,
    })
    vim.lsp.enable("kpm")
  else
    local group = vim.api.nvim_create_augroup("kpm_attach", { clear = true })
    vim.api.nvim_create_autocmd("FileType", {
      group = group,
      pattern = M.filetypes,
      callback = function(args)
        legacy_attach(args.buf)
      end,
    })
    -- buffers opened before setup()
    for _, b in ipairs(vim.api.nvim_list_bufs()) do
      if vim.api.nvim_buf_is_loaded(b) then
        legacy_attach(b)
      end
    end
  end
end

return M
