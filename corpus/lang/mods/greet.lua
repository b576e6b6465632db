-- a module that requires another module
local counter = require("mods.counter")
return function(name) return "hello " .. name .. " #" .. counter.next() end
