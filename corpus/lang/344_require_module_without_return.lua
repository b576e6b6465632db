-- a module that returns nothing is recorded as true
print(require("mods.noreturn"), require("mods.noreturn"), moonshift_noreturn_loaded)
print(package.loaded["mods.noreturn"])
