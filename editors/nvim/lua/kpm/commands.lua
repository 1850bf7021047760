-- The user commands (:KpmLogin, :KpmPush, ...) and the flows behind them: each asks what it
-- needs (kpm.ui), sends one or two kpm.* commands to the server (kpm.lsp), shows the outcome and
-- records it in require("kpm").last before firing `User KpmDone`.
local lsp = require("kpm.lsp")
local ui = require("kpm.ui")

local M = {}

local notify, ask = ui.notify, ui.ask

-- finish records the outcome of a user command, shows its error, and fires `User KpmDone`.
local function finish(name, err, result)
  local kpm = require("kpm")
  kpm.seq = kpm.seq + 1
  kpm.last = { name = name, err = err, result = result, seq = kpm.seq }
  if err and err ~= "cancelled" then
    notify(err, vim.log.levels.ERROR)
  end
  pcall(vim.api.nvim_exec_autocmds, "User", { pattern = "KpmDone", modeline = false })
end

local function is_oci(s)
  return s:match("^oci://") ~= nil or s:match("^https?://") ~= nil
end

-- pick_tag offers the registry's tags (newest first); free text when it has none.
local function pick_tag(source, cb)
  lsp.execute("kpm.tags", { source = source }, function(err, res)
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
  local dir = lsp.package_dir(0)
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
-- flows

function M.login(registry, username)
  lsp.execute("kpm.status", {}, function(_, st)
    registry = registry or ask("Registry: ", st and st.defaultRegistry or "")
    if not registry then
      return finish("login", "cancelled")
    end
    username = username or ask("Username for " .. registry .. ": ")
    if not username then
      return finish("login", "cancelled")
    end
    local password = ui.ask_secret("Password for " .. username .. "@" .. registry .. ": ")
    if not password then
      return finish("login", "cancelled")
    end
    lsp.execute("kpm.login", { registry = registry, username = username, password = password }, function(err, res)
      if not err then
        notify(res.registry .. ": " .. res.message)
      end
      finish("login", err, res)
    end, "Logging in")
  end)
end

function M.logout(registry)
  lsp.execute("kpm.status", {}, function(_, st)
    registry = registry or ask("Logout from registry: ", st and st.defaultRegistry or "")
    if not registry then
      return finish("logout", "cancelled")
    end
    lsp.execute("kpm.logout", { registry = registry }, function(err, res)
      if not err then
        notify(res.registry .. ": " .. res.message)
      end
      finish("logout", err, res)
    end)
  end)
end

function M.status()
  lsp.execute("kpm.status", {}, function(err, st)
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
  lsp.execute("kpm.push", arg, function(err, res)
    if err and not arg.force and err:match("already exists") then
      local choice = vim.fn.confirm(err .. "\nPush again and overwrite it (--force)?", "&Overwrite\n&Cancel", 2)
      if choice ~= 1 then
        return finish("push", "cancelled")
      end
      return lsp.execute("kpm.push", vim.tbl_extend("force", arg, { force = true }), done, "Pushing (force)")
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
  lsp.execute("kpm.pull", arg, function(err, res)
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
    base = lsp.package_dir(0)
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
  ui.set_run_errors({})
  lsp.execute("kpm.run", arg, function(err, res, data)
    if err then
      if err ~= "cancelled" then
        local base = arg.path or vim.fn.getcwd()
        ui.set_run_errors(ui.errors_from_data(data, base) or ui.parse_errors(err, base))
      end
      return finish("run", err)
    end
    ui.show_yaml(res.yaml, arg.path or arg.source)
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
  lsp.execute("kpm.init", { path = dir, name = name }, function(err, res)
    if not err then
      vim.cmd("edit " .. vim.fn.fnameescape(dir .. "/kcl.mod"))
      notify("kpm: initialized package " .. name .. " in " .. dir)
    end
    finish("init", err, res)
  end)
end

-- add_arg adds {path, source, tag?, rename?} and reloads the package's buffers.
function M.add_arg(arg)
  lsp.execute("kpm.add", arg, function(err, res)
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
  lsp.execute("kpm.update", arg, function(err, res)
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
  lsp.execute("kpm.checkUpdates", arg, function(err, res)
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

-- ---------------------------------------------------------------------------
-- code lenses and code actions

-- Client-side handlers for the server's command IDs: Neovim runs these (instead of a bare
-- workspace/executeCommand whose result it drops) when a code lens or code action names them,
-- so a Run lens shows its YAML and a Push lens asks before forcing.
local function lens_arg(command)
  return (command.arguments and command.arguments[1]) or {}
end

M.client_commands = {
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

-- ---------------------------------------------------------------------------
-- user commands

local function arg_or_nil(s)
  if s == nil or s == "" then
    return nil
  end
  return s
end

-- create defines :KpmLogin, :KpmLogout, :KpmPush, :KpmPull, :KpmRun, :KpmInit, :KpmAdd,
-- :KpmUpdate, :KpmCheckUpdates, :KpmStatus, :KpmLens and :KpmCancel.
function M.create()
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
    lsp.cancel()
  end, { desc = "kpm: cancel the running kpm commands" })
end

return M
