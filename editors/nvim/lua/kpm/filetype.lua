-- Filetypes of a KCL package: kcl.mod -> kclmod, kcl.mod.lock -> kclmodlock, kpm.json -> json,
-- *.k -> kcl. Used by ftdetect/kpm.lua at startup and again by setup(), for a plugin added to
-- 'runtimepath' after filetype detection was set up.
local M = {}

function M.detect()
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

return M
