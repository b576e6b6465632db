-- a while loop with several break points and a goto exit, chosen by data
local function run(stop)
  local i, reason = 0, "cond"
  while i < 10 do
    i = i + 1
    if stop == "a" and i == 2 then reason = "a"; break end
    if stop == "b" and i == 4 then reason = "b"; break end
    if stop == "g" and i == 6 then reason = "g"; goto out end
  end
  do return i, reason end
  ::out::
  return -i, reason
end
print(run("a")); print(run("b")); print(run("g")); print(run("none"))
