-- What the user sees and answers: notifications, prompts, the run output split, and run errors
-- as diagnostics and quickfix entries. Nothing here talks to the server.
local M = {}

local run_ns = vim.api.nvim_create_namespace("kpm-run")

function M.notify(msg, level)
  vim.notify(msg, level or vim.log.levels.INFO)
end

-- Prompts are looked up on vim.fn / vim.ui at call time so tests can answer them.

-- ask returns the trimmed answer, nil when cancelled or empty.
function M.ask(prompt, default, completion)
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

function M.ask_secret(prompt)
  local ok, v = pcall(vim.fn.inputsecret, prompt)
  if not ok or v == nil or v == "" then
    return nil
  end
  return v
end

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

-- set_run_errors replaces the run errors: one diagnostic and one quickfix entry each.
function M.set_run_errors(entries)
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

-- show_yaml puts the YAML in a scratch split, reused by the next run (require("kpm").run_buf).
function M.show_yaml(yaml, title)
  local kpm = require("kpm")
  local buf = kpm.run_buf
  if not (buf and vim.api.nvim_buf_is_valid(buf)) then
    vim.cmd("botright new")
    buf = vim.api.nvim_get_current_buf()
    kpm.run_buf = buf
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

return M
