local _M = {}
local counters = { hits = 0, errors = 0 }
local loaded_in = ngx.get_phase()

function _M.hit(name)
    if counters[name] == nil then
        error("unknown counter: " .. tostring(name))
    end
    counters[name] = counters[name] + 1
    return counters[name]
end

function _M.snapshot()
    return string.format("hits=%d errors=%d loaded_in=%s", counters.hits, counters.errors, loaded_in)
end

return _M
