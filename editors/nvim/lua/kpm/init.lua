-- kpm.nvim: Neovim client for `kpm lsp`, the KCL package manager's language server.
--
--   require("kpm").setup({
--     cmd = { "kpm", "lsp" },                 -- how to start the server
--     settings = { offline = false, pkgPath = "", registryCheckInterval = 3600 },
--   })
--
-- setup() sets the filetypes (also set at startup by ftdetect/kpm.lua), attaches the server to
-- their buffers (kpm.lsp) and adds the :Kpm* commands (kpm.commands); kpm.ui shows and asks.
-- This file holds the defaults, the public state and setup(), and re-exports the public
-- functions of those modules. :help kpm documents all of it.
local commands = require("kpm.commands")
local lsp = require("kpm.lsp")
local ui = require("kpm.ui")

local M = {}

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
M.progress_log = {} -- every $/progress message: { token, kind, text }
M.run_buf = nil -- the scratch buffer of :KpmRun's YAML

function M.setup(opts)
  opts = opts or {}
  M.config = vim.tbl_deep_extend("force", M.config, opts)
  if opts.cmd then
    M.config.cmd = opts.cmd -- lists are replaced, not merged
  end
  require("kpm.filetype").detect()
  commands.create()
  lsp.enable()
end

-- the public API, as before the plugin was split
M.find_root = lsp.find_root
M.package_dir = lsp.package_dir
M.execute = lsp.execute
M.cancel = lsp.cancel
M.client_commands = commands.client_commands
M.login = commands.login
M.logout = commands.logout
M.status = commands.status
M.push = commands.push
M.push_arg = commands.push_arg
M.pull = commands.pull
M.pull_arg = commands.pull_arg
M.run = commands.run
M.run_arg = commands.run_arg
M.init = commands.init
M.add = commands.add
M.add_arg = commands.add_arg
M.update = commands.update
M.update_arg = commands.update_arg
M.check_updates = commands.check_updates
M.check_updates_arg = commands.check_updates_arg
M.errors_from_data = ui.errors_from_data
M.parse_errors = ui.parse_errors
M.show_yaml = ui.show_yaml

return M
