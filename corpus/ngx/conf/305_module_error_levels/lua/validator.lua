local _M = {}

function _M.age(v)
    local n = tonumber(v)
    if not n then
        error({ status = 400, msg = "age must be a number" })
    end
    if n < 0 then
        error("negative age: " .. n, 2)
    end
    if n > 150 then
        error("age too large", 0)
    end
    return n
end

return _M
