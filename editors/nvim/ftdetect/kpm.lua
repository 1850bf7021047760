-- kcl.mod, kcl.mod.lock, kpm.json and *.k get their filetypes without setup(); the server is
-- still only started by require("kpm").setup{}.
require("kpm.filetype").detect()
