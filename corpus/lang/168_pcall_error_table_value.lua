-- error with a table passes the same table through pcall
local err = {code = 1, msg = "bad"}
local ok, e = pcall(function() error(err) end)
print(ok, type(e), rawequal(e, err), e.code, e.msg)
ok, e = pcall(function() error({code = 2}, 2) end)
print(ok, e.code)
ok, e = pcall(error, {code = 3})
print(ok, e.code)
