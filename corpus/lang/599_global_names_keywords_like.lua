-- identifiers resembling keywords and with underscores are ordinary names
local _ = 1
local __ = 2
local _end, nil_, If, THEN = 3, 4, 5, 6
local goto_ = 7
print(_, __, _end, nil_, If, THEN, goto_)
local t = {["end"] = "e", ["nil"] = "n", ["goto"] = "g"}
print(t["end"], t["nil"], t["goto"])
local _ENV = "not special in 5.1"
print(_ENV)
