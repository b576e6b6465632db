local _M = {}

local mt = { __tostring = function(e) return "E" .. e.code .. ": " .. e.msg end }

function _M.new(code, msg)
    return setmetatable({ code = code, msg = msg }, mt)
end

function _M.raise(code, msg)
    error(_M.new(code, msg))
end

function _M.try(fn, ...)
    local ok, res = pcall(fn, ...)
    if ok then
        return true, res
    end
    if type(res) == "table" and getmetatable(res) == mt then
        return false, res
    end
    return false, _M.new(500, "internal: " .. tostring(res):gsub("^.-:%d+: ", ""))
end

return _M
