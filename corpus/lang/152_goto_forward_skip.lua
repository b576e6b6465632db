-- a forward goto skips statements in the same block
local log = ""
log = log .. "a"
goto c
log = log .. "b"
::c::
log = log .. "c"
print(log)
