-- a module with state: required twice, loaded once
local M = {}
local count = 0
M.loaded_as = ...
function M.next() count = count + 1; return count end
return M
