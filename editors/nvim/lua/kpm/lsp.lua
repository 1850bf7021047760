-- The kpm language server client: package roots, starting and attaching the client (Neovim 0.7:
-- vim.lsp.start_client + buf_attach_client; 0.11+: vim.lsp.config / vim.lsp.enable), the
-- $/progress and window/showMessage handlers, and workspace/executeCommand requests with
-- cancellation. Reads the options from require("kpm").config at call time.
local ui = require("kpm.ui")

local M = {}

local uv = vim.uv or vim.loop
local has011 = vim.fn.has("nvim-0.11") == 1
local use_new_api = has011 and type(vim.lsp.config) ~= "nil" and type(vim.lsp.enable) == "function"

local clients_by_root = {} -- legacy (0.7) path: root dir -> client id
local pending = 0 -- requests sent by user commands and not answered yet
local active = {} -- workDoneToken -> { client, request_id, title }
local token_counter = 0

-- The options and the public state live on require("kpm"), which loads this module.
local function kpm()
  return require("kpm")
end

-- ---------------------------------------------------------------------------
-- package roots

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

-- ---------------------------------------------------------------------------
-- client methods, called as methods from 0.11 on

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
  local s = kpm().config.settings or {}
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
  table.insert(kpm().progress_log, { token = result.token, kind = v.kind, text = text })
  if kpm().config.progress then
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
  if kpm().config.codelens and (caps.codeLensProvider or caps.code_lens) then
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
  if kpm().config.on_attach then
    kpm().config.on_attach(client, bufnr)
  end
end

local function handlers()
  return { ["$/progress"] = on_progress, ["window/showMessage"] = on_show_message }
end

-- client_commands: the handlers of the server's command IDs, run by Neovim when a code lens or
-- code action names one (kpm.commands: lenses go through the same flows as the user commands).
local function client_commands()
  return require("kpm.commands").client_commands
end

local function client_config(root)
  local config = kpm().config
  return {
    name = "kpm",
    cmd = config.cmd,
    root_dir = root,
    workspace_folders = { { uri = vim.uri_from_fname(root), name = root } },
    settings = server_settings(),
    init_options = server_settings(),
    capabilities = config.capabilities or vim.lsp.protocol.make_client_capabilities(),
    handlers = handlers(),
    commands = client_commands(),
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
    ui.notify("kpm: cannot start " .. table.concat(kpm().config.cmd, " ") .. "; set cmd in require('kpm').setup{}", vim.log.levels.ERROR)
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

-- enable attaches the server to the buffers of M.filetypes from now on (and, on the legacy
-- path, to those already loaded), rooted at their package (else the cwd).
function M.enable()
  if use_new_api then
    local config = kpm().config
    vim.lsp.config("kpm", {
      cmd = config.cmd,
      filetypes = kpm().filetypes,
      settings = server_settings(),
      init_options = server_settings(),
      handlers = handlers(),
      commands = client_commands(),
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
      pattern = kpm().filetypes,
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
    return nil, "kpm: the language server is not running (cmd = " .. table.concat(kpm().config.cmd, " ") .. ")"
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
  ui.notify(n == 0 and "kpm: nothing to cancel" or string.format("kpm: cancelling %d command(s)", n))
end

return M
