-- methods defined with : on nested tables get self; redefining through . works too
local app = {ui = {button = {label = "ok"}}}
function app.ui.button:click(n) return self.label .. n end
function app.ui.button.plain(n) return "plain" .. tostring(n) end
print(app.ui.button:click(1), app.ui.button.click(app.ui.button, 2))
print(app.ui.button.plain(3), app.ui.button.plain())
local other = {label = "other"}
print(app.ui.button.click(other, 4))
