-- require loads a module once, passes its name, and caches the result
local a = require("mods.counter")
local b = require "mods.counter"
print(a == b, a.loaded_as, a.next(), b.next())
print(package.loaded["mods.counter"] == a)
local greet = require("mods.greet")
print(greet("x"), greet("y"), a.next())
