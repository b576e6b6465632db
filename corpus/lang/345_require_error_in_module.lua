-- an error while loading a module propagates with the module's position
print(pcall(require, "mods.broken"))
print(pcall(require, "mods.broken"))
